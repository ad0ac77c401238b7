import { afterEach, describe, expect, it } from 'vitest';
import { WriteBatch } from './batch.js';
import { BlockStore } from './block-store.js';
import { Database } from './db.js';
import { quietLogger, tempDir } from './testing/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const hashOf = (h: number) => {
  const out = new Uint8Array(32);
  new DataView(out.buffer).setUint32(0, h * 2654435761, true);
  out[31] = 0xaa;
  return out;
};
const blockOf = (h: number) => new TextEncoder().encode(`block ${h}`);

describe('BlockStore', () => {
  it('counts a staged block as readable only once its batch is written', async () => {
    const d = await tempDir('blocks-staged');
    cleanups.push(d.cleanup);
    const db = await Database.open(d.path, { logger: quietLogger });
    const store = await BlockStore.open(db);
    await store.put({ height: 1n, hash: hashOf(1), block: blockOf(1) });
    const batch = new WriteBatch();
    store.stage(batch, { height: 2n, hash: hashOf(2), block: blockOf(2) });
    expect(store.tip()?.height).toBe(2n);
    expect(store.writtenTipHeight()).toBe(1n);
    expect(await store.getByHeight(2n)).toBeUndefined();
    await db.write(batch, { sync: true });
    store.markWritten(2n);
    expect(store.writtenTipHeight()).toBe(2n);
    expect((await store.getByHeight(2n))?.block).toEqual(blockOf(2));
    await db.close();
  });

  it('stores blocks and QCs by height and hash, in numeric order past 255, across reopen', async () => {
    const d = await tempDir('blocks');
    cleanups.push(d.cleanup);
    let db = await Database.open(d.path, { logger: quietLogger });
    let store = await BlockStore.open(db);
    expect(store.tip()).toBeUndefined();
    const n = 300;
    for (let h = 1; h <= n; h++) {
      await store.put({
        height: BigInt(h),
        hash: hashOf(h),
        block: blockOf(h),
        qc: h % 2 ? Uint8Array.of(h & 0xff) : undefined,
      });
    }
    await store.putQc(2n, Uint8Array.of(9, 9));
    await db.close();

    db = await Database.open(d.path, { logger: quietLogger });
    store = await BlockStore.open(db);
    expect(store.tip()).toEqual({ height: BigInt(n), hash: hashOf(n) });
    const range = await store.range(250n, 20);
    expect(range.map((b) => Number(b.height))).toEqual(Array.from({ length: 20 }, (_, i) => 250 + i));
    expect(range[6]!.block).toEqual(blockOf(256));
    expect((await store.getByHash(hashOf(257)))?.height).toBe(257n);
    expect(await store.getByHash(new Uint8Array(32))).toBeUndefined();
    expect(await store.getQc(3n)).toEqual(Uint8Array.of(3));
    expect(await store.getQc(2n)).toEqual(Uint8Array.of(9, 9));
    expect(await store.getQc(4n)).toBeUndefined();
    expect((await store.range(1n, 1000)).length).toBe(n);

    await expect(store.put({ height: 300n, hash: hashOf(1), block: blockOf(1) })).rejects.toMatchObject({
      code: 'BLOCK_CONFLICT',
    });
    await expect(store.put({ height: 302n, hash: hashOf(302), block: blockOf(302) })).rejects.toMatchObject({
      code: 'BLOCK_HEIGHT_GAP',
    });
    await expect(
      store.put({ height: 301n, hash: new Uint8Array(31), block: blockOf(301) }),
    ).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    await expect(store.putQc(999n, Uint8Array.of(1))).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await db.close();
  });

  it('holds blocks below the chain apart from it: no tip, no hash index, in height order', async () => {
    const d = await tempDir('blocks-held');
    cleanups.push(d.cleanup);
    const db = await Database.open(d.path, { logger: quietLogger });
    let store = await BlockStore.open(db);
    const batch = new WriteBatch();
    for (const h of [300, 7, 40])
      store.stageHeld(batch, { height: BigInt(h), hash: hashOf(h), block: blockOf(h) });
    await db.write(batch, { sync: true });
    await store.put({ height: 500n, hash: hashOf(500), block: blockOf(500) });
    store = await BlockStore.open(db);
    expect(store.tip()?.height).toBe(500n);
    expect(await store.getByHeight(40n)).toBeUndefined();
    expect(await store.getByHash(hashOf(40))).toBeUndefined();
    expect((await store.getHeld(40n))?.block).toEqual(blockOf(40));
    expect((await store.getStoredOrHeld(40n))?.hash).toEqual(hashOf(40));
    expect((await store.getStoredOrHeld(500n))?.block).toEqual(blockOf(500));
    expect(await store.getStoredOrHeld(41n)).toBeUndefined();
    const held: bigint[] = [];
    for await (const b of store.held()) held.push(b.height);
    expect(held).toEqual([7n, 40n, 300n]);
    expect((await store.range(1n, 10)).map((b) => b.height)).toEqual([500n]);
    expect(() =>
      store.stageHeld(new WriteBatch(), { height: 0n, hash: hashOf(0), block: blockOf(0) }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    expect(() =>
      store.stageHeld(new WriteBatch(), { height: 3n, hash: new Uint8Array(31), block: blockOf(3) }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_ARGUMENT' }));
    await db.close();
  });
});
