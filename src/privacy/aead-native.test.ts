import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { chacha20Poly1305Open, sha256Native } from './aead-native.js';

const bytes = (n: number, seed: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed) & 0xff);

describe('OpenSSL ChaCha20-Poly1305 and SHA-256 (trial decryption)', () => {
  it('open what @noble seals, and hash what @noble hashes, byte for byte', () => {
    for (const length of [0, 1, 104, 1000]) {
      const key = bytes(32, length);
      const nonce = bytes(12, 3);
      const aad = bytes(33, 5);
      const plaintext = bytes(length, 7);
      const sealed = chacha20poly1305(key, nonce, aad).encrypt(plaintext);
      expect(chacha20Poly1305Open(key, nonce, aad, sealed)).toEqual(plaintext);
      expect(sha256Native(aad, plaintext)).toEqual(sha256(new Uint8Array([...aad, ...plaintext])));
    }
  });

  it('refuse a flipped bit anywhere, another key or other associated data, and a short input', () => {
    const key = bytes(32, 1);
    const nonce = new Uint8Array(12);
    const aad = bytes(33, 2);
    const sealed = chacha20poly1305(key, nonce, aad).encrypt(bytes(104, 9));
    for (const at of [0, 50, sealed.length - 1]) {
      const bad = sealed.slice();
      bad[at]! ^= 1;
      expect(chacha20Poly1305Open(key, nonce, aad, bad)).toBeUndefined();
    }
    expect(chacha20Poly1305Open(bytes(32, 2), nonce, aad, sealed)).toBeUndefined();
    expect(chacha20Poly1305Open(key, nonce, bytes(33, 3), sealed)).toBeUndefined();
    expect(chacha20Poly1305Open(key, nonce, aad, sealed.subarray(0, 15))).toBeUndefined();
  });
});
