import { bigintToBytesBE, bytesToBigintBE, i64ToBytesLE, sha256, u64ToBytesLE } from '../common/index.js';
import { PrivacyError, type PrivacyErrorContexts } from './errors.js';
import { type Field, fieldMod, isCanonical } from './field.js';
import { type Note, noteCommitment } from './note.js';

const U64_MAX = (1n << 64n) - 1n;
const I64_MIN = -(1n << 63n);
const I64_MAX = (1n << 63n) - 1n;

/**
 * Data a transaction binds without putting it in the circuit: where a withdrawal pays, the relayer's
 * fee, the deadline, and the two encrypted outputs. `extAmount` is 0 for a transfer and -gross for
 * a withdrawal (deposits happen on chain); the recipient receives gross - fee, the relayer fee.
 */
export interface ExtData {
  readonly recipient: Uint8Array;
  readonly relayer: Uint8Array;
  readonly fee: bigint;
  readonly extAmount: bigint;
  readonly expirationSlot: bigint;
  readonly encryptedOutput0: Uint8Array;
  readonly encryptedOutput1: Uint8Array;
  /**
   * A withdrawal's refund note opening: `refundOwner` is the owner key pk_d (of a fresh diversifier)
   * and `refundBlinding` the blinding of the note the cohort appends if the withdrawal expires
   * unsettled. The amount and asset are not here: the cohort takes them from the withdrawal itself
   * (refundNoteOf), so a refund can never be worth more than the withdrawal debited. Both absent (0 on
   * the wire) for a transfer, and for a withdrawal that asks for no refund.
   */
  readonly refundOwner?: Field;
  readonly refundBlinding?: Field;
  /** The refund note encrypted to its owner (a note envelope); absent (empty) without a refund. */
  readonly refundCiphertext?: Uint8Array;
}

function fail(message: string, context: PrivacyErrorContexts['EXT_DATA_INVALID']): never {
  throw new PrivacyError('EXT_DATA_INVALID', message, context);
}

export function validateExtData(ext: ExtData): void {
  if (ext.recipient.length !== 32) fail('recipient must be 32 bytes', { length: ext.recipient.length });
  if (ext.relayer.length !== 32) fail('relayer must be 32 bytes', { length: ext.relayer.length });
  if (ext.fee < 0n || ext.fee > U64_MAX) fail('fee must be a u64', { fee: ext.fee.toString() });
  if (ext.extAmount < I64_MIN + 1n || ext.extAmount > I64_MAX) {
    fail('ext_amount must fit an i64 (and its magnitude too)', { extAmount: ext.extAmount.toString() });
  }
  if (ext.extAmount > 0n)
    fail('ext_amount > 0: deposits are made on chain', { extAmount: ext.extAmount.toString() });
  if (ext.fee > -ext.extAmount) {
    fail('fee exceeds the withdrawn amount', {
      fee: ext.fee.toString(),
      extAmount: ext.extAmount.toString(),
    });
  }
  if (ext.expirationSlot < 0n || ext.expirationSlot > U64_MAX) {
    fail('expiration_slot must be a u64', { expirationSlot: ext.expirationSlot.toString() });
  }
  const refundCt = ext.refundCiphertext?.length ?? 0;
  const owner = ext.refundOwner ?? 0n;
  const blinding = ext.refundBlinding ?? 0n;
  if (!isCanonical(owner) || !isCanonical(blinding)) {
    fail('refund owner and blinding must be canonical field elements', { length: refundCt });
  }
  // pk_d = P2(ak, d) is never 0 in practice, so owner 0 means "no refund" on the wire, unambiguously.
  if ((owner === 0n) !== (refundCt === 0)) {
    fail('a refund owner and its ciphertext go together', { length: refundCt });
  }
  if (owner === 0n && blinding !== 0n) fail('a refund blinding without a refund owner', { length: refundCt });
  if (owner !== 0n && ext.extAmount === 0n) fail('a transfer carries no refund', { length: refundCt });
}

/**
 * The refund note a withdrawal's ext data opens: the amount is the withdrawal's gross debit
 * (-ext_amount, fee included: exactly what left the pool) and the asset the withdrawal's own, never
 * taken from the transaction's refund fields; undefined without a refund (or for a transfer).
 */
export function refundNoteOf(ext: ExtData, asset: Field): Note | undefined {
  if (ext.extAmount >= 0n || ext.refundOwner === undefined || ext.refundOwner === 0n) return undefined;
  return {
    amount: -ext.extAmount,
    pkD: ext.refundOwner,
    blinding: ext.refundBlinding ?? (0n as Field),
    asset,
  };
}

/** The refund commitment P4(-ext_amount, refund_owner, refund_blinding, asset), or undefined. */
export function refundCommitmentOf(ext: ExtData, asset: Field): Field | undefined {
  const note = refundNoteOf(ext, asset);
  return note ? noteCommitment(note) : undefined;
}

/**
 * outputs_digest: one 32-byte commitment to everything the ext data binds that the program never reads
 * (the encrypted outputs and the refund note's opening), so the withdraw instruction carries 32 bytes
 * for all of it: SHA-256(SHA-256(ciphertext0) | SHA-256(ciphertext1) | refund_owner 32 BE |
 * refund_blinding 32 BE | SHA-256(refund_ciphertext)), with owner and blinding 0 and refund_ciphertext
 * empty when there is no refund (transfers). The program takes the digest as given.
 */
export function computeOutputsDigest(ext: ExtData): Uint8Array {
  return sha256(
    sha256(ext.encryptedOutput0),
    sha256(ext.encryptedOutput1),
    bigintToBytesBE(ext.refundOwner ?? 0n, 32),
    bigintToBytesBE(ext.refundBlinding ?? 0n, 32),
    sha256(ext.refundCiphertext ?? new Uint8Array()),
  );
}

/**
 * ext_data_hash = SHA-256(recipient 32 | relayer 32 | fee u64 LE | ext_amount i64 LE |
 * expiration_slot u64 LE | outputs_digest 32), read big-endian, mod p. The program recomputes it from
 * withdraw's arguments and accounts.
 */
export function computeExtDataHash(ext: ExtData): Field {
  validateExtData(ext);
  const digest = sha256(
    ext.recipient,
    ext.relayer,
    u64ToBytesLE(ext.fee),
    i64ToBytesLE(ext.extAmount),
    u64ToBytesLE(ext.expirationSlot),
    computeOutputsDigest(ext),
  );
  return fieldMod(bytesToBigintBE(digest));
}

/** public_amount = ext_amount mod p (a withdrawal of x is p - x). */
export function publicAmountFromExt(extAmount: bigint): Field {
  if (extAmount < I64_MIN + 1n || extAmount > I64_MAX) {
    fail('ext_amount must fit an i64', { extAmount: extAmount.toString() });
  }
  return fieldMod(extAmount);
}
