import { FIELD_ZERO, type Field, hash2, hash4 } from '../privacy/index.js';
import { MAX_APPROVAL_DEPTH } from './constants.js';
import { BridgeError } from './errors.js';

/**
 * The Merkle tree of a block's approved withdrawals, whose root an anchor commits to. Leaf =
 * P4(nullifier0, nullifier1, ext_data_hash, root): the cohort admitted the withdrawal against that
 * commitment root, so the approval vouches for the root too and the program needs no anchored-root
 * lookup. Parent = P2(left, right); empty leaves are 0; depth is the smallest d with 2^d >= leaves (0
 * for one leaf). Leaves (P4) and nodes (P2) use different Poseidon widths, so a node can never pass
 * for a leaf.
 */
export function withdrawalLeaf(nullifier0: Field, nullifier1: Field, extDataHash: Field, root: Field): Field {
  return hash4(nullifier0, nullifier1, extDataHash, root);
}

export class WithdrawalsTree {
  readonly depth: number;
  private readonly levels: Field[][];

  constructor(leaves: readonly Field[]) {
    let depth = 0;
    while (1 << depth < Math.max(1, leaves.length)) depth++;
    if (depth > MAX_APPROVAL_DEPTH)
      throw new BridgeError(
        'ARGUMENT_INVALID',
        `more than 2^${MAX_APPROVAL_DEPTH} withdrawals in one approval`,
        {
          withdrawals: leaves.length,
        },
      );
    this.depth = depth;
    let level: Field[] = [...leaves];
    while (level.length < 1 << depth) level.push(FIELD_ZERO);
    this.levels = [level];
    for (let d = 0; d < depth; d++) {
      const next: Field[] = [];
      for (let i = 0; i < level.length; i += 2) next.push(hash2(level[i]!, level[i + 1]!));
      this.levels.push(next);
      level = next;
    }
  }

  /** Root of an empty block is 0 (no withdrawal can prove membership in it). */
  static emptyRoot(): Field {
    return FIELD_ZERO;
  }

  get root(): Field {
    return this.levels[this.depth]![0] ?? FIELD_ZERO;
  }

  path(index: number): Field[] {
    if (!Number.isInteger(index) || index < 0 || index >= this.levels[0]!.length) {
      throw new BridgeError('ARGUMENT_INVALID', 'withdrawal index out of range', { index });
    }
    const out: Field[] = [];
    for (let d = 0; d < this.depth; d++) out.push(this.levels[d]![(index >> d) ^ 1]!);
    return out;
  }
}
