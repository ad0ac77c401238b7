import { PrivacyError } from './errors.js';
import { type Field, toField } from './field.js';
import { hash3, hash4 } from './poseidon.js';

export const MAX_AMOUNT = (1n << 64n) - 1n;
/** Asset id of native SOL. */
export const NATIVE_ASSET = 0n as Field;

/** A shielded note. Its owner is `pk` = P1(sk); only the holder of sk can spend it. */
export interface Note {
  readonly amount: bigint;
  readonly pk: Field;
  readonly blinding: Field;
  readonly asset: Field;
}

export function checkAmount(amount: bigint): bigint {
  if (amount < 0n || amount > MAX_AMOUNT) {
    throw new PrivacyError('AMOUNT_OUT_OF_RANGE', 'amount must be a u64', { amount: amount.toString() });
  }
  return amount;
}

/** c = P4(amount, pk, blinding, asset). */
export function noteCommitment(note: Note): Field {
  return hash4(toField(checkAmount(note.amount)), note.pk, note.blinding, note.asset);
}

/**
 * n = P3(c, leafIndex, P3(sk, c, leafIndex)). The leaf index enters the nullifier and fixes the
 * Merkle path directions in the circuit, so one note has exactly one nullifier.
 */
export function noteNullifier(sk: Field, commitment: Field, leafIndex: number): Field {
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= 2 ** 32) {
    throw new PrivacyError('TREE_INDEX_OUT_OF_RANGE', 'leaf index must be a u32', { leafIndex });
  }
  const index = toField(BigInt(leafIndex));
  return hash3(commitment, index, hash3(sk, commitment, index));
}
