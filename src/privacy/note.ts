import { PrivacyError } from './errors.js';
import { type Field, toField } from './field.js';
import { type AnyWalletKey, depositSecrets, diversifiedKey, refundSecrets } from './keys.js';
import { hash3, hash4 } from './poseidon.js';

export const MAX_AMOUNT = (1n << 64n) - 1n;
/** Asset id of native SOL. */
export const NATIVE_ASSET = 0n as Field;

/**
 * A shielded note. Its owner is `pkD` = P2(ak, d) for one of the owner's diversifiers d; only the
 * holder of the sk behind ak can spend it (the circuit opens pk_d from sk and d).
 */
export interface Note {
  readonly amount: bigint;
  readonly pkD: Field;
  readonly blinding: Field;
  readonly asset: Field;
}

/** A note with the diversifier that opens its owner key: what a wallet keeps to spend it. */
export interface OpenedNote {
  readonly note: Note;
  readonly diversifier: Field;
}

export function checkAmount(amount: bigint): bigint {
  if (amount < 0n || amount > MAX_AMOUNT) {
    throw new PrivacyError('AMOUNT_OUT_OF_RANGE', 'amount must be a u64', { amount: amount.toString() });
  }
  return amount;
}

/** c = P4(amount, pk_d, blinding, asset). */
export function noteCommitment(note: Note): Field {
  return hash4(toField(checkAmount(note.amount)), note.pkD, note.blinding, note.asset);
}

/**
 * n = P3(c, leafIndex, P3(nk, c, leafIndex)). The leaf index enters the nullifier and fixes the
 * Merkle path directions in the circuit, and nk comes from the same sk as the note's owner key, so
 * one note has exactly one nullifier; a full viewing key (which holds nk) computes it too.
 */
export function noteNullifier(nk: Field, commitment: Field, leafIndex: number): Field {
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= 2 ** 32) {
    throw new PrivacyError('TREE_INDEX_OUT_OF_RANGE', 'leaf index must be a u32', { leafIndex });
  }
  const index = toField(BigInt(leafIndex));
  return hash3(commitment, index, hash3(nk, commitment, index));
}

/**
 * The note of the wallet's deposit number `index`: a fresh diversifier and blinding derived from
 * ivk, so a deposit instruction shows no long-term key, two deposits share nothing, and a restore
 * from the seed finds the deposit again by recomputing its commitment.
 */
export function depositNote(key: AnyWalletKey, index: number, amount: bigint, asset: Field): OpenedNote {
  const { diversifier, blinding } = depositSecrets(key.ivk, index);
  checkAmount(amount);
  return { note: { amount, pkD: diversifiedKey(key.ak, diversifier), blinding, asset }, diversifier };
}

/**
 * The refund note of the wallet's withdrawal number `index` (amount: the withdrawal's gross debit):
 * its owner key and blinding are derived like a deposit's, under their own labels, because the
 * withdrawal reveals both and the cohort computes the refund commitment from them.
 */
export function refundNote(key: AnyWalletKey, index: number, amount: bigint, asset: Field): OpenedNote {
  const { diversifier, blinding } = refundSecrets(key.ivk, index);
  checkAmount(amount);
  return { note: { amount, pkD: diversifiedKey(key.ak, diversifier), blinding, asset }, diversifier };
}
