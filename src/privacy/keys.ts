import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bech32m } from '@scure/base';
import { concatBytes } from '../common/index.js';
import { PrivacyError } from './errors.js';
import { type Field, fieldFromBytesLE, fieldToBytesLE, randomField } from './field.js';
import { hash1 } from './poseidon.js';

const ENCRYPTION_KEY_DOMAIN = new TextEncoder().encode('paraloom/v1/note-encryption-key');
export const ADDRESS_VERSION = 1;
export const ADDRESS_PREFIX = 'plm';
const ADDRESS_MAX_LENGTH = 200;

/** What a sender needs to pay someone: the owner key and the note-encryption key. */
export interface ShieldedAddress {
  readonly pk: Field;
  readonly encryptionKey: Uint8Array;
}

/** A spending key and everything derived from it. */
export interface SpendingKeys {
  readonly sk: Field;
  /** pk = P1(sk): notes are owned by pk. */
  readonly pk: Field;
  /** X25519 secret = SHA-256(domain || sk LE); never used for anything but note decryption. */
  readonly encryptionSecret: Uint8Array;
  readonly encryptionKey: Uint8Array;
  readonly address: ShieldedAddress;
}

export function deriveKeys(sk: Field): SpendingKeys {
  const pk = hash1(sk);
  const encryptionSecret = sha256(concatBytes(ENCRYPTION_KEY_DOMAIN, fieldToBytesLE(sk)));
  const encryptionKey = x25519.getPublicKey(encryptionSecret);
  return { sk, pk, encryptionSecret, encryptionKey, address: { pk, encryptionKey } };
}

export function generateSpendingKeys(): SpendingKeys {
  return deriveKeys(randomField());
}

/**
 * bech32m (BIP-350) with prefix `plm`: version byte || pk (32, LE) || encryption key (32). The
 * checksum catches any typo of up to four characters.
 */
export function encodeAddress(address: ShieldedAddress): string {
  if (address.encryptionKey.length !== 32) {
    throw new PrivacyError('ADDRESS_INVALID', 'encryption key must be 32 bytes');
  }
  const payload = concatBytes(
    Uint8Array.of(ADDRESS_VERSION),
    fieldToBytesLE(address.pk),
    address.encryptionKey,
  );
  return bech32m.encode(ADDRESS_PREFIX, bech32m.toWords(payload), ADDRESS_MAX_LENGTH);
}

export function decodeAddress(text: string): ShieldedAddress {
  let decoded: { prefix: string; words: number[] };
  try {
    decoded = bech32m.decode(text as `${string}1${string}`, ADDRESS_MAX_LENGTH);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const code = /checksum/i.test(message) ? 'ADDRESS_CHECKSUM' : 'ADDRESS_INVALID';
    throw new PrivacyError(code, `not a valid shielded address: ${message}`, { address: text.slice(0, 20) });
  }
  if (decoded.prefix !== ADDRESS_PREFIX) {
    throw new PrivacyError('ADDRESS_INVALID', `address prefix must be ${ADDRESS_PREFIX}`, {
      prefix: decoded.prefix,
    });
  }
  const payload = bech32m.fromWords(decoded.words);
  if (payload.length !== 65 || payload[0] !== ADDRESS_VERSION) {
    throw new PrivacyError('ADDRESS_INVALID', 'unsupported address version or length', {
      length: payload.length,
      version: payload[0],
    });
  }
  return { pk: fieldFromBytesLE(payload.subarray(1, 33)), encryptionKey: payload.slice(33, 65) };
}
