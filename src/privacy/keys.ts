import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToBigintBE, concatBytes } from '../common/index.js';
import { PrivacyError } from './errors.js';
import { type Field, fieldMod } from './field.js';
import { hash1, hash2 } from './poseidon.js';

// Key scheme v2 (docs/protocol.md §Keys). Every secret comes from the 64-byte BIP39 seed through
// HKDF-SHA256 with salt "paraloom/v2" and one info label per key; field elements are 64 output
// bytes read big-endian and reduced mod r, so their bias (< 2^-250) is negligible.

export const SEED_BYTES = 64;
const SALT = utf8('paraloom/v2');
const INFO_SK = utf8('paraloom/v2/sk');
const INFO_IVK = utf8('paraloom/v2/ivk');
const INFO_ADDRESS_D = utf8('paraloom/v2/address-d');
const INFO_DEPOSIT_D = utf8('paraloom/v2/deposit-d');
const INFO_DEPOSIT_BLINDING = utf8('paraloom/v2/deposit-blinding');
const INFO_REFUND_D = utf8('paraloom/v2/refund-d');
const INFO_REFUND_BLINDING = utf8('paraloom/v2/refund-blinding');

/** SHA-256("paraloom/nk") mod r: separates nk = P2(sk, NK_TAG) from every other P2 of sk. */
export const NK_TAG: Field = fieldMod(bytesToBigintBE(sha256(utf8('paraloom/nk'))));

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function u32BE(i: number): Uint8Array {
  if (!Number.isSafeInteger(i) || i < 0 || i > 0xffff_ffff) {
    throw new PrivacyError('KEY_INDEX_OUT_OF_RANGE', 'a key index must be a u32', { index: i });
  }
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, i, false);
  return out;
}

function hkdfField(ikm: Uint8Array, info: Uint8Array): Field {
  return fieldMod(bytesToBigintBE(hkdf(sha256, ikm, SALT, info, 64)));
}

/** What a sender needs to pay someone: the diversifier, the owner key it gives, the encryption key. */
export interface ShieldedAddress {
  readonly diversifier: Field;
  /** pk_d = P2(ak, d): the owner field of every note paid to this address. */
  readonly pkD: Field;
  /** X25519 public key of the recipient's ivk: envelopes to this address open with it. */
  readonly encryptionKey: Uint8Array;
}

/**
 * Sees the notes paid to the wallet: `ivk` opens envelopes, `ak` proves that a note's owner key
 * P2(ak, d) is the wallet's (without it a forged envelope would pass for a payment). No nullifiers.
 */
export interface IncomingViewingKey {
  readonly ak: Field;
  /** X25519 secret (32 bytes). */
  readonly ivk: Uint8Array;
  readonly encryptionKey: Uint8Array;
}

/** Also computes nullifiers, so it sees spends and the exact balance; it cannot spend (no sk). */
export interface FullViewingKey extends IncomingViewingKey {
  readonly nk: Field;
}

/** Every key of a wallet, as derived from its seed. Only this type holds `sk`, so only it spends. */
export interface WalletKeys extends FullViewingKey {
  readonly sk: Field;
  /** Default diversifier: the wallet's address is (d0, P2(ak, d0), encryptionKey). */
  readonly d0: Field;
  readonly pkD0: Field;
  readonly address: ShieldedAddress;
}

export type AnyWalletKey = WalletKeys | FullViewingKey | IncomingViewingKey;

/** The type tells what a key can do; this narrows at run time (a loaded view-only wallet). */
export function canSpend(key: AnyWalletKey): key is WalletKeys {
  return 'sk' in key;
}

export function seesSpends(key: AnyWalletKey): key is FullViewingKey {
  return 'nk' in key;
}

/** ak = P1(sk). */
export function authorizingKey(sk: Field): Field {
  return hash1(sk);
}

/** nk = P2(sk, NK_TAG). */
export function nullifierKey(sk: Field): Field {
  return hash2(sk, NK_TAG);
}

/** pk_d = P2(ak, d). */
export function diversifiedKey(ak: Field, diversifier: Field): Field {
  return hash2(ak, diversifier);
}

/** Diversifier of the wallet's address number `index` (0 is the default address). */
export function addressDiversifier(ivk: Uint8Array, index: number): Field {
  return hkdfField(ivk, concatBytes(INFO_ADDRESS_D, u32BE(index)));
}

/** d_i and blinding_i of the wallet's deposit number `index`: a restore recomputes them. */
export function depositSecrets(ivk: Uint8Array, index: number): { diversifier: Field; blinding: Field } {
  const i = u32BE(index);
  return {
    diversifier: hkdfField(ivk, concatBytes(INFO_DEPOSIT_D, i)),
    blinding: hkdfField(ivk, concatBytes(INFO_DEPOSIT_BLINDING, i)),
  };
}

/**
 * d_r,i and blinding_r,i of the refund note of the wallet's withdrawal number `index`: a withdrawal
 * reveals the refund note's opening (pk_d of d_r,i, blinding_r,i), which links to no other key, and a
 * restore recognises its refunds by recomputing them.
 */
export function refundSecrets(ivk: Uint8Array, index: number): { diversifier: Field; blinding: Field } {
  const i = u32BE(index);
  return {
    diversifier: hkdfField(ivk, concatBytes(INFO_REFUND_D, i)),
    blinding: hkdfField(ivk, concatBytes(INFO_REFUND_BLINDING, i)),
  };
}

/** The address of a viewing key (or wallet) for diversifier `d`. */
export function addressFor(key: AnyWalletKey, diversifier: Field): ShieldedAddress {
  return { diversifier, pkD: diversifiedKey(key.ak, diversifier), encryptionKey: key.encryptionKey };
}

/** The default address (diversifier d0), as a view-only wallet shows it too. */
export function defaultAddress(key: AnyWalletKey): ShieldedAddress {
  return addressFor(key, addressDiversifier(key.ivk, 0));
}

export function checkIvk(ivk: Uint8Array): Uint8Array {
  if (ivk.length !== 32) {
    throw new PrivacyError('VIEWING_KEY_INVALID', 'an incoming viewing key is 32 bytes', {
      length: ivk.length,
    });
  }
  return ivk;
}

export function deriveWalletKeys(seed: Uint8Array): WalletKeys {
  if (seed.length !== SEED_BYTES) {
    throw new PrivacyError('SEED_INVALID', `a wallet seed is ${SEED_BYTES} bytes (BIP39)`, {
      length: seed.length,
    });
  }
  const sk = hkdfField(seed, INFO_SK);
  const ak = authorizingKey(sk);
  const nk = nullifierKey(sk);
  const ivk = hkdf(sha256, seed, SALT, INFO_IVK, 32);
  const encryptionKey = x25519.getPublicKey(ivk);
  const d0 = addressDiversifier(ivk, 0);
  const pkD0 = diversifiedKey(ak, d0);
  return { sk, ak, nk, ivk, encryptionKey, d0, pkD0, address: { diversifier: d0, pkD: pkD0, encryptionKey } };
}

/** Keys of a fresh random seed: tests, dummy inputs and throw-away wallets. */
export function generateWalletKeys(): WalletKeys {
  return deriveWalletKeys(crypto.getRandomValues(new Uint8Array(SEED_BYTES)));
}

export function fullViewingKey(keys: FullViewingKey): FullViewingKey {
  return { ak: keys.ak, nk: keys.nk, ivk: keys.ivk, encryptionKey: keys.encryptionKey };
}

export function incomingViewingKey(keys: IncomingViewingKey): IncomingViewingKey {
  return { ak: keys.ak, ivk: keys.ivk, encryptionKey: keys.encryptionKey };
}
