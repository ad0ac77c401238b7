import { ParaloomError } from '../common/index.js';

export type DevnetErrorCode =
  /** A child process (localnet, validator, CLI step) exited or failed where it should not. */
  | 'CHILD_FAILED'
  /** Something awaited did not happen in time (a log line, finality, settlement). */
  | 'TIMEOUT'
  /** A demo step's outcome is not what the protocol promises (balances do not reconcile, ...). */
  | 'DEMO_FAILED'
  /** No loopback port outside the kernel's ephemeral range could be bound. */
  | 'NO_FREE_PORT'
  /** The devnet was stopped while starting: nothing more is spawned. */
  | 'STOPPED';

export class DevnetError extends ParaloomError<DevnetErrorCode> {}
