import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, u64ToBytesLE } from '../common/index.js';
import { chacha20Poly1305Open, sha256Native } from './aead-native.js';
import { PrivacyError } from './errors.js';
import { type Field, fieldFromBytesLE, fieldToBytesLE } from './field.js';
import { diversifiedKey, type IncomingViewingKey, type ShieldedAddress } from './keys.js';
import { type Note, noteCommitment, type OpenedNote } from './note.js';
import { x25519SharedSecret } from './x25519-native.js';

// Envelope v2 (153 bytes, the same for every note so sizes leak nothing):
//   version 0x02 | ephemeral X25519 public key (32) | ChaCha20-Poly1305(amount u64 LE | d 32 LE |
//   blinding 32 LE | asset 32 LE) with its 16-byte tag.
// key = SHA-256(domain | X25519(eph, recipient) | eph_pub | recipient_enc_key); nonce = 12 zero bytes
// (safe: every key is fresh); associated data = version | eph_pub. The owner key pk_d is not sent:
// the recipient recomputes it as P2(ak, d), and the commitment check proves the note is theirs.

export const ENVELOPE_VERSION = 2;
const PLAINTEXT_BYTES = 8 + 32 + 32 + 32;
export const ENVELOPE_BYTES = 1 + 32 + PLAINTEXT_BYTES + 16;
const KEY_DOMAIN = new TextEncoder().encode('paraloom/v2/note-envelope');
const NONCE = new Uint8Array(12);

function envelopeKey(shared: Uint8Array, ephemeralPublic: Uint8Array, recipientKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(KEY_DOMAIN, shared, ephemeralPublic, recipientKey));
}

export interface EncryptOptions {
  /** Only for test vectors: a fixed ephemeral secret. Never reuse one in production. */
  readonly ephemeralSecret?: Uint8Array;
}

export function encryptNote(note: Note, to: ShieldedAddress, options: EncryptOptions = {}): Uint8Array {
  if (note.pkD !== to.pkD) {
    throw new PrivacyError('ENVELOPE_INVALID', 'note is not owned by the address it is encrypted to');
  }
  const ephemeralSecret = options.ephemeralSecret ?? x25519.utils.randomSecretKey();
  const ephemeralPublic = x25519.getPublicKey(ephemeralSecret);
  const shared = x25519.getSharedSecret(ephemeralSecret, to.encryptionKey);
  const key = envelopeKey(shared, ephemeralPublic, to.encryptionKey);
  const header = concatBytes(Uint8Array.of(ENVELOPE_VERSION), ephemeralPublic);
  const plaintext = concatBytes(
    u64ToBytesLE(note.amount),
    fieldToBytesLE(to.diversifier),
    fieldToBytesLE(note.blinding),
    fieldToBytesLE(note.asset),
  );
  return concatBytes(header, chacha20poly1305(key, NONCE, header).encrypt(plaintext));
}

/**
 * Trial decryption with an incoming viewing key (a wallet's keys are one): the note and its
 * diversifier if this envelope was made for `key` and re-hashing it with pk_d = P2(ak, d) gives
 * `commitment`, otherwise undefined. Malformed envelopes are typed errors.
 */
export function tryDecryptNote(
  envelope: Uint8Array,
  key: IncomingViewingKey,
  commitment: Field,
): OpenedNote | undefined {
  if (envelope.length !== ENVELOPE_BYTES) {
    throw new PrivacyError('ENVELOPE_INVALID', `envelope must be ${ENVELOPE_BYTES} bytes`, {
      length: envelope.length,
    });
  }
  if (envelope[0] !== ENVELOPE_VERSION) {
    throw new PrivacyError('ENVELOPE_UNSUPPORTED_VERSION', 'unknown envelope version', {
      version: envelope[0],
    });
  }
  const header = envelope.subarray(0, 33);
  const ephemeralPublic = envelope.subarray(1, 33);
  let shared: Uint8Array;
  try {
    shared = x25519SharedSecret(key.ivk, ephemeralPublic);
  } catch {
    return undefined; // low-order ephemeral key: not a note for anyone
  }
  const plaintext = chacha20Poly1305Open(
    sha256Native(KEY_DOMAIN, shared, ephemeralPublic, key.encryptionKey),
    NONCE,
    header,
    envelope.subarray(33),
  );
  if (!plaintext) return undefined;
  const amount = new DataView(plaintext.buffer, plaintext.byteOffset).getBigUint64(0, true);
  let opened: OpenedNote;
  try {
    const diversifier = fieldFromBytesLE(plaintext.subarray(8, 40));
    opened = {
      diversifier,
      note: {
        amount,
        pkD: diversifiedKey(key.ak, diversifier),
        blinding: fieldFromBytesLE(plaintext.subarray(40, 72)),
        asset: fieldFromBytesLE(plaintext.subarray(72, 104)),
      },
    };
  } catch {
    return undefined; // a sender wrote a non-canonical field element: nothing anyone can spend
  }
  return noteCommitment(opened.note) === commitment ? opened : undefined;
}
