import { afterEach, describe, expect, it } from 'vitest';
import { type Field, randomField } from '../privacy/index.js';
import { Database } from './db.js';
import { NullifierStore } from './nullifier-store.js';
import { quietLogger, tempDir } from './testing/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

describe('NullifierStore', () => {
  it('adds, finds, counts across reopen, and refuses a spent nullifier', async () => {
    const d = await tempDir('nf');
    cleanups.push(d.cleanup);
    let db = await Database.open(d.path, { logger: quietLogger });
    let store = await NullifierStore.open(db);
    const ns = Array.from({ length: 10 }, () => randomField());
    await store.add(ns.slice(0, 5));
    await Promise.all(ns.slice(5).map((n) => store.add([n])));
    expect(store.size).toBe(10n);
    expect(await store.hasMany(ns)).toEqual(ns.map(() => true));
    expect(await store.has(randomField())).toBe(false);
    await expect(store.add([randomField(), ns[3]!])).rejects.toMatchObject({ code: 'NULLIFIER_EXISTS' });
    expect(store.size).toBe(10n);
    await db.close();

    db = await Database.open(d.path, { logger: quietLogger });
    store = await NullifierStore.open(db);
    expect(store.size).toBe(10n);
    const all: Field[] = [];
    for await (const n of store.all()) all.push(n);
    expect(new Set(all)).toEqual(new Set(ns));
    await db.close();
  });

  it('lets only one of two concurrent adds of the same nullifier succeed', async () => {
    const d = await tempDir('nf');
    cleanups.push(d.cleanup);
    const db = await Database.open(d.path, { logger: quietLogger });
    const store = await NullifierStore.open(db);
    const n = randomField();
    const results = await Promise.allSettled([store.add([n]), store.add([n]), store.add([randomField(), n])]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results)
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'NULLIFIER_EXISTS' });
    // A duplicate inside one call is refused too.
    const m = randomField();
    await expect(store.add([m, m])).rejects.toMatchObject({ code: 'NULLIFIER_EXISTS' });
    expect(await store.has(m)).toBe(false);
    expect(store.size).toBe(1n);
    await db.close();
  });
});
