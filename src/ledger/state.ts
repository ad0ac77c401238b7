import { bytesEqual } from '../common/index.js';
import { FIELD_ZERO, type Field, MerkleTree } from '../privacy/index.js';
import type { NodeStorage } from '../storage/index.js';
import { decodeBlockHeader } from './block.js';
import { ledgerReader } from './codec.js';
import { LedgerError } from './errors.js';
import { NULLIFIER_ACCUMULATOR_ZERO } from './nullifier-accumulator.js';

/** What the last applied block left behind (or the genesis values before the first block). */
export interface LedgerTip {
  readonly height: bigint;
  readonly hash: Uint8Array;
  readonly timestampMs: bigint;
  readonly depositsConsumed: bigint;
  readonly depositAccumulator: Field;
  readonly nullifierCount: bigint;
  readonly nullifierAccumulator: Uint8Array;
}

export const GENESIS_TIP: LedgerTip = {
  height: 0n,
  hash: new Uint8Array(32),
  timestampMs: 0n,
  depositsConsumed: 0n,
  depositAccumulator: FIELD_ZERO,
  nullifierCount: 0n,
  nullifierAccumulator: NULLIFIER_ACCUMULATOR_ZERO,
};

/**
 * The ledger's state: the commitment tree (nodes and root history in storage, frontier in memory),
 * the spent nullifiers (in storage) and the tip. The tip is read from the last stored block's header,
 * never from the deposit cursor record, which the deposit listener may also move.
 */
export class LedgerState {
  private constructor(
    readonly storage: NodeStorage,
    readonly tree: MerkleTree,
    private current: LedgerTip,
  ) {}

  static async open(storage: NodeStorage): Promise<LedgerState> {
    const tree = await MerkleTree.open(storage.tree);
    const stored = storage.blocks.tip();
    if (!stored) return new LedgerState(storage, tree, GENESIS_TIP);
    const block = await storage.blocks.getByHeight(stored.height);
    if (!block)
      throw new LedgerError('STATE_MISMATCH', 'stored tip block is missing', { height: `${stored.height}` });
    const header = decodeBlockHeader(ledgerReader(block.block, 'stored block', 'BLOCK_MALFORMED'));
    // Tree changes and the block are written in one batch, so they can only disagree if the data
    // directory was tampered with or written by different software.
    if (header.commitmentRoot !== tree.root || header.leafCount !== BigInt(tree.size)) {
      throw new LedgerError('STATE_MISMATCH', 'stored tree does not match the stored tip block', {
        height: `${stored.height}`,
      });
    }
    if (!bytesEqual(block.hash, stored.hash)) {
      throw new LedgerError('STATE_MISMATCH', 'stored tip hash mismatch', { height: `${stored.height}` });
    }
    return new LedgerState(storage, tree, {
      height: header.height,
      hash: block.hash,
      timestampMs: header.timestampMs,
      depositsConsumed: header.depositsConsumed,
      depositAccumulator: header.depositAccumulator,
      nullifierCount: header.nullifierCount,
      nullifierAccumulator: header.nullifierAccumulator,
    });
  }

  get tip(): LedgerTip {
    return this.current;
  }

  /** A spend root: one of the last ROOT_HISTORY_SIZE roots of the L2 commitment tree. */
  isRecentRoot(root: Field): boolean {
    return this.tree.isKnownRoot(root);
  }

  isSpent(nullifiers: readonly Field[]): Promise<boolean[]> {
    return this.storage.nullifiers.hasMany(nullifiers);
  }

  /** Called by the ledger after commitBlock resolved and the tree adopted its changes. */
  advance(tip: LedgerTip): void {
    this.current = tip;
  }
}
