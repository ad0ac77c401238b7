import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyPairFromBytes, getAddressFromPublicKey } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  generateKeypair,
  keypairFromSeed,
  readKeypairFile,
  ValidatorError,
  writeKeypairFile,
} from './index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paraloom-vkey-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function codeOf(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ValidatorError);
  return (err as ValidatorError).code;
}

describe('validator key files', () => {
  it('are written 0600 in the Solana CLI format and read back', async () => {
    const path = join(dir, 'sub', 'validator.json');
    const kp = generateKeypair();
    await writeKeypairFile(path, kp);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'sub'))).mode & 0o777).toBe(0o700);
    const json = JSON.parse(await readFile(path, 'utf8')) as number[];
    expect(json).toHaveLength(64);
    const back = await readKeypairFile(path);
    expect(back.secretKey).toEqual(kp.secretKey);
    expect(back.address).toBe(kp.address);
    // @solana/kit (WebCrypto) reads the same bytes as the same Solana address.
    const kitPair = await createKeyPairFromBytes(Uint8Array.from(json));
    expect(await getAddressFromPublicKey(kitPair.publicKey)).toBe(kp.address);
  });

  it('refuse a key readable by group or others, until it is chmod 600', async () => {
    const path = join(dir, 'loose.json');
    await writeKeypairFile(path, generateKeypair());
    for (const mode of [0o640, 0o604, 0o660, 0o644]) {
      await chmod(path, mode);
      const err = await readKeypairFile(path).catch((e: unknown) => e as ValidatorError);
      expect(err).toBeInstanceOf(ValidatorError);
      expect((err as ValidatorError).code).toBe('KEY_FILE_INSECURE');
      expect((err as ValidatorError).message).toContain('chmod 600');
    }
    await chmod(path, 0o400);
    await readKeypairFile(path);
  });

  it('are never overwritten without force', async () => {
    const path = join(dir, 'keep.json');
    const first = generateKeypair();
    await writeKeypairFile(path, first);
    expect(await codeOf(writeKeypairFile(path, generateKeypair()))).toBe('KEY_FILE_EXISTS');
    expect((await readKeypairFile(path)).address).toBe(first.address);
    const second = generateKeypair();
    await writeKeypairFile(path, second, { force: true });
    expect((await readKeypairFile(path)).address).toBe(second.address);
  });

  it('refuse missing, malformed and inconsistent files with their codes', async () => {
    expect(await codeOf(readKeypairFile(join(dir, 'absent.json')))).toBe('KEY_FILE_NOT_FOUND');
    const bad = async (name: string, content: string) => {
      const path = join(dir, name);
      await writeFile(path, content, { mode: 0o600 });
      return codeOf(readKeypairFile(path));
    };
    const kp = keypairFromSeed(new Uint8Array(32).fill(7));
    const tampered = [...kp.secretKey];
    tampered[40] = (tampered[40]! + 1) % 256;
    expect(await bad('not-json.json', 'hello')).toBe('KEY_FILE_INVALID');
    expect(await bad('short.json', JSON.stringify([...kp.secretKey].slice(0, 32)))).toBe('KEY_FILE_INVALID');
    expect(await bad('big-byte.json', JSON.stringify([...kp.secretKey.slice(0, 63), 256]))).toBe(
      'KEY_FILE_INVALID',
    );
    expect(await bad('object.json', JSON.stringify({ secretKey: [...kp.secretKey] }))).toBe(
      'KEY_FILE_INVALID',
    );
    expect(await bad('tampered.json', JSON.stringify(tampered))).toBe('KEY_FILE_INVALID');
    expect(await codeOf(readKeypairFile(dir))).toBe('KEY_FILE_INVALID');
  });
});
