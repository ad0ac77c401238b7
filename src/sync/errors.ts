import { ParaloomError } from '../common/index.js';

export type SyncErrorCode =
  /** A cohort is running (the chain has an anchor) and no peer served its block 1 in time. */
  | 'GENESIS_UNAVAILABLE'
  /** A block 1 that does not prove its genesis set (no set carried, a member not on chain). */
  | 'GENESIS_INVALID'
  /** The registry did not list this node and enough validators before the wait ran out. */
  | 'VALIDATORS_MISSING';

export class SyncError extends ParaloomError<SyncErrorCode> {}

export function isSyncError(err: unknown): err is SyncError {
  return err instanceof SyncError;
}
