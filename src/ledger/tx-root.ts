import { sha256 } from '../common/index.js';

const LEAF = Uint8Array.of(0);
const NODE = Uint8Array.of(1);

/**
 * Root over a block's transaction ids, RFC 6962 style: leaf = SHA-256(0x00 | id), node =
 * SHA-256(0x01 | left | right), split at the largest power of two below n, empty = SHA-256("").
 * The prefixes keep a node from passing for a leaf, and the split never duplicates an entry, so
 * two different id lists cannot share a root (unlike Bitcoin's odd-node duplication).
 */
export function transactionRoot(ids: readonly Uint8Array[]): Uint8Array {
  if (ids.length === 0) return sha256(new Uint8Array(0));
  return subtree(ids, 0, ids.length);
}

function subtree(ids: readonly Uint8Array[], from: number, to: number): Uint8Array {
  const n = to - from;
  if (n === 1) return sha256(LEAF, ids[from]!);
  let k = 1;
  while (k * 2 < n) k *= 2;
  return sha256(NODE, subtree(ids, from, from + k), subtree(ids, from + k, to));
}
