import { ParaloomError } from '../common/index.js';

export type HealthErrorCode =
  /** The health server cannot bind its host and port (in use, not permitted, no such address). */
  | 'LISTEN_FAILED'
  /** Two readiness checks registered under one name. */
  | 'CHECK_DUPLICATE';

export class HealthError extends ParaloomError<HealthErrorCode> {}
