import { createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { PrivacyError } from './errors.js';

// X25519 (RFC 7748) through Node's OpenSSL: the same function as @noble/curves' x25519 (clamped
// scalar, top bit of u masked, an all-zero result refused), about 30 times faster. Trial decryption
// runs one per published output, so a wallet's sync speed is this function's speed.

const PKCS8_X25519_PREFIX = Buffer.from('302e020100300506032b656e04220420', 'hex');
const privateKeys = new WeakMap<Uint8Array, KeyObject>();

function privateKeyOf(secret: Uint8Array): KeyObject {
  let key = privateKeys.get(secret);
  if (!key) {
    key = createPrivateKey({
      key: Buffer.concat([PKCS8_X25519_PREFIX, secret]),
      format: 'der',
      type: 'pkcs8',
    });
    privateKeys.set(secret, key);
  }
  return key;
}

/** X25519(secret, publicKey); throws on a public key that is not 32 bytes or gives the all-zero secret. */
export function x25519SharedSecret(secret: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (secret.length !== 32 || publicKey.length !== 32) {
    throw new PrivacyError('ENVELOPE_INVALID', 'X25519 keys are 32 bytes', {
      length: secret.length === 32 ? publicKey.length : secret.length,
    });
  }
  const x = Buffer.from(publicKey.buffer, publicKey.byteOffset, 32).toString('base64url');
  const pub = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x }, format: 'jwk' });
  return new Uint8Array(diffieHellman({ privateKey: privateKeyOf(secret), publicKey: pub }));
}
