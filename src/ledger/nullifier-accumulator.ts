import { sha256 } from '../common/index.js';
import type { Field } from '../privacy/index.js';
import { ledgerWriter } from './codec.js';

const DOMAIN = new TextEncoder().encode('paraloom/v1/nullifiers');

/** Accumulator of the empty nullifier set (before block 1). */
export const NULLIFIER_ACCUMULATOR_ZERO: Uint8Array = new Uint8Array(32);

/**
 * acc_i = SHA-256("paraloom/v1/nullifiers" | acc_{i-1} | n_i as 32 bytes LE), over the nullifier set
 * in the order blocks added it (each block: spent nullifiers in transaction order, then its refund
 * tags). SHA-256, not Poseidon: nothing proves it in a circuit, and a joiner recomputes it over the
 * whole set. A chain, not a set hash, because blocks only ever append and a chain has no algebra
 * to attack; the price is that a snapshot must list the set in that order.
 */
export function nextNullifierAccumulator(acc: Uint8Array, nullifiers: readonly Field[]): Uint8Array {
  let out = acc;
  for (const n of nullifiers) {
    out = sha256(DOMAIN, out, ledgerWriter(32, 'nullifier').u256(n, 'nullifier').finish());
  }
  return out;
}
