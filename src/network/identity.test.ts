import { chmod, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { afterEach, describe, expect, it } from 'vitest';
import { NetworkError } from './errors.js';
import { loadOrCreateIdentity } from './identity.js';
import { backoffDelay } from './peer-registry.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

async function dir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'paraloom-id-'));
  dirs.push(d);
  return d;
}

describe('identity key file', () => {
  it('is created with mode 0600 and reloads as the same peer id', async () => {
    const path = join(await dir(), 'keys', 'node.key');
    const first = await loadOrCreateIdentity(path);
    expect(first.created).toBe(true);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const again = await loadOrCreateIdentity(path);
    expect(again.created).toBe(false);
    expect(peerIdFromPrivateKey(again.key).toString()).toBe(peerIdFromPrivateKey(first.key).toString());
  });

  it('refuses a key file readable by others, and a file that is not a key', async () => {
    const path = join(await dir(), 'node.key');
    await loadOrCreateIdentity(path);
    await chmod(path, 0o644);
    await expect(loadOrCreateIdentity(path)).rejects.toMatchObject({ code: 'IDENTITY_INSECURE' });
    await writeFile(path, 'not a key', { mode: 0o600 });
    await chmod(path, 0o600);
    const err = await loadOrCreateIdentity(path).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('IDENTITY_INVALID');
  });
});

describe('reconnect backoff', () => {
  it('doubles from the base, caps at the maximum, and jitters within [half, full]', () => {
    expect(backoffDelay(0, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 1000, 60_000, () => 1)).toBe(8000);
    expect(backoffDelay(10, 1000, 60_000, () => 1)).toBe(60_000);
    expect(backoffDelay(1000, 1000, 60_000, () => 0)).toBe(30_000);
    expect(backoffDelay(2, 1000, 60_000, () => 0)).toBe(2000);
  });
});
