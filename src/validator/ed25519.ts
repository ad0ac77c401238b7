/**
 * Ed25519 for validator messages (votes, proposals, heartbeats, coordination, anchors) through
 * Node's native implementation, with noble's strict RFC 8032 rules in front of it. Votes are
 * verified on every node's hot path; noble's BigInt arithmetic cost about a millisecond per
 * signature, a twentieth of it natively. The acceptance rule stays the one noble applies with
 * `zip215: false` (ed25519.test.ts checks both agree): S < L, canonical encodings of R and A, no
 * small-order A, then the cofactorless equation (what OpenSSL checks, byte-comparing R).
 */
import {
  createPrivateKey,
  createPublicKey,
  type KeyObject,
  sign as signNative,
  verify as verifyNative,
} from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToBigintLE } from '../common/index.js';

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const PKCS8_SEED_PREFIX = Uint8Array.from([
  0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20,
]);
const MAX_CACHED_KEYS = 4096;

/** A canonical point encoding: y < p, and no sign bit on x = 0 (y = ±1). */
function canonicalPoint(encoding: Uint8Array): boolean {
  const y = bytesToBigintLE(encoding) & (2n ** 255n - 1n);
  if (y >= P) return false;
  return (encoding[31]! & 0x80) === 0 || (y !== 1n && y !== P - 1n);
}

/** Public keys are few (the validator set): each is judged and imported once. */
const publicKeys = new Map<string, KeyObject | null>();

function publicKeyObject(publicKey: Uint8Array): KeyObject | null {
  const hex = Buffer.from(publicKey).toString('hex');
  let key = publicKeys.get(hex);
  if (key !== undefined) return key;
  key = null;
  if (canonicalPoint(publicKey)) {
    try {
      if (!ed25519.Point.fromBytes(publicKey, false).isSmallOrder()) {
        key = createPublicKey({
          key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(publicKey).toString('base64url') },
          format: 'jwk',
        });
      }
    } catch {
      key = null;
    }
  }
  if (publicKeys.size >= MAX_CACHED_KEYS) publicKeys.clear();
  publicKeys.set(hex, key);
  return key;
}

/**
 * Strict verification, so nothing is accepted off chain that the chain's Ed25519 program could
 * reject; any malformed input is simply "not valid".
 */
export function verifyEd25519(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  if (bytesToBigintLE(signature.subarray(32)) >= L || !canonicalPoint(signature.subarray(0, 32)))
    return false;
  const key = publicKeyObject(publicKey);
  if (!key) return false;
  try {
    return verifyNative(null, message, key, signature);
  } catch {
    return false;
  }
}

/** A signing key held as a native key object (deterministic RFC 8032 signatures, as noble's). */
export function ed25519SigningKey(seed: Uint8Array): KeyObject {
  const der = new Uint8Array(PKCS8_SEED_PREFIX.length + 32);
  der.set(PKCS8_SEED_PREFIX);
  der.set(seed, PKCS8_SEED_PREFIX.length);
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
}

export function signEd25519(message: Uint8Array, key: KeyObject): Uint8Array {
  return new Uint8Array(signNative(null, message, key));
}
