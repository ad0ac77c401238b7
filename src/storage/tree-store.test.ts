import { afterEach, describe, expect, it } from 'vitest';
import {
  FIELD_MODULUS,
  type Field,
  hash1,
  MemoryTreeStorage,
  MerkleTree,
  toField,
  verifyPath,
} from '../privacy/index.js';
import { WriteBatch } from './batch.js';
import { Database } from './db.js';
import { StorageError } from './errors.js';
import { treeNodeKey } from './keys.js';
import { quietLogger, tempDir } from './testing/index.js';
import { decodeTreeState, encodeTreeState, RocksTreeStorage } from './tree-store.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

const leaf = (i: number): Field => hash1(toField(BigInt(i + 1)));

describe('RocksTreeStorage', () => {
  it('persists a tree of more than 255 leaves; reopened root, leaves and paths agree with memory', async () => {
    const d = await tempDir('tree');
    cleanups.push(d.cleanup);
    const db = await Database.open(d.path, { logger: quietLogger });
    const tree = await MerkleTree.open(new RocksTreeStorage(db));
    const memory = await MerkleTree.open(new MemoryTreeStorage());
    const n = 300;
    const leaves = Array.from({ length: n }, (_, i) => leaf(i));
    // Several batch sizes so nodes are written across the 255/256 boundary in different ways.
    for (const [from, to] of [
      [0, 1],
      [1, 200],
      [200, 255],
      [255, 257],
      [257, n],
    ] as const) {
      await tree.appendBatch(leaves.slice(from, to));
      await memory.appendBatch(leaves.slice(from, to));
    }
    expect(tree.root).toBe(memory.root);
    await db.close();

    const db2 = await Database.open(d.path, { logger: quietLogger });
    const storage = new RocksTreeStorage(db2);
    const reopened = await MerkleTree.open(storage);
    expect(reopened.size).toBe(n);
    expect(reopened.root).toBe(memory.root);
    expect(reopened.rootHistory).toEqual(memory.rootHistory);
    for (const i of [0, 254, 255, 256, 257, n - 1]) {
      expect(await reopened.getLeaf(i)).toBe(leaves[i]);
      expect(verifyPath(leaves[i]!, await reopened.path(i), reopened.root)).toBe(true);
    }
    // Leaves iterate in numeric order (a little-endian key would put 256 right after 0).
    expect(await storage.leaves(0, n + 10)).toEqual(leaves);
    expect(await storage.leaves(250, 10)).toEqual(leaves.slice(250, 260));
    // The root recomputes from the stored leaves alone.
    const rebuilt = await MerkleTree.open(new MemoryTreeStorage());
    await rebuilt.appendBatch(await storage.leaves(0, n));
    expect(rebuilt.root).toBe(reopened.root);
    await reopened.append(leaf(n));
    await memory.append(leaf(n));
    expect(reopened.root).toBe(memory.root);
    await db2.close();
  });

  it('refuses a non-canonical node value on disk', async () => {
    const d = await tempDir('tree');
    cleanups.push(d.cleanup);
    const db = await Database.open(d.path, { logger: quietLogger });
    const bad = Buffer.alloc(32);
    let p = FIELD_MODULUS; // p itself, little-endian: the n + p class
    for (let i = 0; i < 32; i++) {
      bad[i] = Number(p & 0xffn);
      p >>= 8n;
    }
    await db.write(new WriteBatch().put(treeNodeKey(0, 3), bad));
    const err = await new RocksTreeStorage(db).getNode(0, 3).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StorageError);
    expect((err as StorageError).code).toBe('VALUE_CORRUPT');
    expect(((err as StorageError).cause as { code?: string }).code).toBe('FIELD_NOT_CANONICAL');
    await db.close();
  });

  it('round-trips the state record and rejects truncated or trailing bytes', () => {
    const state = { leafCount: 2 ** 32, rootHistory: [leaf(1), leaf(2)] };
    const raw = encodeTreeState(state);
    expect(decodeTreeState(raw)).toEqual(state);
    expect(() => decodeTreeState(raw.subarray(0, raw.length - 1))).toThrow(StorageError);
    expect(() => decodeTreeState(Uint8Array.from([...raw, 0]))).toThrow(StorageError);
    expect(() => encodeTreeState({ leafCount: 2 ** 32 + 1, rootHistory: [leaf(1)] })).toThrow(StorageError);
  });
});
