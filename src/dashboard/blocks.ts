/**
 * Block views for the explorer: what an outside observer can know about a final L2 block. A
 * shielded transaction's public part is its nullifiers and output commitments (and whether it
 * withdraws, which Solana shows anyway); amounts, recipient, relayer, fee and the note envelopes are
 * deliberately not read here, so no view can carry them.
 */
import { getAddressDecoder } from '@solana/kit';
import { bytesToHex } from '../common/index.js';
import { decodeCertificate } from '../consensus/index.js';
import { type Block, decodeBlock, isWithdrawal, refundEntriesOf } from '../ledger/index.js';
import type { BlockDetailView, BlockSummaryView, BlockTransactionView } from './views.js';

const addressDecoder = getAddressDecoder();

/** A Solana address (base58) from a 32-byte Ed25519 public key. */
export function addressOf(publicKey: Uint8Array): string {
  return addressDecoder.decode(publicKey);
}

/** A field element as 64 hex digits (its 32 big-endian bytes). */
export function fieldHex(value: bigint): string {
  return value.toString(16).padStart(64, '0');
}

export interface StoredBlockInput {
  readonly height: bigint;
  readonly hash: Uint8Array;
  readonly block: Uint8Array;
  readonly qc?: Uint8Array | undefined;
}

function signerKeys(
  qc: Uint8Array | undefined,
): { round: number; blockHash: string; signers: string[] } | null {
  if (!qc) return null;
  const c = decodeCertificate(qc);
  return {
    round: c.round,
    blockHash: bytesToHex(c.blockHash),
    signers: c.signatures.map((s) => addressOf(s.validator)),
  };
}

function summaryOf(input: StoredBlockInput, block: Block, signers: number): BlockSummaryView {
  const h = block.header;
  const withdrawals = block.transactions.filter((t) => isWithdrawal(t.tx)).length;
  return {
    height: input.height.toString(),
    hash: bytesToHex(input.hash),
    timestampMs: Number(h.timestampMs),
    round: h.round,
    leader: addressOf(h.leader),
    transactions: block.transactions.length,
    transfers: block.transactions.length - withdrawals,
    withdrawals,
    deposits: block.deposits.length,
    nullifiers: block.transactions.length * 2,
    // A refund appends its note like an output (docs/protocol.md, "Refunds").
    commitments: block.transactions.length * 2 + block.deposits.length + refundEntriesOf(block).length,
    leafCount: h.leafCount.toString(),
    signers,
  };
}

export function blockSummary(input: StoredBlockInput): BlockSummaryView {
  return decodedBlockSummary(input, decodeBlock(input.block));
}

/** The summary of a block already decoded (the ledger's block-final events carry it decoded). */
export function decodedBlockSummary(input: StoredBlockInput, block: Block): BlockSummaryView {
  const qc = signerKeys(input.qc);
  return summaryOf(input, block, qc?.signers.length ?? 0);
}

export function blockDetail(input: StoredBlockInput): BlockDetailView {
  const block = decodeBlock(input.block);
  const qc = signerKeys(input.qc);
  const h = block.header;
  const transactionList: BlockTransactionView[] = block.transactions.map((t) => ({
    id: t.idHex,
    kind: isWithdrawal(t.tx) ? 'withdrawal' : 'transfer',
    nullifiers: t.tx.statement.nullifiers.map(fieldHex),
    commitments: t.tx.statement.outputCommitments.map(fieldHex),
  }));
  return {
    ...summaryOf(input, block, qc?.signers.length ?? 0),
    previousHash: bytesToHex(h.previousHash),
    depositsConsumed: h.depositsConsumed.toString(),
    depositAccumulator: fieldHex(h.depositAccumulator),
    commitmentRoot: fieldHex(h.commitmentRoot),
    withdrawalsRoot: fieldHex(h.withdrawalsRoot),
    transactionRoot: bytesToHex(h.transactionRoot),
    depositCommitments: block.deposits.map(fieldHex),
    transactionList,
    qc,
  };
}
