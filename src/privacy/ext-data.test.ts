import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { bytesToBigintBE } from '../common/index.js';
import { computeExtDataHash, computeOutputsDigest, type ExtData, publicAmountFromExt } from './ext-data.js';
import { FIELD_MODULUS } from './field.js';

const base: ExtData = {
  recipient: new Uint8Array(32).fill(1),
  relayer: new Uint8Array(32).fill(2),
  fee: 1000n,
  extAmount: -5000n,
  expirationSlot: 99n,
  encryptedOutput0: new Uint8Array([1, 2, 3]),
  encryptedOutput1: new Uint8Array([4]),
};

describe('ext data', () => {
  it('hashes the documented layout, big-endian, reduced mod p', () => {
    const outputs = Buffer.alloc(64);
    outputs.set(sha256(new Uint8Array([1, 2, 3])), 0);
    outputs.set(sha256(new Uint8Array([4])), 32);
    expect(computeOutputsDigest(base)).toEqual(sha256(outputs));
    const buf = Buffer.alloc(32 + 32 + 8 + 8 + 8 + 32);
    buf.fill(1, 0, 32);
    buf.fill(2, 32, 64);
    buf.writeBigUInt64LE(1000n, 64);
    buf.writeBigInt64LE(-5000n, 72);
    buf.writeBigUInt64LE(99n, 80);
    buf.set(sha256(outputs), 88);
    expect(computeExtDataHash(base)).toBe(bytesToBigintBE(sha256(buf)) % FIELD_MODULUS);
  });

  it('changes when any bound field changes', () => {
    const h = computeExtDataHash(base);
    const variants: ExtData[] = [
      { ...base, recipient: new Uint8Array(32).fill(9) },
      { ...base, relayer: new Uint8Array(32).fill(9) },
      { ...base, fee: 999n },
      { ...base, extAmount: -5001n },
      { ...base, expirationSlot: 100n },
      { ...base, encryptedOutput0: new Uint8Array([1, 2, 4]) },
      { ...base, encryptedOutput1: new Uint8Array([5]) },
    ];
    for (const v of variants) expect(computeExtDataHash(v)).not.toBe(h);
  });

  it('rejects fees above the withdrawn amount, positive ext amounts and bad lengths', () => {
    expect(() => computeExtDataHash({ ...base, fee: 5001n })).toThrow(/fee exceeds/);
    expect(() => computeExtDataHash({ ...base, extAmount: 1n, fee: 0n })).toThrow(/on chain/);
    expect(() => computeExtDataHash({ ...base, recipient: new Uint8Array(31) })).toThrow(/32 bytes/);
    expect(() => computeExtDataHash({ ...base, fee: -1n })).toThrow(/u64/);
    expect(() => computeExtDataHash({ ...base, extAmount: -(1n << 63n), fee: 0n })).toThrow(/i64/);
  });

  it('maps a withdrawal of x to p - x', () => {
    expect(publicAmountFromExt(-5n)).toBe(FIELD_MODULUS - 5n);
    expect(publicAmountFromExt(0n)).toBe(0n);
  });
});
