import { type Field, type MerklePath, TREE_DEPTH, ZERO_HASHES } from '../privacy/index.js';
import { WalletError } from './errors.js';
import { type AppendedNodes, isRightChild, nodeIndex, type TreeFrontier } from './frontier.js';

/**
 * An incremental witness of one leaf (as Zcash's wallets keep them): its authentication path with
 * the left siblings fixed when the leaf is found and each right sibling filled once the subtree it
 * covers is complete. Siblings still open are taken from a frontier when a path is asked for, so one
 * witness gives the path against the root of any tree size from its leaf up to the one it has seen.
 */
export class IncrementalWitness {
  private constructor(
    readonly leafIndex: number,
    /** siblings[l]: the complete sibling at level l, or undefined while that subtree is still open. */
    private readonly siblings: (Field | undefined)[],
  ) {}

  /** The witness of leaf `leafIndex`, one of the leaves the batch behind `nodes` appended. */
  static fromAppend(leafIndex: number, nodes: AppendedNodes): IncrementalWitness {
    if (leafIndex < nodes.start || leafIndex >= nodes.end) {
      throw new WalletError('FRONTIER_INVALID', 'a witness starts in the batch that appended its leaf', {
        leafCount: nodes.end,
        leafIndex,
      });
    }
    const siblings: (Field | undefined)[] = [];
    for (let l = 0; l < TREE_DEPTH; l++) {
      const k = nodeIndex(leafIndex, l);
      if (isRightChild(leafIndex, l)) {
        const left = nodes.complete(l, k - 1);
        if (left === undefined) {
          throw new WalletError('FRONTIER_INVALID', 'the append does not hold a left sibling of the leaf', {
            leafCount: nodes.end,
            leafIndex,
            level: l,
          });
        }
        siblings.push(left);
      } else {
        siblings.push(nodes.complete(l, k + 1));
      }
    }
    return new IncrementalWitness(leafIndex, siblings);
  }

  static fromJSON(json: { leafIndex: number; siblings: (string | null)[] }): IncrementalWitness {
    if (json.siblings.length !== TREE_DEPTH) {
      throw new WalletError('FRONTIER_INVALID', 'a stored witness has the wrong depth', {
        leafIndex: json.leafIndex,
        levels: json.siblings.length,
      });
    }
    return new IncrementalWitness(
      json.leafIndex,
      json.siblings.map((s) => (s === null ? undefined : (BigInt(s) as Field))),
    );
  }

  /** Fills the right siblings the batch completed. */
  update(nodes: AppendedNodes): void {
    for (let l = 0; l < TREE_DEPTH; l++) {
      if (this.siblings[l] !== undefined) continue;
      this.siblings[l] = nodes.complete(l, nodeIndex(this.leafIndex, l) + 1);
    }
  }

  /**
   * The path against the root of `frontier`'s tree size: for a size this witness has been updated
   * to, or an older one (an anchored root) as long as it still holds the leaf.
   */
  pathAt(frontier: TreeFrontier): MerklePath {
    const size = frontier.leafCount;
    if (size <= this.leafIndex) {
      throw new WalletError('FRONTIER_INVALID', 'the tree of this root does not hold the leaf yet', {
        leafCount: size,
        leafIndex: this.leafIndex,
      });
    }
    const edge = frontier.rightEdge();
    const siblings: Field[] = [];
    for (let l = 0; l < TREE_DEPTH; l++) {
      const k = nodeIndex(this.leafIndex, l);
      if (isRightChild(this.leafIndex, l)) {
        siblings.push(this.siblings[l]!);
        continue;
      }
      const right = k + 1;
      if ((right + 1) * 2 ** l <= size) {
        const filled = this.siblings[l];
        if (filled === undefined) {
          throw new WalletError('FRONTIER_INVALID', 'the witness has not been updated to this tree size', {
            leafCount: size,
            leafIndex: this.leafIndex,
          });
        }
        siblings.push(filled);
      } else if (right === nodeIndex(size, l)) {
        siblings.push(edge[l]!);
      } else {
        siblings.push(ZERO_HASHES[l]!);
      }
    }
    return { leafIndex: this.leafIndex, siblings };
  }

  toJSON(): { leafIndex: number; siblings: (string | null)[] } {
    return {
      leafIndex: this.leafIndex,
      siblings: this.siblings.map((s) => (s === undefined ? null : s.toString())),
    };
  }

  clone(): IncrementalWitness {
    return new IncrementalWitness(this.leafIndex, [...this.siblings]);
  }
}
