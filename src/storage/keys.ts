/**
 * Key layout of the single RocksDB keyspace: one prefix byte per store, then the store's key.
 * Numeric key parts are big-endian so that RocksDB's bytewise order is numeric order.
 * docs/protocol.md "Storage layout" lists every prefix; keep the two in step.
 */
import { StorageError } from './errors.js';

export const Prefix = {
  /** Key-value metadata: utf-8 name. Holds the schema version. */
  META: 0x00,
  /** Tree node: level u8, index u32 BE. */
  TREE_NODE: 0x10,
  /** Tree state (leaf count, root history): no further key bytes. */
  TREE_STATE: 0x11,
  /**
   * Spend-root window: a root the tree held after a block inside the time window, 32-byte field
   * element LE; value the last block that left it as the root (height u64 LE, timestamp ms u64 LE).
   */
  SPEND_ROOT: 0x12,
  /** Nullifier: 32-byte field element, little-endian (its canonical wire form). */
  NULLIFIER: 0x20,
  /**
   * Nullifier in the order blocks added it: block height u64 BE, position in the block u32 BE; value
   * the nullifier (32 bytes LE). What a snapshot lists, in the header accumulator's order.
   */
  NULLIFIER_ORDER: 0x21,
  /** Block by height: u64 BE. */
  BLOCK: 0x30,
  /** Block height by hash: 32-byte hash. */
  BLOCK_HASH: 0x31,
  /** Quorum certificate by height: u64 BE. */
  QC: 0x32,
  /**
   * Block held below a snapshot height (not part of the contiguous chain above): height u64 BE.
   * Bodies a snapshot-joined node needs to check refunds of withdrawals finalized before it joined.
   */
  HELD_BLOCK: 0x33,
  /** Deposit cursor: no further key bytes. */
  DEPOSIT_CURSOR: 0x40,
  /** Compute job queue: sequence u64 BE. */
  COMPUTE_QUEUE: 0x50,
  /** Compute job record: 32-byte job id. */
  COMPUTE_JOB: 0x51,
  /** Compute result: 32-byte job id. */
  COMPUTE_RESULT: 0x52,
  /** Compute audit log: sequence u64 BE. */
  COMPUTE_AUDIT: 0x53,
  /** Compute job's chain state (assignment, attempt, recorded results): 32-byte job id. */
  COMPUTE_CHAIN: 0x54,
  /** Ownership tags that backed an admitted job: scope [32] | tag [32] (value empty). */
  COMPUTE_TAG: 0x55,
  /** Agreed fault count of an executor: 32-byte Ed25519 key. */
  COMPUTE_FAULTS: 0x56,
  /** Last block height the compute extensions applied: no further key bytes. */
  COMPUTE_APPLIED: 0x57,
} as const;

export const U64_MAX = (1n << 64n) - 1n;

export function u32BE(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffff_ffff) {
    throw new StorageError('INVALID_ARGUMENT', 'not a u32', { value });
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

export function u64BE(value: bigint): Uint8Array {
  if (value < 0n || value > U64_MAX)
    throw new StorageError('INVALID_ARGUMENT', 'not a u64', { value: `${value}` });
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, false);
  return out;
}

export function readU64BE(bytes: Uint8Array, offset: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset, false);
}

export function key(prefix: number, ...parts: Uint8Array[]): Buffer {
  let total = 1;
  for (const p of parts) total += p.length;
  const out = Buffer.allocUnsafe(total);
  out[0] = prefix;
  let offset = 1;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** [prefix] .. [prefix + 1): every key of one store. */
export function prefixRange(prefix: number): { gte: Buffer; lt: Buffer } {
  return { gte: Buffer.from([prefix]), lt: Buffer.from([prefix + 1]) };
}

export function metaKey(name: string): Buffer {
  return key(Prefix.META, new TextEncoder().encode(name));
}

export function treeNodeKey(level: number, index: number): Buffer {
  if (!Number.isInteger(level) || level < 0 || level > 32) {
    throw new StorageError('INVALID_ARGUMENT', 'tree level out of range', { level });
  }
  return key(Prefix.TREE_NODE, Uint8Array.of(level), u32BE(index));
}

export function checkBytes32(value: Uint8Array, what: string): void {
  if (!(value instanceof Uint8Array) || value.length !== 32) {
    throw new StorageError('INVALID_ARGUMENT', `${what} must be 32 bytes`, { length: value?.length });
  }
}
