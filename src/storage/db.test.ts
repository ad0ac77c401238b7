import { RocksLevel } from '@nxtedition/rocksdb';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { WriteBatch } from './batch.js';
import { Database, SCHEMA_VERSION } from './db.js';
import { StorageError } from './errors.js';
import { metaKey } from './keys.js';
import { quietLogger, tempDir } from './testing/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function dir(): Promise<string> {
  const d = await tempDir('db');
  cleanups.push(d.cleanup);
  return d.path;
}

async function commitCount(registry: Registry): Promise<number> {
  const m = await registry.getSingleMetric('paraloom_storage_commits_total')!.get();
  return m.values.reduce((s, v) => s + v.value, 0);
}

function put(k: number, v = 1): WriteBatch {
  const key = Buffer.alloc(5);
  key[0] = 0x77;
  key.writeUInt32BE(k, 1);
  return new WriteBatch().put(key, Uint8Array.of(v));
}

describe('Database', () => {
  it('writes the schema version on create and reopens', async () => {
    const path = await dir();
    const db = await Database.open(path, { logger: quietLogger });
    const raw = await db.get(metaKey('schema_version'));
    expect(raw?.readUInt32LE(0)).toBe(SCHEMA_VERSION);
    await db.write(put(1));
    await db.close();
    const again = await Database.open(path, { logger: quietLogger });
    expect(await again.get(put(1).ops[0]!.key)).toEqual(Buffer.from([1]));
    await again.close();
  });

  it('refuses a database from a newer schema version with SCHEMA_TOO_NEW', async () => {
    const path = await dir();
    const raw = new RocksLevel(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await raw.open({ createIfMissing: true });
    const v = Buffer.alloc(4);
    v.writeUInt32LE(SCHEMA_VERSION + 1);
    await raw.batch([{ type: 'put', key: metaKey('schema_version'), value: v }], { sync: true });
    await raw.close();
    const err = await Database.open(path, { logger: quietLogger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('SCHEMA_TOO_NEW');
    expect((err as StorageError).context).toMatchObject({
      version: SCHEMA_VERSION + 1,
      supported: SCHEMA_VERSION,
    });
    // The refused open released the lock: the directory can be opened raw again.
    const again = new RocksLevel(path);
    await again.open();
    await again.close();
  });

  it('refuses data without a schema version', async () => {
    const path = await dir();
    const raw = new RocksLevel(path, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    await raw.open({ createIfMissing: true });
    await raw.batch([{ type: 'put', key: Buffer.from('x'), value: Buffer.from('y') }], { sync: true });
    await raw.close();
    await expect(Database.open(path, { logger: quietLogger })).rejects.toMatchObject({
      code: 'SCHEMA_INVALID',
    });
  });

  it('reports a second open of a locked directory as DB_LOCKED', async () => {
    const path = await dir();
    const db = await Database.open(path, { logger: quietLogger });
    const err = await Database.open(path, { logger: quietLogger }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('DB_LOCKED');
    await db.close();
    const again = await Database.open(path, { logger: quietLogger });
    await again.close();
  });

  it('merges concurrent writers into few synced batches with group commit', async () => {
    const registry = new Registry();
    const db = await Database.open(await dir(), { logger: quietLogger, registry });
    const before = await commitCount(registry);
    await Promise.all(Array.from({ length: 200 }, (_, i) => db.write(put(i))));
    const merged = (await commitCount(registry)) - before;
    expect(merged).toBeGreaterThanOrEqual(1);
    expect(merged).toBeLessThan(10);
    const values = await db.getMany(Array.from({ length: 200 }, (_, i) => put(i).ops[0]!.key));
    expect(values.every((v) => v?.[0] === 1)).toBe(true);
    await db.close();
  });

  it('answers point reads on the calling thread, missing keys as undefined, and refuses them once closed', async () => {
    const db = await Database.open(await dir(), { logger: quietLogger });
    await db.write(put(1, 7));
    await db.write(put(3, 9));
    const keys = [1, 2, 3].map((k) => put(k).ops[0]!.key);
    expect(db.getManySync(keys).map((v) => v?.[0])).toEqual([7, undefined, 9]);
    expect(db.getManySync([])).toEqual([]);
    // What a synchronous read sees is what the asynchronous one sees.
    expect(db.getManySync(keys)).toEqual(await db.getMany(keys));
    await db.close();
    expect(() => db.getManySync(keys)).toThrow(expect.objectContaining({ code: 'DB_NOT_OPEN' }));
  });

  it('writes each batch separately without group commit', async () => {
    const registry = new Registry();
    const db = await Database.open(await dir(), { logger: quietLogger, registry, groupCommit: false });
    const before = await commitCount(registry);
    await Promise.all(Array.from({ length: 50 }, (_, i) => db.write(put(i))));
    expect((await commitCount(registry)) - before).toBe(50);
    await db.close();
  });

  it('keeps commit order across merged batches and runs hooks only after the write', async () => {
    const db = await Database.open(await dir(), { logger: quietLogger, maxBatchOps: 3 });
    const order: number[] = [];
    const writes = Array.from({ length: 10 }, (_, i) => {
      const b = put(7, i).onCommit(() => order.push(i));
      return db.write(b);
    });
    await Promise.all(writes);
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect((await db.get(put(7).ops[0]!.key))?.[0]).toBe(9);
    await db.close();
  });

  it('answers queued writers before closing, and rejects writes after close', async () => {
    const db = await Database.open(await dir(), { logger: quietLogger });
    const pending = Array.from({ length: 20 }, (_, i) => db.write(put(i)));
    await db.close();
    await Promise.all(pending);
    await expect(db.write(put(1))).rejects.toMatchObject({ code: 'DB_NOT_OPEN' });
  });

  it('iterates big-endian numeric keys in numeric order past 255', async () => {
    const db = await Database.open(await dir(), { logger: quietLogger });
    const b = new WriteBatch();
    const n = 700;
    // Insert in a scrambled order.
    for (let i = 0; i < n; i++) b.ops.push(...put((i * 389) % n).ops);
    await db.write(b);
    const seen: number[] = [];
    for await (const [k] of db.iterate({ gte: Buffer.from([0x77]), lt: Buffer.from([0x78]) }))
      seen.push(k.readUInt32BE(1));
    expect(seen).toEqual(Array.from({ length: n }, (_, i) => i));
    await db.close();
  });
});
