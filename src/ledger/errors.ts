import { ParaloomError } from '../common/index.js';

export type LedgerErrorCode =
  /** Input longer than its cap; refused before anything was allocated for it. */
  | 'TX_OVERSIZE'
  /** Wrong length, unknown version or tag, or trailing bytes. */
  | 'TX_MALFORMED'
  /** A 32-byte value that stands for a field element is >= p. */
  | 'FIELD_NOT_CANONICAL'
  /** Ext data breaks a rule of the circuit's statement (fee, amounts, sizes). */
  | 'EXT_DATA_INVALID'
  | 'BLOCK_OVERSIZE'
  | 'BLOCK_MALFORMED'
  /** A block that does not re-execute to its header (commit of such a block is a safety failure). */
  | 'BLOCK_INVALID'
  /** commit/buildProposal at a height or previous hash that does not follow the local tip. */
  | 'STATE_MISMATCH'
  /** Deposits handed over out of queue order or not chaining to the accumulator. */
  | 'DEPOSIT_OUT_OF_ORDER'
  | 'DEPOSIT_QUEUE_FULL'
  | 'LEDGER_CLOSED'
  | 'ARGUMENT_INVALID';

export class LedgerError extends ParaloomError<LedgerErrorCode> {}
