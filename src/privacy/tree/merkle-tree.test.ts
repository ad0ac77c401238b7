import { describe, expect, it } from 'vitest';
import { PrivacyError } from '../errors.js';
import { type Field, randomField, toField } from '../field.js';
import { hash2 } from '../poseidon.js';
import { computeRoot, MerkleTree, verifyPath } from './merkle-tree.js';
import { MemoryTreeStorage } from './storage.js';
import { ROOT_HISTORY_SIZE, TREE_DEPTH, ZERO_HASHES } from './zero-hashes.js';

/** Reference: the root of a depth-32 tree holding `leaves`, computed level by level from scratch. */
function referenceRoot(leaves: Field[]): Field {
  let level = [...leaves];
  for (let l = 0; l < TREE_DEPTH; l++) {
    const next: Field[] = [];
    for (let i = 0; i < level.length; i += 2) next.push(hash2(level[i]!, level[i + 1] ?? ZERO_HASHES[l]!));
    level = next.length ? next : [ZERO_HASHES[l + 1]!];
  }
  return level[0]!;
}

describe('commitment tree', () => {
  it('starts at the empty root', async () => {
    const tree = await MerkleTree.open(new MemoryTreeStorage());
    expect(tree.root).toBe(ZERO_HASHES[TREE_DEPTH]);
    expect(tree.size).toBe(0);
  });

  it('matches a from-scratch reference for single and batch appends, across 255/256 boundaries', async () => {
    const tree = await MerkleTree.open(new MemoryTreeStorage());
    const leaves: Field[] = [];
    for (let i = 0; i < 5; i++) {
      const leaf = randomField();
      leaves.push(leaf);
      expect(await tree.append(leaf)).toBe(i);
      expect(tree.root).toBe(referenceRoot(leaves));
    }
    for (const size of [1, 2, 3, 7, 16, 250, 33]) {
      const batch = Array.from({ length: size }, () => randomField());
      const first = await tree.appendBatch(batch);
      expect(first).toBe(leaves.length);
      leaves.push(...batch);
      expect(tree.root).toBe(referenceRoot(leaves));
    }
    expect(tree.size).toBe(leaves.length);
    for (const index of [0, 1, 4, 5, 254, 255, 256, 257, leaves.length - 1]) {
      const path = await tree.path(index);
      expect(verifyPath(leaves[index]!, path, tree.root)).toBe(true);
      expect(verifyPath(leaves[index]!, { ...path, leafIndex: index ^ 1 }, tree.root)).toBe(false);
      expect(computeRoot(toField(12345n), path)).not.toBe(tree.root);
    }
  });

  it('reopens from storage with the same frontier, root and history', async () => {
    const storage = new MemoryTreeStorage();
    const tree = await MerkleTree.open(storage);
    await tree.appendBatch(Array.from({ length: 37 }, () => randomField()));
    await tree.append(randomField());
    const reopened = await MerkleTree.open(storage);
    expect(reopened.root).toBe(tree.root);
    expect(reopened.rootHistory).toEqual(tree.rootHistory);
    const next = randomField();
    await tree.append(next);
    await reopened.append(next);
    expect(reopened.root).toBe(tree.root);
  });

  it('keeps exactly the last 64 roots', async () => {
    const tree = await MerkleTree.open(new MemoryTreeStorage());
    const roots: Field[] = [];
    for (let i = 0; i < ROOT_HISTORY_SIZE + 10; i++) {
      await tree.append(randomField());
      roots.push(tree.root);
    }
    expect(tree.rootHistory.length).toBe(ROOT_HISTORY_SIZE);
    expect(tree.isKnownRoot(roots[roots.length - 1]!)).toBe(true);
    expect(tree.isKnownRoot(roots[roots.length - ROOT_HISTORY_SIZE]!)).toBe(true);
    expect(tree.isKnownRoot(roots[roots.length - ROOT_HISTORY_SIZE - 1]!)).toBe(false);
  });

  it('planAppend changes nothing until adopt', async () => {
    const tree = await MerkleTree.open(new MemoryTreeStorage());
    await tree.append(randomField());
    const before = tree.root;
    const plan = tree.planAppend([randomField(), randomField()]);
    expect(tree.root).toBe(before);
    expect(plan.state.leafCount).toBe(3);
    tree.adopt(plan, 2);
    expect(tree.root).toBe(plan.state.rootHistory.at(-1));
    expect(() => tree.adopt(plan, 2)).toThrow(PrivacyError);
  });

  it('rejects out-of-range indexes with a typed error', async () => {
    const tree = await MerkleTree.open(new MemoryTreeStorage());
    await tree.append(randomField());
    await expect(tree.path(1)).rejects.toMatchObject({ code: 'TREE_INDEX_OUT_OF_RANGE' });
    await expect(tree.path(-1)).rejects.toMatchObject({ code: 'TREE_INDEX_OUT_OF_RANGE' });
    await expect(tree.getLeaf(2 ** 40)).rejects.toMatchObject({ code: 'TREE_INDEX_OUT_OF_RANGE' });
  });
});
