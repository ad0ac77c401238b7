import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyPairSignerFromBytes } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { writeFreshKeypair } from './keygen.js';

describe('paraloom keygen', () => {
  it('writes a Solana keypair file: a JSON array of 64 bytes, mode 0600, and never overwrites it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'paraloom-keygen-'));
    const path = join(dir, 'nested', 'payer.json');
    const address = await writeFreshKeypair(path);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const bytes = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    expect(Array.isArray(bytes)).toBe(true);
    expect(bytes as number[]).toHaveLength(64);
    expect((bytes as number[]).every((b) => Number.isInteger(b) && b >= 0 && b <= 255)).toBe(true);
    // The Solana toolchain's reading of the file: seed then public key, and the address it names.
    const signer = await createKeyPairSignerFromBytes(Uint8Array.from(bytes as number[]));
    expect(signer.address).toBe(address);
    const before = readFileSync(path);
    await expect(writeFreshKeypair(path)).rejects.toMatchObject({ code: 'KEY_FILE_EXISTS' });
    expect(readFileSync(path).equals(before)).toBe(true);
  });
});
