import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { bytesToBigintBE } from '../common/index.js';
import {
  computeExtDataHash,
  computeOutputsDigest,
  type ExtData,
  publicAmountFromExt,
  refundCommitmentOf,
  refundNoteOf,
} from './ext-data.js';
import { FIELD_MODULUS, type Field, toField } from './field.js';
import { NATIVE_ASSET, noteCommitment } from './note.js';

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
    // No refund: owner and blinding 0, ciphertext empty.
    const outputs = Buffer.alloc(160);
    outputs.set(sha256(new Uint8Array([1, 2, 3])), 0);
    outputs.set(sha256(new Uint8Array([4])), 32);
    outputs.set(sha256(new Uint8Array()), 128);
    expect(computeOutputsDigest(base)).toEqual(sha256(outputs));
    const withRefund = {
      ...base,
      refundOwner: toField(0x0102n),
      refundBlinding: toField(0x0304n),
      refundCiphertext: new Uint8Array([7, 7]),
    };
    const refunded = Buffer.from(outputs);
    refunded.writeUInt16BE(0x0102, 94);
    refunded.writeUInt16BE(0x0304, 126);
    refunded.set(sha256(new Uint8Array([7, 7])), 128);
    expect(computeOutputsDigest(withRefund)).toEqual(sha256(refunded));
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
      { ...base, refundOwner: toField(1n), refundCiphertext: new Uint8Array([1]) },
      {
        ...base,
        refundOwner: toField(1n),
        refundBlinding: toField(2n),
        refundCiphertext: new Uint8Array([1]),
      },
      {
        ...base,
        refundOwner: toField(2n),
        refundBlinding: toField(1n),
        refundCiphertext: new Uint8Array([1]),
      },
    ];
    for (const v of variants) expect(computeExtDataHash(v)).not.toBe(h);
  });

  it('rejects fees above the withdrawn amount, positive ext amounts and bad lengths', () => {
    expect(() => computeExtDataHash({ ...base, fee: 5001n })).toThrow(/fee exceeds/);
    expect(() => computeExtDataHash({ ...base, extAmount: 1n, fee: 0n })).toThrow(/on chain/);
    expect(() => computeExtDataHash({ ...base, recipient: new Uint8Array(31) })).toThrow(/32 bytes/);
    expect(() => computeExtDataHash({ ...base, fee: -1n })).toThrow(/u64/);
    expect(() => computeExtDataHash({ ...base, extAmount: -(1n << 63n), fee: 0n })).toThrow(/i64/);
    // A refund needs both halves, and only a withdrawal has one.
    expect(() => computeExtDataHash({ ...base, refundOwner: toField(1n) })).toThrow(/go together/);
    expect(() => computeExtDataHash({ ...base, refundBlinding: toField(1n) })).toThrow(
      /without a refund owner/,
    );
    const ct = new Uint8Array([1]);
    expect(() =>
      computeExtDataHash({ ...base, refundOwner: FIELD_MODULUS as Field, refundCiphertext: ct }),
    ).toThrow(/canonical/);
    expect(() =>
      computeExtDataHash({
        ...base,
        refundOwner: toField(1n),
        refundBlinding: (FIELD_MODULUS + 1n) as Field,
        refundCiphertext: ct,
      }),
    ).toThrow(/canonical/);
    expect(() => computeExtDataHash({ ...base, refundCiphertext: new Uint8Array([1]) })).toThrow(
      /go together/,
    );
    const transfer = { ...base, extAmount: 0n, fee: 0n };
    expect(() =>
      computeExtDataHash({
        ...transfer,
        refundOwner: toField(1n),
        refundCiphertext: new Uint8Array([1]),
      }),
    ).toThrow(/transfer/);
  });

  it('opens the refund note with the gross debit and the given asset, whatever else it says', () => {
    const owner = toField(0xabcn);
    const blinding = toField(0xdefn);
    const ext = {
      ...base,
      refundOwner: owner,
      refundBlinding: blinding,
      refundCiphertext: new Uint8Array([9]),
    };
    const asset = toField(77n);
    // -ext_amount = 5000 (the fee of 1000 included): what left the pool.
    expect(refundNoteOf(ext, asset)).toEqual({ amount: 5000n, pkD: owner, blinding, asset });
    expect(refundCommitmentOf(ext, asset)).toBe(
      noteCommitment({ amount: 5000n, pkD: owner, blinding, asset }),
    );
    expect(refundCommitmentOf(ext, NATIVE_ASSET)).not.toBe(refundCommitmentOf(ext, asset));
    expect(refundCommitmentOf(base, asset)).toBeUndefined();
    expect(refundCommitmentOf({ ...ext, extAmount: 0n, fee: 0n }, asset)).toBeUndefined();
  });

  it('maps a withdrawal of x to p - x', () => {
    expect(publicAmountFromExt(-5n)).toBe(FIELD_MODULUS - 5n);
    expect(publicAmountFromExt(0n)).toBe(0n);
  });
});
