import { defineErrorClass, type ModuleError, type NoContext } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface DashboardErrorContexts {
  /** start() called twice. */
  ALREADY_STARTED: NoContext;
  /** The host/port cannot be bound (in use, not an address of this machine, no permission). */
  LISTEN_FAILED: { host?: string; port?: number };
  /** The built front-end (dashboard/dist) is missing or unreadable: run `npm run build:dashboard`. */
  ASSETS_MISSING: { dir?: string };
  /** A malformed argument handed to the module by its caller (not an HTTP client's input). */
  ARGUMENT_INVALID: NoContext;
}

export type DashboardErrorCode = keyof DashboardErrorContexts;

export const DashboardError = defineErrorClass<DashboardErrorContexts>('DashboardError');
export type DashboardError<C extends DashboardErrorCode = DashboardErrorCode> = ModuleError<
  DashboardErrorContexts,
  C
>;
