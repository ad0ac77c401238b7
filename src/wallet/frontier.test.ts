import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Field,
  loadWasmPoseidon,
  MemoryTreeStorage,
  MerkleTree,
  randomField,
  TREE_DEPTH,
  ZERO_HASHES,
} from '../privacy/index.js';
import { TreeFrontier } from './frontier.js';
import { IncrementalWitness } from './witness.js';

beforeAll(loadWasmPoseidon);

/** A deterministic generator, so a failure can be replayed with the seed it prints. */
function rng(seed: number): (n: number) => number {
  let x = seed >>> 0 || 1;
  return (n) => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x % n;
  };
}

describe('tree frontier and incremental witnesses', () => {
  it('starts at the empty root and refuses a frontier of the wrong shape', () => {
    expect(TreeFrontier.empty().root).toBe(ZERO_HASHES[TREE_DEPTH]);
    const left = new Array<Field | undefined>(TREE_DEPTH).fill(undefined);
    expect(() => TreeFrontier.of(1, left)).toThrowError(
      expect.objectContaining({ code: 'FRONTIER_INVALID' }),
    );
    expect(() => TreeFrontier.of(0, left.slice(1))).toThrowError(
      expect.objectContaining({ code: 'FRONTIER_INVALID' }),
    );
    expect(() => TreeFrontier.of(-1, left)).toThrowError(
      expect.objectContaining({ code: 'FRONTIER_INVALID' }),
    );
  });

  for (const seed of [1, 7, 2026]) {
    it(`agrees with a full tree over random appends, for witnesses made at many positions (seed ${seed})`, async () => {
      const next = rng(seed);
      const tree = await MerkleTree.open(new MemoryTreeStorage());
      let frontier = TreeFrontier.empty();
      const witnesses: IncrementalWitness[] = [];
      const leaves: Field[] = [];
      /** Frontiers and full-tree paths kept at some sizes, to ask old roots of newer witnesses. */
      const snapshots: Array<{ frontier: TreeFrontier; root: Field }> = [];
      for (let round = 0; round < 40; round++) {
        // Batches of 1 to 64 leaves, some of exactly one leaf, crossing many subtree boundaries.
        const batch = Array.from({ length: 1 + next(next(4) === 0 ? 2 : 64) }, () => randomField());
        const { frontier: after, nodes } = frontier.append(batch);
        await tree.appendBatch(batch);
        for (const w of witnesses) w.update(nodes);
        for (let i = 0; i < batch.length; i++) {
          if (next(5) === 0 || i === 0 || i === batch.length - 1) {
            witnesses.push(IncrementalWitness.fromAppend(frontier.leafCount + i, nodes));
          }
        }
        leaves.push(...batch);
        frontier = after;
        expect(frontier.leafCount).toBe(tree.size);
        expect(frontier.root).toBe(tree.root);
        const same = TreeFrontier.of(frontier.leafCount, frontier.left);
        expect(same.root).toBe(tree.root);
        if (round % 8 === 3) snapshots.push({ frontier, root: tree.root });
      }
      for (const w of witnesses) {
        const path = w.pathAt(frontier);
        expect(path).toEqual(await tree.path(w.leafIndex));
      }
      // Against older roots (an anchored root, say), for every witness whose leaf they hold.
      for (const { frontier: old, root } of snapshots) {
        const rebuilt = await MerkleTree.open(new MemoryTreeStorage());
        await rebuilt.appendBatch(leaves.slice(0, old.leafCount));
        expect(rebuilt.root).toBe(root);
        for (const w of witnesses.filter((x) => x.leafIndex < old.leafCount)) {
          expect(w.pathAt(old)).toEqual(await rebuilt.path(w.leafIndex));
        }
        const newer = witnesses.find((x) => x.leafIndex >= old.leafCount);
        if (newer)
          expect(() => newer.pathAt(old)).toThrowError(expect.objectContaining({ code: 'FRONTIER_INVALID' }));
      }
      // A witness survives its JSON form.
      const w = witnesses[witnesses.length >> 1]!;
      expect(IncrementalWitness.fromJSON(w.toJSON()).pathAt(frontier)).toEqual(w.pathAt(frontier));
    });
  }

  it('a sparse append, taking unhashed subtrees from their roots, gives the same frontier and witnesses', () => {
    const next = rng(99);
    let dense = TreeFrontier.empty();
    let sparse = TreeFrontier.empty();
    const denseWitnesses: IncrementalWitness[] = [];
    const sparseWitnesses: IncrementalWitness[] = [];
    let totalAsked = 0;
    for (let round = 0; round < 12; round++) {
      const batch = Array.from({ length: 1 + next(90) }, () => randomField());
      const kept = new Set<number>();
      for (let i = 0; i < batch.length; i++) if (next(25) === 0) kept.add(dense.leafCount + i);
      const d = dense.append(batch);
      let asked = 0;
      const s = sparse.append(batch, {
        level: 4,
        hashed: (k) => [...kept].some((leaf) => Math.floor(leaf / 16) === k),
        roots: (k) => {
          asked++;
          return d.nodes.complete(4, k)!;
        },
      });
      expect(s.frontier.root).toBe(d.frontier.root);
      expect(s.frontier.left).toEqual(d.frontier.left);
      totalAsked += asked;
      for (const w of denseWitnesses) w.update(d.nodes);
      for (const w of sparseWitnesses) w.update(s.nodes);
      for (const leaf of kept) {
        denseWitnesses.push(IncrementalWitness.fromAppend(leaf, d.nodes));
        sparseWitnesses.push(IncrementalWitness.fromAppend(leaf, s.nodes));
      }
      dense = d.frontier;
      sparse = s.frontier;
    }
    expect(sparseWitnesses.length).toBeGreaterThan(5);
    // Most subtrees were taken from their roots, not hashed.
    expect(totalAsked).toBeGreaterThan(10);
    sparseWitnesses.forEach((w, i) => {
      expect(w.pathAt(sparse)).toEqual(denseWitnesses[i]!.pathAt(dense));
    });
  });

  it('a witness not updated to a newer size refuses that size instead of giving a wrong path', () => {
    const first = TreeFrontier.empty().append([randomField(), randomField()]);
    const w = IncrementalWitness.fromAppend(0, first.nodes);
    const later = first.frontier.append([randomField(), randomField(), randomField()]);
    expect(() => w.pathAt(later.frontier)).toThrowError(
      expect.objectContaining({ code: 'FRONTIER_INVALID' }),
    );
    expect(() => IncrementalWitness.fromAppend(0, later.nodes)).toThrowError(
      expect.objectContaining({ code: 'FRONTIER_INVALID' }),
    );
    w.update(later.nodes);
    expect(w.pathAt(later.frontier).siblings).toHaveLength(TREE_DEPTH);
  });
});
