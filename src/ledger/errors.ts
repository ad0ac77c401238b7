import { defineErrorClass, type ModuleError, type NoContext } from '../common/index.js';

/**
 * Where a decode failed: `offset` into the input, and what the failing check saw (bytes needed,
 * trailing bytes, an unknown version, tag or section kind, an entry count or size out of range).
 */
export type MalformedContext = {
  offset?: number;
  length?: number;
  need?: number;
  trailing?: number;
  version?: number;
  tag?: number;
  depositCount?: number;
  txCount?: number;
  count?: number;
  kind?: number;
  n?: number;
  entry?: number;
  len?: number;
  size?: number;
};

/** The context each code carries, as its throw sites attach it. */
export interface LedgerErrorContexts {
  /** Input longer than its cap; refused before anything was allocated for it. */
  TX_OVERSIZE: { length: number };
  /** Wrong length, unknown version or tag, or trailing bytes. */
  TX_MALFORMED: MalformedContext;
  /** A 32-byte value that stands for a field element is >= p. */
  FIELD_NOT_CANONICAL: { field: string };
  /** Ext data breaks a rule of the circuit's statement (fee, amounts, sizes). */
  EXT_DATA_INVALID: { length?: number; fee?: string; extAmount?: string; expirationSlot?: string };
  /** A block (or its sections) larger than its cap, or with too many entries. */
  BLOCK_OVERSIZE: {
    size?: number;
    count?: number;
    deposits?: number;
    transactions?: number;
    length?: number;
  };
  /** Block bytes that do not decode (truncated, unknown version, counts, trailing bytes). */
  BLOCK_MALFORMED: MalformedContext;
  /** A block that does not re-execute to its header (commit of such a block is a safety failure). */
  BLOCK_INVALID: { height?: string };
  /** commit/buildProposal at a height or previous hash that does not follow the local tip. */
  STATE_MISMATCH: { height: string; tip?: string };
  /** Deposits handed over out of queue order or not chaining to the accumulator. */
  DEPOSIT_OUT_OF_ORDER: { expected?: string; got?: string; index?: string };
  /** More unconsumed deposits than the ledger holds. */
  DEPOSIT_QUEUE_FULL: { capacity: number };
  /** The refund chain (this node's RPC) did not answer within refundReadTimeoutMs. */
  REFUND_READ_TIMEOUT: { ms: number };
  /** The ledger is used after it was closed. */
  LEDGER_CLOSED: NoContext;
  /** Bad argument to a ledger API (section kind or size, round, hash length). */
  ARGUMENT_INVALID: { kind?: number; entries?: number; round?: number; length?: number };
}

export type LedgerErrorCode = keyof LedgerErrorContexts;

export const LedgerError = defineErrorClass<LedgerErrorContexts>('LedgerError');
export type LedgerError<C extends LedgerErrorCode = LedgerErrorCode> = ModuleError<LedgerErrorContexts, C>;
