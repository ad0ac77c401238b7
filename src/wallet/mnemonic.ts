import { pbkdf2Sync } from 'node:crypto';
import { entropyToMnemonic, generateMnemonic, mnemonicToEntropy } from '@scure/bip39';
import { wordlist } from '@scure/bip39/wordlists/english.js';
import { deriveWalletKeys, type WalletKeys } from '../privacy/index.js';
import { WalletError } from './errors.js';

/** 24 words: 256 bits of entropy and an 8-bit checksum (BIP39). */
export const MNEMONIC_WORDS = 24;
const ENTROPY_BITS = 256;

/** A fresh 24-word English BIP39 mnemonic. */
export function generateWalletMnemonic(): string {
  return generateMnemonic(wordlist, ENTROPY_BITS);
}

/**
 * The mnemonic's words in canonical form (lower case, single spaces), or MNEMONIC_INVALID naming
 * what is wrong: the word count, a word not on the list, or the checksum (a typo or swapped words).
 */
export function normalizeMnemonic(text: string): string {
  const words = text.normalize('NFKD').trim().toLowerCase().split(/\s+/).filter(Boolean);
  if (words.length !== MNEMONIC_WORDS) {
    throw new WalletError(
      'MNEMONIC_INVALID',
      `a wallet mnemonic has ${MNEMONIC_WORDS} words, not ${words.length}`,
      {
        words: words.length,
        reason: 'word count',
      },
    );
  }
  const unknown = words.findIndex((w) => !wordlist.includes(w));
  if (unknown >= 0) {
    throw new WalletError('MNEMONIC_INVALID', `word ${unknown + 1} is not on the BIP39 English list`, {
      words: words.length,
      reason: 'unknown word',
    });
  }
  const phrase = words.join(' ');
  try {
    mnemonicToEntropy(phrase, wordlist);
  } catch (e) {
    throw new WalletError(
      'MNEMONIC_INVALID',
      'the mnemonic checksum does not match: a word is mistyped or out of order',
      { words: words.length, reason: 'checksum' },
      { cause: e },
    );
  }
  return phrase;
}

/** The 32 bytes of entropy a (valid) mnemonic encodes: what the wallet file stores, sealed. */
export function mnemonicEntropy(mnemonic: string): Uint8Array {
  return mnemonicToEntropy(normalizeMnemonic(mnemonic), wordlist);
}

export function mnemonicFromEntropy(entropy: Uint8Array): string {
  if (entropy.length * 8 !== ENTROPY_BITS) {
    throw new WalletError('MNEMONIC_INVALID', `wallet entropy is ${entropy.length} bytes, not 32`, {
      words: 0,
      reason: 'entropy length',
    });
  }
  return entropyToMnemonic(entropy, wordlist);
}

/**
 * The 64-byte BIP39 seed: PBKDF2-HMAC-SHA512, 2048 rounds, salt "mnemonic" (no BIP39 passphrase:
 * the wallet file has its own). Node's native PBKDF2 gives the same bytes as @scure/bip39's
 * `mnemonicToSeedSync` (the tests compare them) in a few ms instead of a cold JIT's ~100-250 ms,
 * which every unlocking command would pay.
 */
export function seedFromMnemonic(mnemonic: string): Uint8Array {
  const phrase = normalizeMnemonic(mnemonic);
  return new Uint8Array(pbkdf2Sync(phrase.normalize('NFKD'), 'mnemonic', 2048, 64, 'sha512'));
}

/** Every key of the wallet, from its seed alone (so a mnemonic restores it). */
export function walletKeysFromSeed(seed: Uint8Array): WalletKeys {
  return deriveWalletKeys(seed);
}
