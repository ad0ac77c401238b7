import { afterEach, describe, expect, it } from 'vitest';
import { type Field, fieldToBytesLE, hash1, MerkleTree, randomField, toField } from '../privacy/index.js';
import { WriteBatch } from './batch.js';
import { Prefix } from './keys.js';
import { NodeStorage } from './node-storage.js';
import { quietLogger, tempDir } from './testing/index.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const hashOf = (h: number) => Uint8Array.from({ length: 32 }, (_, i) => (h * 31 + i) & 0xff);

describe('NodeStorage.commitBlock', () => {
  it('writes tree, nullifiers, block, QC and cursor together, or nothing at all', async () => {
    const d = await tempDir('node');
    cleanups.push(d.cleanup);
    let storage = await NodeStorage.open(d.path, { logger: quietLogger });
    let tree = await MerkleTree.open(storage.tree);
    const leaves: Field[] = [hash1(toField(1n)), hash1(toField(2n))];
    const spent = [randomField(), randomField()];
    const plan = tree.planAppend(leaves);
    await storage.commitBlock({
      height: 1n,
      hash: hashOf(1),
      block: Uint8Array.of(1),
      qc: Uint8Array.of(2),
      tree: plan,
      nullifiers: spent,
      depositCursor: { consumed: 2n, accumulator: leaves[0]!, slot: 77n },
      spendRoots: {
        put: [{ root: plan.state.rootHistory.at(-1)!, height: 1n, timestampMs: 1_000n }],
        delete: [],
        windowMs: 600_000n,
      },
    });
    tree.adopt(plan, leaves.length);

    // A block that re-spends a nullifier writes nothing: not its tree changes, block or cursor.
    const plan2 = tree.planAppend([hash1(toField(3n))]);
    await expect(
      storage.commitBlock({
        height: 2n,
        hash: hashOf(2),
        block: Uint8Array.of(3),
        tree: plan2,
        nullifiers: [randomField(), spent[1]!],
        depositCursor: { consumed: 3n, accumulator: leaves[1]!, slot: 78n },
        spendRoots: {
          put: [{ root: plan2.state.rootHistory.at(-1)!, height: 2n, timestampMs: 2_000n }],
          delete: [],
        },
      }),
    ).rejects.toMatchObject({ code: 'NULLIFIER_EXISTS' });
    // A wrong height writes nothing either, and releases its nullifiers.
    const fresh = randomField();
    await expect(
      storage.commitBlock({ height: 5n, hash: hashOf(5), block: Uint8Array.of(5), nullifiers: [fresh] }),
    ).rejects.toMatchObject({ code: 'BLOCK_HEIGHT_GAP' });
    expect(await storage.nullifiers.has(fresh)).toBe(false);
    await storage.close();

    storage = await NodeStorage.open(d.path, { logger: quietLogger });
    tree = await MerkleTree.open(storage.tree);
    expect(tree.size).toBe(2);
    expect(await storage.spendRoots.load()).toEqual({
      windowMs: 600_000n,
      entries: [{ root: tree.root, height: 1n, timestampMs: 1_000n }],
    });
    expect(await storage.nullifiers.hasMany(spent)).toEqual([true, true]);
    expect(storage.nullifiers.size).toBe(2n);
    // The order entries came with the block and the refused ones left none.
    const ordered: Field[] = [];
    for await (const n of storage.nullifiers.inOrder()) ordered.push(n);
    expect(ordered).toEqual(spent);
    expect(storage.blocks.tip()?.height).toBe(1n);
    expect(await storage.blocks.getByHeight(2n)).toBeUndefined();
    expect(await storage.blocks.getQc(1n)).toEqual(Uint8Array.of(2));
    expect(storage.deposits.get()).toEqual({ consumed: 2n, accumulator: leaves[0], slot: 77n });
    await expect(
      storage.deposits.set({ consumed: 1n, accumulator: leaves[0]!, slot: 1n }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await storage.close();
  });

  it('keeps metadata and the compute queue, results and audit log', async () => {
    const d = await tempDir('node');
    cleanups.push(d.cleanup);
    let storage = await NodeStorage.open(d.path, { logger: quietLogger });
    await storage.meta.put('anchored_height', Uint8Array.of(4));
    await expect(storage.meta.put('schema_version', Uint8Array.of(9))).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
    });
    const ids = [1, 2, 3].map((i) => new Uint8Array(32).fill(i));
    for (const id of ids) await storage.compute.enqueue(id, Uint8Array.of(id[0]!, 0xee));
    await expect(storage.compute.enqueue(ids[0]!, Uint8Array.of(0))).rejects.toMatchObject({
      code: 'JOB_EXISTS',
    });
    await storage.compute.complete(ids[1]!, Uint8Array.of(42), Uint8Array.of(1, 2, 3));
    await expect(storage.compute.complete(ids[1]!, Uint8Array.of(42))).rejects.toMatchObject({
      code: 'JOB_UNKNOWN',
    });
    await storage.close();

    storage = await NodeStorage.open(d.path, { logger: quietLogger });
    expect(await storage.meta.get('anchored_height')).toEqual(Uint8Array.of(4));
    const queued = await storage.compute.peek(10);
    expect(queued.map((j) => j.id[0])).toEqual([1, 3]);
    expect(queued[1]).toMatchObject({ state: 'queued', seq: 2n });
    expect(await storage.compute.getResult(ids[1]!)).toEqual(Uint8Array.of(42));
    expect((await storage.compute.getJob(ids[1]!))?.state).toBe('done');
    const seq = await storage.compute.enqueue(new Uint8Array(32).fill(4), new Uint8Array(0));
    expect(seq).toBe(3n);
    await storage.compute.appendAudit(Uint8Array.of(9));
    expect((await storage.compute.audit(0n, 10)).map((e) => [e.seq, e.entry[0]])).toEqual([
      [0n, 1],
      [1n, 9],
    ]);
    await storage.close();
  });
});

describe('SpendRootStore', () => {
  it('puts, moves and deletes entries by root; a corrupt entry is a typed error', async () => {
    const d = await tempDir('spend-roots');
    const storage = await NodeStorage.open(d.path, { logger: quietLogger });
    cleanups.push(async () => {
      await storage.close();
      await d.cleanup();
    });
    expect(await storage.spendRoots.load()).toEqual({ windowMs: undefined, entries: [] });
    const [r1, r2] = [toField(11n), toField(12n)];
    await storage.spendRoots.write({
      put: [
        { root: r1, height: 1n, timestampMs: 10n },
        { root: r2, height: 2n, timestampMs: 20n },
      ],
      delete: [],
      windowMs: 0n,
    });
    await storage.spendRoots.write({ put: [{ root: r1, height: 3n, timestampMs: 30n }], delete: [r2] });
    expect(await storage.spendRoots.load()).toEqual({
      windowMs: 0n,
      entries: [{ root: r1, height: 3n, timestampMs: 30n }],
    });
    await expect(
      storage.spendRoots.write({ put: [{ root: r2, height: -1n, timestampMs: 0n }], delete: [] }),
    ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(() => storage.meta.stage(new WriteBatch(), 'spend_root_window_ms', Uint8Array.of(1))).toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT' }),
    );
    const batch = new WriteBatch();
    batch.put(
      Buffer.concat([Buffer.of(Prefix.SPEND_ROOT), Buffer.from(fieldToBytesLE(r2))]),
      Uint8Array.of(1, 2),
    );
    await storage.db.write(batch, { sync: true });
    await expect(storage.spendRoots.load()).rejects.toMatchObject({ code: 'VALUE_CORRUPT' });
  });
});
