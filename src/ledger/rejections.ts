import { LedgerError } from './errors.js';

/** Why a transaction was not admitted to the mempool, or why a proposal was refused. */
export const REJECT_REASONS = [
  'OVERSIZE',
  'MALFORMED',
  'NON_CANONICAL',
  'EXT_DATA_INVALID',
  'DUPLICATE',
  'UNKNOWN_ROOT',
  'ROOT_NOT_ANCHORED',
  'NULLIFIER_SPENT',
  'NULLIFIER_CONFLICT',
  'EXPIRED',
  'BAD_PROOF',
  'MEMPOOL_FULL',
  'VERIFIER_FAILED',
  // Admission only (never a block rule): checked against this node's own chain view.
  'RELAYER_NOT_REGISTERED',
  'FEE_BELOW_FLOOR',
] as const;
export type RejectReason = (typeof REJECT_REASONS)[number];

/** Reasons only a block can have. */
export const BLOCK_REFUSALS = [
  'WRONG_HEIGHT',
  'WRONG_ROUND',
  'WRONG_PREVIOUS',
  'WRONG_LEADER',
  'BAD_TIMESTAMP',
  'DEPOSIT_MISMATCH',
  'DEPOSIT_UNKNOWN',
  'ACCUMULATOR_MISMATCH',
  'NULLIFIER_ACCUMULATOR_MISMATCH',
  'TOO_MANY',
  'TRANSACTION_ROOT_MISMATCH',
  'COMMITMENT_ROOT_MISMATCH',
  'LEAF_COUNT_MISMATCH',
  'WITHDRAWALS_ROOT_MISMATCH',
  'SECTIONS_ROOT_MISMATCH',
  'SECTION_INVALID',
  'REFUND_INVALID',
] as const;
export type BlockRefusalCode = RejectReason | (typeof BLOCK_REFUSALS)[number];

export class Refusal<Code extends string> {
  constructor(
    readonly code: Code,
    readonly detail: string,
  ) {}

  toString(): string {
    return `${this.code}: ${this.detail}`;
  }
}

/** Maps a decoder's LedgerError to the rejection reason it stands for. */
export function reasonOfDecodeError(err: unknown): RejectReason | undefined {
  if (!(err instanceof LedgerError)) return undefined;
  switch (err.code) {
    case 'TX_OVERSIZE':
    case 'BLOCK_OVERSIZE':
      return 'OVERSIZE';
    case 'TX_MALFORMED':
    case 'BLOCK_MALFORMED':
      return 'MALFORMED';
    case 'FIELD_NOT_CANONICAL':
      return 'NON_CANONICAL';
    case 'EXT_DATA_INVALID':
      return 'EXT_DATA_INVALID';
    default:
      return undefined;
  }
}
