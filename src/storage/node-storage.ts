import type { Field, TreeChanges } from '../privacy/index.js';
import { WriteBatch } from './batch.js';
import type { BlockInput } from './block-store.js';
import { BlockStore } from './block-store.js';
import { ComputeStore } from './compute-store.js';
import { Database, type DatabaseOptions } from './db.js';
import { type DepositCursor, DepositCursorStore } from './deposit-cursor.js';
import { metaKey } from './keys.js';
import { MetaStore } from './meta-store.js';
import { NullifierStore } from './nullifier-store.js';
import { type SpendRootChanges, SpendRootStore } from './spend-root-store.js';
import { RocksTreeStorage } from './tree-store.js';

/** Everything one finalized block changes, written as one atomic synced batch. */
export interface BlockEffects extends BlockInput {
  /** From `MerkleTree.planAppend(...)`; call `tree.adopt(...)` after `commitBlock` resolves. */
  readonly tree?: TreeChanges;
  readonly nullifiers?: readonly Field[];
  readonly depositCursor?: DepositCursor;
  /** The spend-root window's changes for this block (the ledger's SpendRootWindow.plan). */
  readonly spendRoots?: SpendRootChanges;
}

/** A validator's whole store: one RocksDB database with one small store per concern. */
export class NodeStorage {
  private constructor(
    readonly db: Database,
    readonly tree: RocksTreeStorage,
    readonly nullifiers: NullifierStore,
    readonly blocks: BlockStore,
    readonly deposits: DepositCursorStore,
    readonly meta: MetaStore,
    readonly compute: ComputeStore,
    readonly spendRoots: SpendRootStore,
  ) {}

  static async open(location: string, options: DatabaseOptions = {}): Promise<NodeStorage> {
    const db = await Database.open(location, options);
    try {
      return new NodeStorage(
        db,
        new RocksTreeStorage(db),
        await NullifierStore.open(db),
        await BlockStore.open(db),
        await DepositCursorStore.open(db),
        new MetaStore(db),
        await ComputeStore.open(db),
        new SpendRootStore(db),
      );
    } catch (err) {
      await db.close();
      throw err;
    }
  }

  /**
   * Writes a block with all its effects in one synced batch. Throws NULLIFIER_EXISTS (and writes
   * nothing) if a nullifier is already spent, BLOCK_HEIGHT_GAP / BLOCK_CONFLICT on a wrong height.
   */
  async commitBlock(effects: BlockEffects): Promise<void> {
    const batch = new WriteBatch();
    const release = effects.nullifiers?.length
      ? await this.nullifiers.stage(batch, effects.nullifiers)
      : () => {};
    try {
      if (effects.nullifiers?.length) this.nullifiers.stageOrder(batch, effects.height, effects.nullifiers);
      if (effects.tree) this.tree.stageChanges(batch, effects.tree);
      if (effects.depositCursor) this.deposits.stage(batch, effects.depositCursor);
      if (effects.spendRoots) this.spendRoots.stage(batch, effects.spendRoots);
      // Last and synchronous: nothing between here and the write can abandon the batch.
      this.blocks.stage(batch, effects);
      await this.db.write(batch, { sync: true });
      this.blocks.markWritten(effects.height);
    } finally {
      release();
    }
  }

  /**
   * Deletes every record but the schema version (a snapshot install interrupted by a crash leaves
   * partial state; the node starts over from an empty directory). The stores' in-memory views are
   * stale afterwards: close and reopen.
   */
  async clearAll(): Promise<void> {
    const schema = metaKey('schema_version');
    let batch = new WriteBatch();
    for await (const [k] of this.db.iterate()) {
      if (k.equals(schema)) continue;
      batch.del(k);
      if (batch.length >= 10_000) {
        await this.db.write(batch, { sync: true });
        batch = new WriteBatch();
      }
    }
    await this.db.write(batch, { sync: true });
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
