import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { concatBytes } from './bytes.js';
import { sha256 } from './hash.js';

describe('sha256', () => {
  it('matches the FIPS 180-2 "abc" vector', () => {
    expect(Buffer.from(sha256(new TextEncoder().encode('abc'))).toString('hex')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('hashes its parts as one concatenation, empty parts included', () => {
    const parts = [Uint8Array.of(1, 2, 3), new Uint8Array(0), crypto.getRandomValues(new Uint8Array(700))];
    const digest = sha256(...parts);
    expect(digest).toBeInstanceOf(Uint8Array);
    expect(digest.length).toBe(32);
    expect(Uint8Array.from(digest)).toEqual(nobleSha256(concatBytes(...parts)));
    expect(Uint8Array.from(sha256())).toEqual(nobleSha256(new Uint8Array(0)));
  });
});
