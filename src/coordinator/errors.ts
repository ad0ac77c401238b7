import { ParaloomError } from '../common/index.js';

export type CoordinatorErrorCode =
  /** An anchor range that is empty, reversed, too long, or beyond this node's final blocks. */
  | 'ANCHOR_RANGE_INVALID'
  /** More withdrawals in one anchor range than an approval path can address (2^16). */
  | 'ANCHOR_RANGE_TOO_MANY_WITHDRAWALS'
  /** A signing request or answer that does not decode. */
  | 'MESSAGE_MALFORMED'
  /** A stored final block is missing below the tip. */
  | 'BLOCK_MISSING'
  /** A component used before start() or after stop(). */
  | 'INVALID_STATE';

export class CoordinatorError extends ParaloomError<CoordinatorErrorCode> {}
