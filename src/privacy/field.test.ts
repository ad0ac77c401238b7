import { describe, expect, it } from 'vitest';
import { bigintToBytesBE, bigintToBytesLE } from '../common/index.js';
import { PrivacyError } from './errors.js';
import {
  FIELD_MODULUS,
  fieldFromBytesBE,
  fieldFromBytesCanonical,
  fieldFromDecimal,
  fieldMod,
  fieldToBytesBE,
  fieldToBytesLE,
  randomField,
  toField,
} from './field.js';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    return e instanceof PrivacyError ? e.code : `not a PrivacyError: ${String(e)}`;
  }
  return 'no error';
};

describe('field codecs', () => {
  it('round-trips little- and big-endian', () => {
    for (let i = 0; i < 50; i++) {
      const v = randomField();
      expect(fieldFromBytesCanonical(fieldToBytesLE(v))).toBe(v);
      expect(fieldFromBytesBE(fieldToBytesBE(v))).toBe(v);
    }
    expect(fieldToBytesLE(toField(1n))[0]).toBe(1);
    expect(fieldToBytesBE(toField(1n))[31]).toBe(1);
  });

  it('rejects p, p + n and 2^256 - 1 instead of reducing them (the n vs n + p double spend)', () => {
    expect(code(() => fieldFromBytesCanonical(bigintToBytesLE(FIELD_MODULUS, 32)))).toBe(
      'FIELD_NOT_CANONICAL',
    );
    expect(code(() => fieldFromBytesCanonical(bigintToBytesLE(FIELD_MODULUS + 5n, 32)))).toBe(
      'FIELD_NOT_CANONICAL',
    );
    expect(code(() => fieldFromBytesBE(bigintToBytesBE(FIELD_MODULUS + 5n, 32)))).toBe('FIELD_NOT_CANONICAL');
    expect(code(() => fieldFromBytesCanonical(new Uint8Array(32).fill(0xff)))).toBe('FIELD_NOT_CANONICAL');
    expect(fieldFromBytesCanonical(bigintToBytesLE(FIELD_MODULUS - 1n, 32))).toBe(FIELD_MODULUS - 1n);
  });

  it('rejects wrong lengths', () => {
    expect(code(() => fieldFromBytesCanonical(new Uint8Array(31)))).toBe('FIELD_BAD_LENGTH');
    expect(code(() => fieldFromBytesCanonical(new Uint8Array(33)))).toBe('FIELD_BAD_LENGTH');
  });

  it('parses only canonical decimal strings', () => {
    expect(fieldFromDecimal('123')).toBe(123n);
    for (const bad of ['', '-1', '0123', '1e5', ' 1', FIELD_MODULUS.toString(), '0x10']) {
      expect(code(() => fieldFromDecimal(bad))).toMatch(/FIELD_(BAD_STRING|NOT_CANONICAL)/);
    }
  });

  it('reduces only when asked', () => {
    expect(fieldMod(-1n)).toBe(FIELD_MODULUS - 1n);
    expect(fieldMod(FIELD_MODULUS + 2n)).toBe(2n);
    expect(code(() => toField(-1n))).toBe('FIELD_NOT_CANONICAL');
  });
});
