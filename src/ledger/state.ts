import { bytesEqual } from '../common/index.js';
import { FIELD_ZERO, type Field, MerkleTree } from '../privacy/index.js';
import type { NodeStorage, SpendRootChanges, SpendRootEntry } from '../storage/index.js';
import { decodeBlockHeader, decodeBlockHeaderOf } from './block.js';
import { ledgerReader } from './codec.js';
import { LedgerError } from './errors.js';
import { NULLIFIER_ACCUMULATOR_ZERO } from './nullifier-accumulator.js';
import { DEFAULT_SPEND_ROOT_WINDOW_MS, SpendRootWindow } from './spend-roots.js';

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

export interface LedgerStateOptions {
  /**
   * `ledger.spend_root_window_ms`: an L2 spend may name a root the tree had after a block
   * timestamped this many ms before the executing block (besides the last 64 roots). Cohort-wide.
   */
  readonly spendRootWindowMs?: number;
}

/**
 * The ledger's state: the commitment tree (nodes and root history in storage, frontier in memory),
 * the spend-root window (in storage and memory), the spent nullifiers (in storage) and the tip. The
 * tip is read from the last stored block's header, never from the deposit cursor record, which the
 * deposit listener may also move.
 */
export class LedgerState {
  private constructor(
    readonly storage: NodeStorage,
    readonly tree: MerkleTree,
    private current: LedgerTip,
    readonly spendRoots: SpendRootWindow,
  ) {}

  static async open(storage: NodeStorage, o: LedgerStateOptions = {}): Promise<LedgerState> {
    const windowMs = o.spendRootWindowMs ?? DEFAULT_SPEND_ROOT_WINDOW_MS;
    if (!Number.isSafeInteger(windowMs) || windowMs < 0) {
      throw new LedgerError('ARGUMENT_INVALID', 'spendRootWindowMs must be a non-negative integer');
    }
    const tree = await MerkleTree.open(storage.tree);
    const stored = storage.blocks.tip();
    if (!stored) {
      return new LedgerState(
        storage,
        tree,
        GENESIS_TIP,
        await openWindow(storage, BigInt(windowMs), GENESIS_TIP),
      );
    }
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
    const tip: LedgerTip = {
      height: header.height,
      hash: block.hash,
      timestampMs: header.timestampMs,
      depositsConsumed: header.depositsConsumed,
      depositAccumulator: header.depositAccumulator,
      nullifierCount: header.nullifierCount,
      nullifierAccumulator: header.nullifierAccumulator,
    };
    const window = await openWindow(storage, BigInt(windowMs), tip);
    // Written in the block's batch: the tip's root entry names the tip, or the store is not ours.
    if (window.windowMs > 0n && window.get(tree.root)?.height !== tip.height) {
      throw new LedgerError(
        'STATE_MISMATCH',
        'stored spend-root window does not match the stored tip block',
        {
          height: `${tip.height}`,
        },
      );
    }
    return new LedgerState(storage, tree, tip, window);
  }

  get tip(): LedgerTip {
    return this.current;
  }

  /**
   * A spend root for an L2 transfer in a block timestamped `atMs`: one of the last ROOT_HISTORY_SIZE
   * roots of the commitment tree, or a root it had after a block timestamped within the spend-root
   * window before `atMs`. Both are O(1).
   */
  isSpendRoot(root: Field, atMs: bigint): boolean {
    return this.tree.isKnownRoot(root) || this.spendRoots.accepts(root, atMs);
  }

  /** The spend-root window's changes of committing a block; stored with it, adopted by `advance`. */
  planSpendRoots(height: bigint, timestampMs: bigint, root: Field): SpendRootChanges {
    return this.spendRoots.plan(height, timestampMs, root);
  }

  isSpent(nullifiers: readonly Field[]): Promise<boolean[]> {
    return this.storage.nullifiers.hasMany(nullifiers);
  }

  /**
   * Called by the ledger after commitBlock resolved (with `spendRoots` in its batch) and the tree
   * adopted its changes.
   */
  advance(tip: LedgerTip, spendRoots: SpendRootChanges): void {
    this.spendRoots.adopt(spendRoots);
    this.current = tip;
  }
}

/**
 * The stored window when it was kept for this width; otherwise (first start, a store written before
 * the window existed, or another width) one rebuilt from the stored blocks' headers, newest first,
 * down to the first block outside the window, and written in place of the stored one. A node that
 * joined by snapshot holds no blocks below its snapshot: a wider window only fills from there on.
 */
async function openWindow(storage: NodeStorage, windowMs: bigint, tip: LedgerTip): Promise<SpendRootWindow> {
  const stored = await storage.spendRoots.load();
  if (stored.windowMs === windowMs) return SpendRootWindow.from(windowMs, stored.entries);
  const found = new Map<Field, SpendRootEntry>();
  if (windowMs > 0n) {
    const cutoff = tip.timestampMs - windowMs;
    for (let h = tip.height; h >= 1n; h--) {
      const block = await storage.blocks.getByHeight(h);
      if (!block) break;
      const header = decodeBlockHeaderOf(block.block);
      if (header.timestampMs < cutoff) break;
      if (!found.has(header.commitmentRoot)) {
        found.set(header.commitmentRoot, {
          root: header.commitmentRoot,
          height: header.height,
          timestampMs: header.timestampMs,
        });
      }
    }
  }
  const window = SpendRootWindow.from(windowMs, [...found.values()]);
  await storage.spendRoots.write({
    put: window.list(),
    delete: stored.entries.filter((e) => !found.has(e.root)).map((e) => e.root),
    windowMs,
  });
  return window;
}
