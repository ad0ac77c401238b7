import { type Field, hash2, TREE_DEPTH, ZERO_HASHES } from '../privacy/index.js';
import { WalletError } from './errors.js';

// Node (l, k) of the commitment tree covers leaves [k·2^l, (k+1)·2^l). Leaf indexes reach 2^32, past
// the 32-bit range of JavaScript's shift operators, so levels are taken by division.
const nodeIndex = (leaf: number, level: number): number => Math.floor(leaf / 2 ** level);
const isRightChild = (leaf: number, level: number): boolean => nodeIndex(leaf, level) % 2 === 1;

/**
 * The tree nodes one appended batch of leaves computed, level by level: enough to fill the frontier
 * and every witness the batch completes, at about one hash per leaf (plus one per level).
 */
export class AppendedNodes {
  constructor(
    /** Tree size before the batch. */
    readonly start: number,
    /** Tree size after it. */
    readonly end: number,
    /**
     * Node values at each level for indexes nodeIndex(start) ..= nodeIndex(end - 1); the last may be
     * partial; undefined below a sparse append's subtree level in the subtrees it did not hash.
     */
    private readonly levels: readonly (readonly (Field | undefined)[])[],
    /** The frontier before the batch: the complete left nodes it leaned on. */
    private readonly before: readonly (Field | undefined)[],
  ) {}

  /** The value of node (level, k) if it is complete after the batch and this batch or its frontier knows it. */
  complete(level: number, k: number): Field | undefined {
    if ((k + 1) * 2 ** level > this.end) return undefined;
    const first = nodeIndex(this.start, level);
    if (k >= first) return this.levels[level]?.[k - first];
    return k === first - 1 ? this.before[level] : undefined;
  }
}

/** Which complete subtrees an append may take from someone else instead of hashing their leaves. */
export interface SparseAppend {
  /** Subtrees of 2^level leaves. */
  readonly level: number;
  /** Whether subtree k (node (level, k)) must be hashed: it holds a leaf the caller keeps a witness for. */
  readonly hashed: (k: number) => boolean;
  /** The root of complete subtree k, for those not hashed. */
  readonly roots: (k: number) => Field;
}

/**
 * The commitment tree as a wallet needs it, without its leaves: the size and, per level, the complete
 * left sibling on the path of the next leaf (set where the size has that bit). From it follow the root
 * and the partial nodes on the right edge, so paths can be completed for any root of this size.
 */
export class TreeFrontier {
  private constructor(
    readonly leafCount: number,
    /** left[l] = node (l, nodeIndex(leafCount, l) - 1) when bit l of leafCount is set, else undefined. */
    readonly left: readonly (Field | undefined)[],
  ) {}

  static empty(): TreeFrontier {
    return new TreeFrontier(0, new Array<Field | undefined>(TREE_DEPTH).fill(undefined));
  }

  /** A frontier given by someone else (a validator, a file): its shape is checked, its root is the caller's to check. */
  static of(leafCount: number, left: readonly (Field | undefined)[]): TreeFrontier {
    if (!Number.isSafeInteger(leafCount) || leafCount < 0 || leafCount > 2 ** TREE_DEPTH) {
      throw new WalletError('FRONTIER_INVALID', 'a frontier needs a tree size from 0 to 2^32', { leafCount });
    }
    if (left.length !== TREE_DEPTH) {
      throw new WalletError('FRONTIER_INVALID', `a frontier has ${TREE_DEPTH} levels`, {
        leafCount,
        levels: left.length,
      });
    }
    for (let l = 0; l < TREE_DEPTH; l++) {
      if (isRightChild(leafCount, l) !== (left[l] !== undefined)) {
        throw new WalletError(
          'FRONTIER_INVALID',
          'a frontier has a left node exactly where its size has a bit',
          {
            leafCount,
            level: l,
          },
        );
      }
    }
    return new TreeFrontier(leafCount, [...left]);
  }

  /**
   * Values of the nodes on the right edge that hold the next leaf position: partial[l] is node
   * (l, nodeIndex(leafCount, l)), its missing leaves counted as zero; partial[TREE_DEPTH] is the root.
   */
  rightEdge(): Field[] {
    const edge: Field[] = [];
    let node = ZERO_HASHES[0]!;
    for (let l = 0; l < TREE_DEPTH; l++) {
      edge.push(node);
      const left = this.left[l];
      node = left !== undefined ? hash2(left, node) : hash2(node, ZERO_HASHES[l]!);
    }
    edge.push(node);
    return edge;
  }

  get root(): Field {
    return this.rightEdge()[TREE_DEPTH]!;
  }

  /**
   * The frontier after appending `leaves`, and the nodes the append computed (for witnesses). With
   * `sparse`, complete subtrees of `2^sparse.level` leaves that `sparse.hashed` does not name are
   * not hashed: their roots are `sparse.roots(k)` (a validator's, checked with the resulting root), so
   * a sync hashes only the subtrees holding leaves it keeps witnesses for. The first and last subtree
   * of the batch (the frontier's) are always hashed.
   */
  append(leaves: readonly Field[], sparse?: SparseAppend): { frontier: TreeFrontier; nodes: AppendedNodes } {
    const start = this.leafCount;
    const end = start + leaves.length;
    if (end > 2 ** TREE_DEPTH) {
      throw new WalletError('FRONTIER_INVALID', 'the commitment tree holds 2^32 leaves', { leafCount: end });
    }
    const firstSubtree = sparse ? nodeIndex(start, sparse.level) : 0;
    const lastSubtree = sparse ? nodeIndex(end - 1, sparse.level) : 0;
    const levels: (Field | undefined)[][] = [];
    let values: (Field | undefined)[] = [...leaves];
    for (let l = 0; l < TREE_DEPTH && values.length > 0; l++) {
      levels.push(values);
      const first = nodeIndex(start, l);
      const last = first + values.length - 1;
      const parents: (Field | undefined)[] = [];
      for (let p = Math.floor(first / 2); p <= Math.floor(last / 2); p++) {
        if (sparse && l < sparse.level) {
          const subtree = Math.floor(p / 2 ** (sparse.level - l - 1));
          if (subtree !== firstSubtree && subtree !== lastSubtree && !sparse.hashed(subtree)) {
            parents.push(l + 1 === sparse.level ? sparse.roots(subtree) : undefined);
            continue;
          }
        }
        const leftChild = 2 * p < first ? this.left[l]! : values[2 * p - first]!;
        const rightChild = 2 * p + 1 <= last ? values[2 * p + 1 - first]! : ZERO_HASHES[l]!;
        parents.push(hash2(leftChild, rightChild));
      }
      values = parents;
    }
    const nodes = new AppendedNodes(start, end, levels, this.left);
    const left: (Field | undefined)[] = [];
    for (let l = 0; l < TREE_DEPTH; l++) {
      left.push(isRightChild(end, l) ? nodes.complete(l, nodeIndex(end, l) - 1) : undefined);
    }
    return { frontier: new TreeFrontier(end, left), nodes };
  }

  toJSON(): { leafCount: number; left: (string | null)[] } {
    return { leafCount: this.leafCount, left: this.left.map((v) => (v === undefined ? null : v.toString())) };
  }
}

export { isRightChild, nodeIndex };
