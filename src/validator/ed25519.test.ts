import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { ed25519SigningKey, signEd25519, verifyEd25519 } from './ed25519.js';

const P = 2n ** 255n - 19n;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const noble = (sig: Uint8Array, msg: Uint8Array, pk: Uint8Array) => {
  try {
    return ed25519.verify(sig, msg, pk, { zip215: false });
  } catch {
    return false;
  }
};
const toLE = (v: bigint, n = 32) =>
  Uint8Array.from({ length: n }, (_, i) => Number((v >> BigInt(8 * i)) & 0xffn));
const fromLE = (b: Uint8Array) => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);

describe('native Ed25519 with strict rules', () => {
  it('signs exactly as noble (deterministic RFC 8032)', () => {
    for (let i = 0; i < 20; i++) {
      const seed = randomBytes(32);
      const msg = randomBytes(i * 7);
      expect(signEd25519(msg, ed25519SigningKey(seed))).toEqual(ed25519.sign(msg, seed));
    }
  });

  it('accepts and refuses exactly what noble accepts and refuses with zip215 off', () => {
    const cases: [string, Uint8Array, Uint8Array, Uint8Array][] = [];
    for (let i = 0; i < 30; i++) {
      const seed = randomBytes(32);
      const pk = ed25519.getPublicKey(seed);
      const msg = randomBytes(94);
      const sig = ed25519.sign(msg, seed);
      cases.push(['valid', sig, msg, pk]);
      const flipped = Uint8Array.from(sig);
      flipped[i % 64]! ^= 1 << (i % 8);
      cases.push(['flipped signature bit', flipped, msg, pk]);
      cases.push(['other message', sig, randomBytes(94), pk]);
      // S + L: the same equation holds, but S is not canonical.
      const sPlusL = Uint8Array.from(sig);
      sPlusL.set(toLE(fromLE(sig.subarray(32)) + L), 32);
      cases.push(['S + L', sPlusL, msg, pk]);
      // The key's y + p (non-canonical), where it still fits 255 bits.
      const y = fromLE(pk) & (2n ** 255n - 1n);
      if (y + P < 2n ** 255n) {
        const bad = toLE(y + P);
        bad[31]! |= pk[31]! & 0x80;
        cases.push(['non-canonical key', sig, msg, bad]);
      }
    }
    // Small-order keys (the identity, y = -1 and y = 0) with a signature that verifies for them
    // under ZIP-215 rules: R = identity, S = 0 makes [S]B = R + [k]A hold for any A of order 1.
    const identity = toLE(1n);
    const zeroSig = Uint8Array.from([...identity, ...new Uint8Array(32)]);
    cases.push(['identity key', zeroSig, randomBytes(10), identity]);
    cases.push(['y = -1 key', zeroSig, randomBytes(10), toLE(P - 1n)]);
    cases.push(['y = 0 key', zeroSig, randomBytes(10), toLE(0n)]);
    // x = 0 with the sign bit: a non-canonical identity.
    const negZero = toLE(1n);
    negZero[31]! |= 0x80;
    cases.push(['negative-zero key', zeroSig, randomBytes(10), negZero]);
    cases.push([
      'short signature',
      new Uint8Array(63),
      randomBytes(10),
      ed25519.getPublicKey(randomBytes(32)),
    ]);
    cases.push(['short key', zeroSig, randomBytes(10), new Uint8Array(31)]);
    let valid = 0;
    for (const [name, sig, msg, pk] of cases) {
      const expected = noble(sig, msg, pk);
      if (expected) valid++;
      expect(verifyEd25519(sig, msg, pk), name).toBe(expected);
    }
    expect(valid).toBe(30);
  });
});
