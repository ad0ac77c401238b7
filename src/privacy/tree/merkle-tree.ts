import { PrivacyError } from '../errors.js';
import type { Field } from '../field.js';
import { hash2 } from '../poseidon.js';
import type { TreeChanges, TreeNodeWrite, TreeStorage } from './storage.js';
import { ROOT_HISTORY_SIZE, TREE_CAPACITY, TREE_DEPTH, ZERO_HASHES } from './zero-hashes.js';

export interface MerklePath {
  readonly leafIndex: number;
  /** siblings[l] is the sibling at level l (0 = the leaf's sibling). */
  readonly siblings: readonly Field[];
}

/**
 * Fixed-depth (32) append-only sparse Merkle tree over Poseidon P2. Node (l, j) covers leaves
 * [j·2^l, (j+1)·2^l); bit l of a leaf index is 1 when its ancestor at level l is a right child.
 * Every node that exists (index <= last index at its level) is stored; nodes to its right are the
 * zero hashes. In memory we keep only the frontier: per level, the last left child.
 */
export class MerkleTree {
  private leafCount: number;
  private roots: Field[];
  /** The same roots as a set: a spend's root check is one lookup per transaction. */
  private rootSet: Set<Field>;
  /** leftFrontier[l] = value of the highest even-indexed node at level l, if any. */
  private readonly leftFrontier: (Field | undefined)[];

  private constructor(
    private readonly storage: TreeStorage,
    leafCount: number,
    roots: Field[],
    leftFrontier: (Field | undefined)[],
  ) {
    this.leafCount = leafCount;
    this.roots = roots;
    this.rootSet = new Set(roots);
    this.leftFrontier = leftFrontier;
  }

  static async open(storage: TreeStorage): Promise<MerkleTree> {
    const state = await storage.loadState();
    if (!state || state.leafCount === 0) {
      return new MerkleTree(storage, 0, state ? [...state.rootHistory] : [ZERO_HASHES[TREE_DEPTH]!], []);
    }
    const frontier: (Field | undefined)[] = [];
    for (let level = 0; level < TREE_DEPTH; level++) {
      const last = Math.floor((state.leafCount - 1) / 2 ** level);
      const leftIndex = last % 2 === 0 ? last : last - 1;
      const value = await storage.getNode(level, leftIndex);
      if (value === undefined) {
        throw new PrivacyError('TREE_CORRUPT', 'stored tree is missing a frontier node', {
          level,
          leftIndex,
        });
      }
      frontier.push(value);
    }
    if (state.rootHistory.length === 0) {
      throw new PrivacyError('TREE_CORRUPT', 'stored tree has leaves but no root history');
    }
    return new MerkleTree(storage, state.leafCount, [...state.rootHistory], frontier);
  }

  get size(): number {
    return this.leafCount;
  }

  get root(): Field {
    return this.roots[this.roots.length - 1]!;
  }

  /** Oldest first. */
  get rootHistory(): readonly Field[] {
    return this.roots;
  }

  isKnownRoot(root: Field): boolean {
    return this.rootSet.has(root);
  }

  async append(leaf: Field): Promise<number> {
    const index = this.leafCount;
    await this.appendBatch([leaf]);
    return index;
  }

  /** Appends leaves in order as one change (one new root in the history). Returns the first index. */
  async appendBatch(leaves: readonly Field[]): Promise<number> {
    const changes = this.planAppend(leaves);
    await this.storage.writeChanges(changes);
    return this.adopt(changes, leaves.length);
  }

  /**
   * Computes the changes of appending `leaves` without touching storage, so a caller can write
   * them atomically with other state (a block's nullifiers, say) and then call `adopt`.
   */
  planAppend(leaves: readonly Field[]): TreeChanges & { readonly frontier: readonly (Field | undefined)[] } {
    const start = this.leafCount;
    if (leaves.length === 0) {
      return {
        nodes: [],
        state: { leafCount: start, rootHistory: [...this.roots] },
        frontier: this.leftFrontier,
      };
    }
    if (start + leaves.length > TREE_CAPACITY) {
      throw new PrivacyError('TREE_FULL', 'commitment tree is full', { size: start, adding: leaves.length });
    }
    const nodes: TreeNodeWrite[] = [];
    const frontier = [...this.leftFrontier];
    let levelStart = start;
    let values: Field[] = [...leaves];
    for (let level = 0; level < TREE_DEPTH; level++) {
      for (let i = 0; i < values.length; i++) nodes.push({ level, index: levelStart + i, value: values[i]! });
      const levelEnd = levelStart + values.length - 1;
      const parentStart = Math.floor(levelStart / 2);
      const parentEnd = Math.floor(levelEnd / 2);
      const parents: Field[] = [];
      for (let p = parentStart; p <= parentEnd; p++) {
        const left = 2 * p < levelStart ? frontier[level]! : values[2 * p - levelStart]!;
        const right = 2 * p + 1 <= levelEnd ? values[2 * p + 1 - levelStart]! : ZERO_HASHES[level]!;
        parents.push(hash2(left, right));
      }
      const lastEven = levelEnd % 2 === 0 ? levelEnd : levelEnd - 1;
      if (lastEven >= levelStart) frontier[level] = values[lastEven - levelStart]!;
      levelStart = parentStart;
      values = parents;
    }
    const root = values[0]!;
    nodes.push({ level: TREE_DEPTH, index: 0, value: root });
    const rootHistory = [...this.roots, root].slice(-ROOT_HISTORY_SIZE);
    return { nodes, state: { leafCount: start + leaves.length, rootHistory }, frontier };
  }

  /** Makes planned changes current after the caller persisted them. Returns the first new index. */
  adopt(changes: TreeChanges & { readonly frontier: readonly (Field | undefined)[] }, count: number): number {
    const first = this.leafCount;
    if (changes.state.leafCount !== first + count) {
      throw new PrivacyError('TREE_CORRUPT', 'adopting changes planned against another tree state', {
        size: first,
        planned: changes.state.leafCount - count,
      });
    }
    this.leafCount = changes.state.leafCount;
    this.roots = [...changes.state.rootHistory];
    this.rootSet = new Set(this.roots);
    for (let l = 0; l < changes.frontier.length; l++) this.leftFrontier[l] = changes.frontier[l];
    return first;
  }

  async getLeaf(index: number): Promise<Field> {
    this.checkIndex(index);
    return this.readNode(0, index);
  }

  /** Authentication path of leaf `index` against the current root. */
  async path(index: number): Promise<MerklePath> {
    this.checkIndex(index);
    const siblings: Field[] = [];
    for (let level = 0; level < TREE_DEPTH; level++) {
      const sibling = Math.floor(index / 2 ** level) ^ 1;
      const last = Math.floor((this.leafCount - 1) / 2 ** level);
      siblings.push(sibling <= last ? await this.readNode(level, sibling) : ZERO_HASHES[level]!);
    }
    return { leafIndex: index, siblings };
  }

  private async readNode(level: number, index: number): Promise<Field> {
    const value = await this.storage.getNode(level, index);
    if (value === undefined) {
      throw new PrivacyError('TREE_CORRUPT', 'stored tree is missing a node', { level, index });
    }
    return value;
  }

  private checkIndex(index: number): void {
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.leafCount) {
      throw new PrivacyError('TREE_INDEX_OUT_OF_RANGE', 'no leaf at this index', {
        index,
        size: this.leafCount,
      });
    }
  }
}

/** Root obtained by hashing `leaf` up along `path`; compare it with a known root. */
export function computeRoot(leaf: Field, path: MerklePath): Field {
  if (path.siblings.length !== TREE_DEPTH) {
    throw new PrivacyError('TREE_INDEX_OUT_OF_RANGE', 'path has the wrong depth', {
      depth: path.siblings.length,
    });
  }
  let node = leaf;
  for (let level = 0; level < TREE_DEPTH; level++) {
    const isRight = Math.floor(path.leafIndex / 2 ** level) % 2 === 1;
    node = isRight ? hash2(path.siblings[level]!, node) : hash2(node, path.siblings[level]!);
  }
  return node;
}

export function verifyPath(leaf: Field, path: MerklePath, root: Field): boolean {
  if (!Number.isSafeInteger(path.leafIndex) || path.leafIndex < 0 || path.leafIndex >= TREE_CAPACITY)
    return false;
  return computeRoot(leaf, path) === root;
}
