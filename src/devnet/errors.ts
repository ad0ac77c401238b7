import { defineErrorClass, type ModuleError, type NoContext } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface DevnetErrorContexts {
  /** A child process (localnet, validator, CLI step) exited or failed where it should not. */
  CHILD_FAILED: { stderr?: string[]; args?: string[]; code?: number | null; output?: string };
  /** Something awaited did not happen in time (a log line, finality, settlement). */
  TIMEOUT: { stderr?: string[]; heights?: string[] };
  /** A demo step's outcome is not what the protocol promises (balances do not reconcile, ...). */
  DEMO_FAILED: { failed: string[] };
  /** No loopback port outside the kernel's ephemeral range could be bound. */
  NO_FREE_PORT: { from: number; to: number };
  /** The devnet was stopped while starting: nothing more is spawned. */
  STOPPED: NoContext;
}

export type DevnetErrorCode = keyof DevnetErrorContexts;

export const DevnetError = defineErrorClass<DevnetErrorContexts>('DevnetError');
export type DevnetError<C extends DevnetErrorCode = DevnetErrorCode> = ModuleError<DevnetErrorContexts, C>;
