import { type ByteReader, bytesToHex, sha256 } from '../common/index.js';
import type { Field } from '../privacy/index.js';
import { ledgerReader, ledgerWriter, readField } from './codec.js';
import { LedgerError } from './errors.js';
import {
  type BlockSection,
  MAX_SECTIONS_BYTES,
  readSections,
  sectionsSize,
  writeSections,
} from './sections.js';
import { type DecodedTransaction, decodeTransaction, TX_BYTES, transactionId } from './transaction.js';

/** 3: the header commits to the nullifier set (nullifierCount, nullifierAccumulator) for snapshots. */
export const BLOCK_VERSION = 3;
export const BLOCK_HEADER_BYTES = 1 + 8 + 4 + 32 + 32 + 8 + 32 + 32 + 8 + 8 + 32 + 32 + 32 + 32 + 8;
/** Codec caps; a node's per-block limits (LedgerApp options) are at most these. */
export const MAX_BLOCK_DEPOSITS = 1024;
/**
 * 760 transactions of TX_BYTES (933: v2 envelopes of 153 bytes and the refund opening) keep the largest
 * block under 1 MiB.
 */
export const MAX_BLOCK_TRANSACTIONS = 760;
/** Largest valid block (1,045,262 bytes, under the network's 1 MiB proposal cap). */
export const MAX_L2_BLOCK_BYTES =
  BLOCK_HEADER_BYTES +
  4 +
  MAX_BLOCK_DEPOSITS * 32 +
  4 +
  MAX_BLOCK_TRANSACTIONS * TX_BYTES +
  1 +
  MAX_SECTIONS_BYTES;

const BLOCK_HASH_DOMAIN = new TextEncoder().encode('paraloom/v1/block');

export interface BlockHeader {
  readonly height: bigint;
  /** Round in which this block was first proposed (a re-proposal in a later round keeps it). */
  readonly round: number;
  /** Hash of the block at height - 1; 32 zero bytes for height 1. */
  readonly previousHash: Uint8Array;
  /** Ed25519 public key of the proposer. */
  readonly leader: Uint8Array;
  /** Deposits consumed from the on-chain queue after this block (= index of the next one). */
  readonly depositsConsumed: bigint;
  /** Accumulator after the last consumed deposit: acc_i = P2(acc_{i-1}, c_i), acc_0 = 0. */
  readonly depositAccumulator: Field;
  /** Commitment tree root and leaf count after this block. */
  readonly commitmentRoot: Field;
  readonly leafCount: bigint;
  /**
   * Nullifier set after this block: how many entries (spent nullifiers and refund tags) and the
   * SHA-256 chain over them in the order blocks added them (src/ledger/nullifier-accumulator.ts).
   * A snapshot's nullifier list is checked against these two (src/snapshot).
   */
  readonly nullifierCount: bigint;
  readonly nullifierAccumulator: Uint8Array;
  /** WithdrawalsTree root over this block's withdrawals in block order (0 if none). */
  readonly withdrawalsRoot: Field;
  /** transactionRoot over the ids of this block's transactions. */
  readonly transactionRoot: Uint8Array;
  /** sectionsRoot over the block's sections (src/ledger/sections.ts). */
  readonly sectionsRoot: Uint8Array;
  /** Proposer's clock, Unix milliseconds; never below the previous block's. */
  readonly timestampMs: bigint;
}

export interface Block {
  readonly header: BlockHeader;
  /** Commitments of the deposits consumed, in queue order: indexes consumed - n .. consumed - 1. */
  readonly deposits: readonly Field[];
  readonly transactions: readonly DecodedTransaction[];
  /** Other modules' entries (validator-set updates, compute), kinds increasing. */
  readonly sections: readonly BlockSection[];
}

export function encodeBlockHeader(h: BlockHeader): Uint8Array {
  check32(h.previousHash, 'previous hash');
  check32(h.leader, 'leader');
  check32(h.transactionRoot, 'transaction root');
  check32(h.sectionsRoot, 'sections root');
  check32(h.nullifierAccumulator, 'nullifier accumulator');
  if (!Number.isInteger(h.round) || h.round < 0 || h.round > 0xffffffff) {
    throw new LedgerError('ARGUMENT_INVALID', 'round must be a u32', { round: h.round });
  }
  return ledgerWriter(BLOCK_HEADER_BYTES, 'block header')
    .u8(BLOCK_VERSION)
    .u64(h.height, 'height')
    .u32(h.round, 'round')
    .raw(h.previousHash)
    .raw(h.leader)
    .u64(h.depositsConsumed, 'deposits consumed')
    .u256(h.depositAccumulator, 'deposit accumulator')
    .u256(h.commitmentRoot, 'commitment root')
    .u64(h.leafCount, 'leaf count')
    .u64(h.nullifierCount, 'nullifier count')
    .raw(h.nullifierAccumulator)
    .u256(h.withdrawalsRoot, 'withdrawals root')
    .raw(h.transactionRoot)
    .raw(h.sectionsRoot)
    .u64(h.timestampMs, 'timestamp')
    .finish();
}

export function encodeBlock(block: Block): Uint8Array {
  if (block.deposits.length > MAX_BLOCK_DEPOSITS || block.transactions.length > MAX_BLOCK_TRANSACTIONS) {
    throw new LedgerError('BLOCK_OVERSIZE', 'too many deposits or transactions for one block', {
      deposits: block.deposits.length,
      transactions: block.transactions.length,
    });
  }
  const w = ledgerWriter(
    BLOCK_HEADER_BYTES +
      8 +
      block.deposits.length * 32 +
      block.transactions.length * TX_BYTES +
      sectionsSize(block.sections),
    'block',
  );
  w.raw(encodeBlockHeader(block.header)).u32(block.deposits.length);
  for (const c of block.deposits) w.u256(c, 'deposit');
  w.u32(block.transactions.length);
  for (const t of block.transactions) w.raw(t.bytes);
  writeSections(w, block.sections);
  return w.finish();
}

/**
 * SHA-256(domain | header). The header binds the body: transactions by their root, deposits by the
 * accumulator, sections by their root.
 */
export function blockHash(header: BlockHeader): Uint8Array {
  return sha256(BLOCK_HASH_DOMAIN, encodeBlockHeader(header));
}

export function decodeBlockHeader(r: ByteReader): BlockHeader {
  const version = r.u8('version');
  if (version !== BLOCK_VERSION) r.fail('invalid', 'unknown block version', 'version', { value: version });
  return {
    height: r.u64('height'),
    round: r.u32('round'),
    previousHash: r.bytes(32, 'previous hash'),
    leader: r.bytes(32, 'leader'),
    depositsConsumed: r.u64('deposits consumed'),
    depositAccumulator: readField(r, 'deposit accumulator'),
    commitmentRoot: readField(r, 'commitment root'),
    leafCount: r.u64('leaf count'),
    nullifierCount: r.u64('nullifier count'),
    nullifierAccumulator: r.bytes(32, 'nullifier accumulator'),
    withdrawalsRoot: readField(r, 'withdrawals root'),
    transactionRoot: r.bytes(32, 'transaction root'),
    sectionsRoot: r.bytes(32, 'sections root'),
    timestampMs: r.u64('timestamp'),
  };
}

/** A transaction this node already decoded (its mempool's), by hex id; undefined if unknown. */
export type KnownTransaction = (idHex: string) => DecodedTransaction | undefined;

/** The header of an encoded block, without reading its body (which may not even be well formed). */
export function decodeBlockHeaderOf(bytes: Uint8Array): BlockHeader {
  checkBlockSize(bytes);
  return decodeBlockHeader(ledgerReader(bytes, 'block', 'BLOCK_MALFORMED'));
}

/**
 * Decodes with every count checked against its cap and the bytes remaining before anything is
 * allocated for it; each transaction goes through the transaction decoder (canonical fields).
 * A transaction `known` returns for its id is taken as is: the id is a hash of its bytes, so it
 * names the very bytes the decoder already accepted once (a proposal's transactions are mostly
 * in every voter's mempool, and decoding them again cost more than hashing them).
 */
export function decodeBlock(bytes: Uint8Array, known?: KnownTransaction): Block {
  checkBlockSize(bytes);
  const r = ledgerReader(bytes, 'block', 'BLOCK_MALFORMED');
  const header = decodeBlockHeader(r);
  const depositCount = r.count(r.u32('deposit count'), MAX_BLOCK_DEPOSITS, 32, 'deposits');
  const deposits: Field[] = [];
  for (let i = 0; i < depositCount; i++) deposits.push(readField(r, 'deposit'));
  // Each transaction is TX_BYTES, and the sections' count byte follows them.
  const txCount = r.count(r.u32('transaction count'), MAX_BLOCK_TRANSACTIONS, TX_BYTES, 'transactions');
  if (txCount * TX_BYTES === r.remaining) {
    r.fail('truncated', 'block: transactions leave no room for the sections', 'transactions', {
      count: txCount,
    });
  }
  const transactions: DecodedTransaction[] = [];
  for (let i = 0; i < txCount; i++) {
    const raw = r.view(TX_BYTES, 'transaction');
    transactions.push(known?.(bytesToHex(transactionId(raw))) ?? decodeTransaction(raw));
  }
  const sections = readSections(r);
  r.end();
  return { header, deposits, transactions, sections };
}

function checkBlockSize(bytes: Uint8Array): void {
  if (bytes.length > MAX_L2_BLOCK_BYTES) {
    throw new LedgerError('BLOCK_OVERSIZE', `block is larger than ${MAX_L2_BLOCK_BYTES} bytes`, {
      length: bytes.length,
    });
  }
}

function check32(b: Uint8Array, what: string): void {
  if (b.length !== 32)
    throw new LedgerError('ARGUMENT_INVALID', `${what} must be 32 bytes`, { length: b.length });
}
