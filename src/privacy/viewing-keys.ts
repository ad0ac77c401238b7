import { x25519 } from '@noble/curves/ed25519.js';
import { concatBytes } from '../common/index.js';
import { decodeBech32m, encodeBech32m } from './bech32-payload.js';
import { PrivacyError } from './errors.js';
import { fieldFromBytesLE, fieldToBytesLE } from './field.js';
import { checkIvk, type FullViewingKey, type IncomingViewingKey } from './keys.js';

export const FULL_VIEWING_KEY_PREFIX = 'plmfvk';
export const INCOMING_VIEWING_KEY_PREFIX = 'plmivk';
/** Viewing keys of key scheme v2 (the version of the address and circuit they belong to). */
export const VIEWING_KEY_VERSION = 2;

/** `plmfvk1...`: version 2 | ak (32 LE) | nk (32 LE) | ivk (32). */
export function encodeFullViewingKey(key: FullViewingKey): string {
  return encodeBech32m(
    FULL_VIEWING_KEY_PREFIX,
    concatBytes(
      Uint8Array.of(VIEWING_KEY_VERSION),
      fieldToBytesLE(key.ak),
      fieldToBytesLE(key.nk),
      checkIvk(key.ivk),
    ),
  );
}

/** `plmivk1...`: version 2 | ak (32 LE) | ivk (32). */
export function encodeIncomingViewingKey(key: IncomingViewingKey): string {
  return encodeBech32m(
    INCOMING_VIEWING_KEY_PREFIX,
    concatBytes(Uint8Array.of(VIEWING_KEY_VERSION), fieldToBytesLE(key.ak), checkIvk(key.ivk)),
  );
}

function payloadOf(text: string, prefix: string, length: number): Uint8Array {
  const payload = decodeBech32m(text, prefix, 'VIEWING_KEY_INVALID');
  if (payload[0] !== VIEWING_KEY_VERSION || payload.length !== length) {
    throw new PrivacyError('VIEWING_KEY_INVALID', `unsupported ${prefix} version or length`, {
      prefix,
      version: payload[0],
      length: payload.length,
    });
  }
  return payload;
}

function fieldAt(payload: Uint8Array, offset: number, prefix: string) {
  try {
    return fieldFromBytesLE(payload.subarray(offset, offset + 32));
  } catch (e) {
    throw new PrivacyError(
      'VIEWING_KEY_INVALID',
      `${prefix} holds a non-canonical field element`,
      { prefix },
      { cause: e },
    );
  }
}

export function decodeFullViewingKey(text: string): FullViewingKey {
  const payload = payloadOf(text, FULL_VIEWING_KEY_PREFIX, 97);
  const ivk = payload.slice(65, 97);
  return {
    ak: fieldAt(payload, 1, FULL_VIEWING_KEY_PREFIX),
    nk: fieldAt(payload, 33, FULL_VIEWING_KEY_PREFIX),
    ivk,
    encryptionKey: x25519.getPublicKey(ivk),
  };
}

export function decodeIncomingViewingKey(text: string): IncomingViewingKey {
  const payload = payloadOf(text, INCOMING_VIEWING_KEY_PREFIX, 65);
  const ivk = payload.slice(33, 65);
  return {
    ak: fieldAt(payload, 1, INCOMING_VIEWING_KEY_PREFIX),
    ivk,
    encryptionKey: x25519.getPublicKey(ivk),
  };
}

/** Either kind of viewing key, by its prefix. */
export function decodeViewingKey(text: string): FullViewingKey | IncomingViewingKey {
  return text.toLowerCase().startsWith(`${FULL_VIEWING_KEY_PREFIX}1`)
    ? decodeFullViewingKey(text)
    : decodeIncomingViewingKey(text);
}
