import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mixEntropy } from './entropy.js';
import { CeremonyError } from './errors.js';
import { generateSigningKey, readSigningKey, sign, verifySignature, writeSigningKey } from './signing.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('contributor keys', () => {
  it('round-trips the Solana keypair format and a hex seed', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paraloom-key-'));
    try {
      const key = generateSigningKey();
      await writeSigningKey(join(dir, 'k.json'), key);
      expect(hex((await readSigningKey(join(dir, 'k.json'))).publicKey)).toBe(hex(key.publicKey));
      await expect(writeSigningKey(join(dir, 'k.json'), key)).rejects.toThrow(); // never overwrites
      await writeFile(join(dir, 'seed'), hex(key.seed));
      expect(hex((await readSigningKey(join(dir, 'seed'))).publicKey)).toBe(hex(key.publicKey));
      const bytes = JSON.parse(await readFile(join(dir, 'k.json'), 'utf8')) as number[];
      bytes[40] = (bytes[40]! + 1) % 256;
      await writeFile(join(dir, 'bad.json'), JSON.stringify(bytes));
      await expect(readSigningKey(join(dir, 'bad.json'))).rejects.toBeInstanceOf(CeremonyError);
    } finally {
      await rm(dir, { recursive: true });
    }
  });

  it('verifies only the signed message under the signer key', () => {
    const key = generateSigningKey();
    const msg = new TextEncoder().encode('entry');
    const sig = sign(msg, key);
    expect(verifySignature(msg, sig, hex(key.publicKey))).toBe(true);
    expect(verifySignature(new TextEncoder().encode('entrY'), sig, hex(key.publicKey))).toBe(false);
    expect(verifySignature(msg, sig, hex(generateSigningKey().publicKey))).toBe(false);
    expect(verifySignature(msg, 'zz', hex(key.publicKey))).toBe(false);
  });
});

describe('mixEntropy', () => {
  it('differs on every call even with the same typed text', () => {
    expect(mixEntropy('same')).not.toBe(mixEntropy('same'));
    expect(mixEntropy()).toMatch(/^[0-9a-f]{128}$/);
  });
});
