import { ParaloomError } from '../common/index.js';

export type DashboardErrorCode =
  /** start() called twice. */
  | 'ALREADY_STARTED'
  /** The host/port cannot be bound (in use, not an address of this machine, no permission). */
  | 'LISTEN_FAILED'
  /** The built front-end (dashboard/dist) is missing or unreadable: run `npm run build:dashboard`. */
  | 'ASSETS_MISSING'
  /** A malformed argument handed to the module by its caller (not an HTTP client's input). */
  | 'ARGUMENT_INVALID';

/** The dashboard module's one error class. HTTP clients see `HttpError` codes instead (see server.ts). */
export class DashboardError extends ParaloomError<DashboardErrorCode> {}
