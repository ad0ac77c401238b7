import { defineErrorClass, type ModuleError, type NoContext } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface SyncErrorContexts {
  /** A cohort is running (the chain has an anchor) and no peer served its block 1 in time. */
  GENESIS_UNAVAILABLE: { waitedMs: number };
  /** A block 1 that does not prove its genesis set (no set carried, a member not on chain). */
  GENESIS_INVALID: NoContext;
  /** The registry did not list this node and enough validators before the wait ran out. */
  VALIDATORS_MISSING: { minValidators: number };
}

export type SyncErrorCode = keyof SyncErrorContexts;

export const SyncError = defineErrorClass<SyncErrorContexts>('SyncError');
export type SyncError<C extends SyncErrorCode = SyncErrorCode> = ModuleError<SyncErrorContexts, C>;

export function isSyncError(err: unknown): err is SyncError {
  return err instanceof SyncError;
}
