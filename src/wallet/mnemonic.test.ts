import { mnemonicToSeedSync } from '@scure/bip39';
import { describe, expect, it } from 'vitest';
import { encodeAddress } from '../privacy/index.js';
import {
  generateWalletMnemonic,
  mnemonicEntropy,
  mnemonicFromEntropy,
  normalizeMnemonic,
  seedFromMnemonic,
  walletKeysFromSeed,
} from './mnemonic.js';

const ZERO_MNEMONIC = `${'abandon '.repeat(23)}art`;

describe('wallet mnemonic', () => {
  it('is 24 English words whose entropy round-trips (BIP39 vector: zero entropy is "abandon ... art")', () => {
    const m = generateWalletMnemonic();
    expect(m.split(' ')).toHaveLength(24);
    expect(mnemonicFromEntropy(mnemonicEntropy(m))).toBe(m);
    expect(mnemonicFromEntropy(new Uint8Array(32))).toBe(ZERO_MNEMONIC);
    expect(generateWalletMnemonic()).not.toBe(m);
  });

  it("gives BIP39's seed (the same bytes as @scure/bip39)", () => {
    for (const m of [ZERO_MNEMONIC, generateWalletMnemonic()]) {
      expect(Buffer.from(seedFromMnemonic(m)).equals(Buffer.from(mnemonicToSeedSync(m)))).toBe(true);
    }
  });

  it('derives the same keys from the same words, however they are spaced or cased', () => {
    const m = generateWalletMnemonic();
    const a = walletKeysFromSeed(seedFromMnemonic(m));
    const b = walletKeysFromSeed(seedFromMnemonic(`  ${m.toUpperCase().replaceAll(' ', '\n  ')} `));
    expect(encodeAddress(b.address)).toBe(encodeAddress(a.address));
    expect(b.sk).toBe(a.sk);
    const other = walletKeysFromSeed(seedFromMnemonic(generateWalletMnemonic()));
    expect(other.sk).not.toBe(a.sk);
  });

  it('refuses a bad checksum, an unknown word and a wrong word count with typed errors', () => {
    const words = ZERO_MNEMONIC.split(' ');
    const swapped = [...words.slice(0, 22), 'art', 'abandon'].join(' ');
    expect(() => normalizeMnemonic(swapped)).toThrowError(
      expect.objectContaining({ code: 'MNEMONIC_INVALID', context: { words: 24, reason: 'checksum' } }),
    );
    expect(() => seedFromMnemonic([...words.slice(0, 23), 'zzzz'].join(' '))).toThrowError(
      expect.objectContaining({ code: 'MNEMONIC_INVALID', context: { words: 24, reason: 'unknown word' } }),
    );
    expect(() => normalizeMnemonic(words.slice(0, 12).join(' '))).toThrowError(
      expect.objectContaining({ code: 'MNEMONIC_INVALID', context: { words: 12, reason: 'word count' } }),
    );
    expect(() => mnemonicFromEntropy(new Uint8Array(16))).toThrowError(
      expect.objectContaining({ code: 'MNEMONIC_INVALID' }),
    );
  });
});
