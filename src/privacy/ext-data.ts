import { bytesToBigintBE, i64ToBytesLE, sha256, u64ToBytesLE } from '../common/index.js';
import { PrivacyError, type PrivacyErrorContexts } from './errors.js';
import { type Field, fieldMod } from './field.js';

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
}

/**
 * outputs_digest: one 32-byte commitment to everything the ext data binds that the program never reads
 * (the encrypted outputs), so the withdraw instruction carries 32 bytes for all of it. Today
 * SHA-256(SHA-256(ciphertext0) | SHA-256(ciphertext1)). Whatever else the L2 binds off chain extends
 * this one function; the program takes the digest as given.
 */
export function computeOutputsDigest(ext: ExtData): Uint8Array {
  return sha256(sha256(ext.encryptedOutput0), sha256(ext.encryptedOutput1));
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
