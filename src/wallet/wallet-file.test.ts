import { chmodSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { encodeAddress } from '../privacy/index.js';
import { DEFAULT_SCRYPT, type ScryptParams } from './key-store.js';
import { generateWalletMnemonic } from './mnemonic.js';
import { createWalletFile, readWalletAddress, readWalletFile, unlockWalletFile } from './wallet-file.js';

const dir = mkdtempSync(join(tmpdir(), 'paraloom-wallet-file-'));
/** Cheap parameters keep the tests fast; one test runs the default ones. */
const FAST: ScryptParams = { log2N: 10, r: 8, p: 1 };
let n = 0;

function fresh(passphrase = 'correct horse', scrypt: ScryptParams = FAST) {
  const path = join(dir, `w${n++}.json`);
  const mnemonic = generateWalletMnemonic();
  const keys = createWalletFile(path, { mnemonic, passphrase, scrypt });
  return { path, mnemonic, keys };
}

const code = (c: string) => expect.objectContaining({ code: c });

describe('wallet key file (encrypted at rest)', () => {
  it('round-trips under the default scrypt parameters, 0600, with no key material in clear', () => {
    const { path, mnemonic, keys } = fresh('a passphrase', DEFAULT_SCRYPT);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    const json = JSON.parse(text) as { kdf: unknown; secret: { kdf: { log2N: number } } };
    expect(json.secret.kdf.log2N).toBe(DEFAULT_SCRYPT.log2N);
    // A leaked phrase shows as consecutive words (spaced, or a JSON array). A lone word proves
    // nothing: "address" and "wallet" are BIP39 words and also this file's own keys and format.
    const words = mnemonic.split(' ');
    for (let i = 0; i + 1 < words.length; i++)
      expect(text).not.toMatch(new RegExp(`\\b${words[i]}\\W+${words[i + 1]}\\b`));
    expect(text).not.toContain(keys.sk.toString());
    expect(text).not.toContain(keys.sk.toString(16));
    // Its cost is the KDF's parameters (checked above), not a wall-clock bound a loaded machine breaks.
    const opened = unlockWalletFile(path, 'a passphrase');
    expect(opened.mnemonic).toBe(mnemonic);
    expect('sk' in opened.key && opened.key.sk).toBe(keys.sk);
    expect(readWalletAddress(path)).toBe(encodeAddress(keys.address));
  });

  it('refuses a wrong passphrase with PASSPHRASE_WRONG and changes nothing on disk', () => {
    const { path, keys } = fresh();
    const before = readFileSync(path);
    const mtime = statSync(path).mtimeMs;
    expect(() => readWalletFile(path, 'incorrect horse')).toThrowError(code('PASSPHRASE_WRONG'));
    expect(() => readWalletFile(path, '')).toThrowError(code('PASSPHRASE_INVALID'));
    expect(readFileSync(path).equals(before)).toBe(true);
    expect(statSync(path).mtimeMs).toBe(mtime);
    expect(readWalletFile(path, 'correct horse').sk).toBe(keys.sk);
  });

  it('calls a truncated or tampered file WALLET_FILE_CORRUPT, not a wrong passphrase', () => {
    const { path } = fresh();
    const text = readFileSync(path, 'utf8');
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, text.slice(0, text.length / 2), { mode: 0o600 });
    expect(() => readWalletFile(truncated, 'correct horse')).toThrowError(code('WALLET_FILE_CORRUPT'));

    const json = JSON.parse(text) as {
      address: string;
      secret: { ciphertext: string; kdf: { log2N: number } };
    };
    const flipped = join(dir, 'flipped.json');
    const c = json.secret.ciphertext;
    const bit = c[0] === '0' ? '1' : '0';
    writeFileSync(
      flipped,
      JSON.stringify({ ...json, secret: { ...json.secret, ciphertext: bit + c.slice(1) } }),
      {
        mode: 0o600,
      },
    );
    expect(() => readWalletFile(flipped, 'correct horse')).toThrowError(
      expect.objectContaining({
        code: 'WALLET_FILE_CORRUPT',
        context: expect.objectContaining({ reason: 'authentication' }),
      }),
    );

    const other = fresh();
    const swapped = join(dir, 'swapped-address.json');
    writeFileSync(swapped, JSON.stringify({ ...json, address: readWalletAddress(other.path) }), {
      mode: 0o600,
    });
    expect(() => readWalletFile(swapped, 'correct horse')).toThrowError(code('WALLET_FILE_CORRUPT'));

    const hostile = join(dir, 'hostile-kdf.json');
    writeFileSync(
      hostile,
      JSON.stringify({ ...json, secret: { ...json.secret, kdf: { ...json.secret.kdf, log2N: 40 } } }),
      {
        mode: 0o600,
      },
    );
    expect(() => readWalletFile(hostile, 'correct horse')).toThrowError(
      expect.objectContaining({
        code: 'WALLET_FILE_CORRUPT',
        context: expect.objectContaining({ reason: 'scrypt parameters out of bounds' }),
      }),
    );

    const v1 = join(dir, 'v1.json');
    writeFileSync(v1, JSON.stringify({ format: 'paraloom-wallet/1', spending_key: '01'.repeat(32) }), {
      mode: 0o600,
    });
    expect(() => readWalletFile(v1, 'correct horse')).toThrowError(code('WALLET_FILE_INVALID'));
    // A /2 file sealed the same entropy but stated a v1-key address: refused, restore from the mnemonic.
    const v2 = join(dir, 'v2.json');
    const sealedV2 = JSON.parse(readFileSync(fresh().path, 'utf8')) as Record<string, unknown>;
    writeFileSync(v2, JSON.stringify({ ...sealedV2, format: 'paraloom-wallet/2' }), { mode: 0o600 });
    expect(() => readWalletFile(v2, 'correct horse')).toThrowError(code('WALLET_FILE_INVALID'));
  });

  it('is never overwritten, refused when others can read it, and leaves no temp file behind', () => {
    const { path, keys } = fresh();
    expect(() =>
      createWalletFile(path, { mnemonic: generateWalletMnemonic(), passphrase: 'x', scrypt: FAST }),
    ).toThrowError(code('WALLET_FILE_EXISTS'));
    expect(readWalletFile(path, 'correct horse').sk).toBe(keys.sk);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    chmodSync(path, 0o644);
    expect(() => readWalletFile(path, 'correct horse')).toThrowError(code('WALLET_FILE_INSECURE'));
    expect(() => readWalletFile(join(dir, 'absent.json'), 'correct horse')).toThrowError(
      code('WALLET_FILE_MISSING'),
    );
  });
});
