import { describe, expect, it } from 'vitest';
import { PrivacyError } from './errors.js';
import { toField } from './field.js';
import { decodeAddress, deriveKeys, encodeAddress, generateSpendingKeys } from './keys.js';
import { hash1 } from './poseidon.js';

describe('keys and shielded addresses', () => {
  it('derives pk = P1(sk) and a deterministic X25519 key', () => {
    const keys = deriveKeys(toField(42n));
    expect(keys.pk).toBe(hash1(toField(42n)));
    expect(deriveKeys(toField(42n)).encryptionKey).toEqual(keys.encryptionKey);
    expect(deriveKeys(toField(43n)).encryptionKey).not.toEqual(keys.encryptionKey);
  });

  it('round-trips an address string', () => {
    const keys = generateSpendingKeys();
    const text = encodeAddress(keys.address);
    expect(text.startsWith('plm1')).toBe(true);
    const back = decodeAddress(text);
    expect(back.pk).toBe(keys.pk);
    expect(back.encryptionKey).toEqual(keys.encryptionKey);
  });

  it('catches every single-character typo', () => {
    const text = encodeAddress(generateSpendingKeys().address);
    const alphabet = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
    for (let i = 4; i < text.length; i += 7) {
      const replacement = alphabet[(alphabet.indexOf(text[i]!) + 1) % 32]!;
      const typo = text.slice(0, i) + replacement + text.slice(i + 1);
      expect(() => decodeAddress(typo)).toThrow(PrivacyError);
      try {
        decodeAddress(typo);
      } catch (e) {
        expect((e as PrivacyError).code).toBe('ADDRESS_CHECKSUM');
      }
    }
  });

  it('rejects other prefixes, truncations and garbage', () => {
    const text = encodeAddress(generateSpendingKeys().address);
    for (const bad of [text.slice(0, -1), `x${text}`, text.replace('plm1', 'bc1'), '', 'plm1', 'hello']) {
      expect(() => decodeAddress(bad)).toThrow(PrivacyError);
    }
  });
});
