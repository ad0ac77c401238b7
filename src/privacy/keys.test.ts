import { hkdfSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { bech32m } from '@scure/base';
import { describe, expect, it } from 'vitest';
import { bytesToBigintBE, bytesToHex, concatBytes } from '../common/index.js';
import { decodeAddress, encodeAddress } from './address.js';
import { fieldMod, fieldToBytesLE, randomField } from './field.js';
import {
  addressDiversifier,
  canSpend,
  defaultAddress,
  depositSecrets,
  deriveWalletKeys,
  fullViewingKey,
  generateWalletKeys,
  incomingViewingKey,
  NK_TAG,
  seesSpends,
} from './keys.js';
import { depositNote, NATIVE_ASSET } from './note.js';
import { hash1, hash2 } from './poseidon.js';
import {
  decodeFullViewingKey,
  decodeIncomingViewingKey,
  decodeViewingKey,
  encodeFullViewingKey,
  encodeIncomingViewingKey,
} from './viewing-keys.js';

interface Vector {
  seed: string;
  sk: string;
  ak: string;
  nk: string;
  ivk: string;
  encryption_public_key: string;
  d0: string;
  pk_d0: string;
  address: string;
  full_viewing_key: string;
  incoming_viewing_key: string;
  deposit: { index: number; d: string; blinding: string };
}

const vectors = (
  JSON.parse(readFileSync(new URL('../../test/vectors/notes.json', import.meta.url), 'utf8')) as {
    vectors: Vector[];
  }
).vectors;

/** HKDF by Node's own implementation, to check @noble/hashes' use against an independent one. */
const nodeHkdf = (ikm: Uint8Array, info: Uint8Array, length: number) =>
  new Uint8Array(hkdfSync('sha256', ikm, 'paraloom/v2', info, length));
const utf8 = (s: string) => new TextEncoder().encode(s);
const u32 = (i: number) => Uint8Array.of(i >>> 24, (i >>> 16) & 255, (i >>> 8) & 255, i & 255);
const seedOf = (hex: string) => new Uint8Array(Buffer.from(hex, 'hex'));

describe('key derivation (v2)', () => {
  it('NK_TAG is SHA-256("paraloom/nk") mod r, the constant in circuits/transact.circom', () => {
    expect(NK_TAG).toBe(6104368054142332225851093711407538193920925728165623697276833322468029766093n);
    const circuit = readFileSync(new URL('../../circuits/transact.circom', import.meta.url), 'utf8');
    expect(circuit).toContain(`return ${NK_TAG};`);
  });

  it('reproduces the pinned vectors of test/vectors/notes.json', () => {
    expect(vectors.length).toBe(3);
    for (const v of vectors) {
      const keys = deriveWalletKeys(seedOf(v.seed));
      expect(keys.sk.toString()).toBe(v.sk);
      expect(keys.ak.toString()).toBe(v.ak);
      expect(keys.nk.toString()).toBe(v.nk);
      expect(bytesToHex(keys.ivk)).toBe(v.ivk);
      expect(bytesToHex(keys.encryptionKey)).toBe(v.encryption_public_key);
      expect(keys.d0.toString()).toBe(v.d0);
      expect(keys.pkD0.toString()).toBe(v.pk_d0);
      expect(encodeAddress(keys.address)).toBe(v.address);
      expect(encodeFullViewingKey(keys)).toBe(v.full_viewing_key);
      expect(encodeIncomingViewingKey(keys)).toBe(v.incoming_viewing_key);
      const deposit = depositSecrets(keys.ivk, v.deposit.index);
      expect(deposit.diversifier.toString()).toBe(v.deposit.d);
      expect(deposit.blinding.toString()).toBe(v.deposit.blinding);
    }
  });

  it('follows the documented labels (checked with an independent HKDF)', () => {
    const seed = seedOf(vectors[1]!.seed);
    const keys = deriveWalletKeys(seed);
    const field64 = (ikm: Uint8Array, info: Uint8Array) => fieldMod(bytesToBigintBE(nodeHkdf(ikm, info, 64)));
    expect(keys.sk).toBe(field64(seed, utf8('paraloom/v2/sk')));
    expect(keys.ivk).toEqual(nodeHkdf(seed, utf8('paraloom/v2/ivk'), 32));
    expect(keys.ak).toBe(hash1(keys.sk));
    expect(keys.nk).toBe(hash2(keys.sk, NK_TAG));
    expect(keys.d0).toBe(field64(keys.ivk, concatBytes(utf8('paraloom/v2/address-d'), u32(0))));
    expect(keys.pkD0).toBe(hash2(keys.ak, keys.d0));
    expect(addressDiversifier(keys.ivk, 7)).toBe(
      field64(keys.ivk, concatBytes(utf8('paraloom/v2/address-d'), u32(7))),
    );
    const d = depositSecrets(keys.ivk, 300);
    expect(d.diversifier).toBe(field64(keys.ivk, concatBytes(utf8('paraloom/v2/deposit-d'), u32(300))));
    expect(d.blinding).toBe(field64(keys.ivk, concatBytes(utf8('paraloom/v2/deposit-blinding'), u32(300))));
  });

  it('gives each deposit its own owner key and blinding, none equal to the address', () => {
    const keys = generateWalletKeys();
    const deposits = [0, 1, 2].map((i) => depositNote(keys, i, 10n, NATIVE_ASSET));
    const owners = new Set([keys.pkD0, ...deposits.map((d) => d.note.pkD)]);
    expect(owners.size).toBe(4);
    expect(new Set(deposits.map((d) => d.note.blinding)).size).toBe(3);
    // A full viewing key recomputes them (a restore without the spending key).
    expect(depositNote(fullViewingKey(keys), 1, 10n, NATIVE_ASSET)).toEqual(deposits[1]);
  });

  it('refuses seeds of the wrong size and indexes that are not u32', () => {
    for (const n of [0, 32, 63, 65]) {
      expect(() => deriveWalletKeys(new Uint8Array(n))).toThrowError(
        expect.objectContaining({ code: 'SEED_INVALID' }),
      );
    }
    const keys = generateWalletKeys();
    for (const i of [-1, 2 ** 32, 1.5]) {
      expect(() => depositSecrets(keys.ivk, i)).toThrowError(
        expect.objectContaining({ code: 'KEY_INDEX_OUT_OF_RANGE' }),
      );
    }
  });
});

describe('shielded addresses (v2)', () => {
  it('round-trips and carries d, pk_d and the encryption key', () => {
    const keys = generateWalletKeys();
    const text = encodeAddress(keys.address);
    expect(text.startsWith('plm1')).toBe(true);
    expect(decodeAddress(text)).toEqual(keys.address);
    expect(defaultAddress(fullViewingKey(keys))).toEqual(keys.address);
  });

  it('refuses a version 1 address with its own error', () => {
    const v1 = concatBytes(Uint8Array.of(1), fieldToBytesLE(randomField()), new Uint8Array(32).fill(9));
    const text = bech32m.encode('plm', bech32m.toWords(v1), 300);
    expect(() => decodeAddress(text)).toThrowError(
      expect.objectContaining({
        code: 'ADDRESS_OLD_VERSION',
        message: expect.stringMatching(/old \(v1\) circuit/),
      }),
    );
  });

  it('refuses other versions, lengths, non-canonical fields, prefixes and garbage', () => {
    const keys = generateWalletKeys();
    const payload = (bytes: Uint8Array) => bech32m.encode('plm', bech32m.toWords(bytes), 300);
    const good = concatBytes(
      Uint8Array.of(2),
      fieldToBytesLE(keys.d0),
      fieldToBytesLE(keys.pkD0),
      keys.encryptionKey,
    );
    const nonCanonical = good.slice();
    nonCanonical.set(new Uint8Array(32).fill(0xff), 1);
    const v3 = good.slice();
    v3[0] = 3;
    for (const bytes of [good.subarray(0, 96), concatBytes(good, Uint8Array.of(0)), nonCanonical, v3]) {
      expect(() => decodeAddress(payload(bytes))).toThrowError(
        expect.objectContaining({ code: 'ADDRESS_INVALID' }),
      );
    }
    const text = encodeAddress(keys.address);
    for (const bad of [`x${text}`, text.replace('plm1', 'bc1'), '', 'plm1', 'hello']) {
      expect(() => decodeAddress(bad)).toThrow();
    }
    expect(() => decodeAddress(encodeFullViewingKey(keys))).toThrowError(
      expect.objectContaining({ code: 'ADDRESS_INVALID' }),
    );
  });

  it('catches single-character typos by checksum', () => {
    const text = encodeAddress(generateWalletKeys().address);
    const alphabet = 'qpzry9x8gf2tvdw0s3jn54khce6mua7l';
    for (let i = 4; i < text.length; i += 7) {
      const replacement = alphabet[(alphabet.indexOf(text[i]!) + 1) % 32]!;
      expect(() => decodeAddress(text.slice(0, i) + replacement + text.slice(i + 1))).toThrowError(
        expect.objectContaining({ code: 'ADDRESS_CHECKSUM' }),
      );
    }
  });
});

describe('viewing keys', () => {
  it('encode and decode both kinds; only the wallet keys can spend', () => {
    const keys = generateWalletKeys();
    const fvk = decodeFullViewingKey(encodeFullViewingKey(keys));
    expect(fvk).toEqual(fullViewingKey(keys));
    const ivk = decodeIncomingViewingKey(encodeIncomingViewingKey(keys));
    expect(ivk).toEqual(incomingViewingKey(keys));
    expect(decodeViewingKey(encodeFullViewingKey(keys))).toEqual(fvk);
    expect(decodeViewingKey(encodeIncomingViewingKey(keys))).toEqual(ivk);
    expect(canSpend(keys)).toBe(true);
    expect(canSpend(fvk)).toBe(false);
    expect(canSpend(ivk)).toBe(false);
    expect(seesSpends(fvk)).toBe(true);
    expect(seesSpends(ivk)).toBe(false);
    expect('sk' in fvk || 'sk' in ivk || 'nk' in ivk).toBe(false);
  });

  it('refuses the wrong prefix, version, length, typos and non-canonical fields', () => {
    const keys = generateWalletKeys();
    const fvkText = encodeFullViewingKey(keys);
    expect(() => decodeFullViewingKey(encodeIncomingViewingKey(keys))).toThrowError(
      expect.objectContaining({ code: 'VIEWING_KEY_INVALID' }),
    );
    expect(() => decodeIncomingViewingKey(fvkText)).toThrowError(
      expect.objectContaining({ code: 'VIEWING_KEY_INVALID' }),
    );
    expect(() => decodeViewingKey(encodeAddress(keys.address))).toThrowError(
      expect.objectContaining({ code: 'VIEWING_KEY_INVALID' }),
    );
    const typo = `${fvkText.slice(0, 20)}${fvkText[20] === 'q' ? 'p' : 'q'}${fvkText.slice(21)}`;
    expect(() => decodeFullViewingKey(typo)).toThrowError(
      expect.objectContaining({ code: 'ADDRESS_CHECKSUM' }),
    );
    const raw = concatBytes(Uint8Array.of(2), fieldToBytesLE(keys.ak), keys.ivk);
    const enc = (prefix: string, bytes: Uint8Array) => bech32m.encode(prefix, bech32m.toWords(bytes), 300);
    const v1 = raw.slice();
    v1[0] = 1;
    const big = raw.slice();
    big.set(new Uint8Array(32).fill(0xff), 1);
    for (const bytes of [v1, big, raw.subarray(0, 64)]) {
      expect(() => decodeIncomingViewingKey(enc('plmivk', bytes))).toThrowError(
        expect.objectContaining({ code: 'VIEWING_KEY_INVALID' }),
      );
    }
  });
});
