import { ByteWriter } from '../common/index.js';
import { replayComputeWindow } from '../compute/index.js';
import { ACTIVATION_DELAY, type KeyValue, ValidatorSetHistory } from '../consensus/index.js';
import { type NodeStorage, WriteBatch } from '../storage/index.js';
import { BASE_RECORD, encodeBase, INSTALL_MARKER } from './base.js';
import { SnapshotError } from './errors.js';
import type { VerifiedSnapshot } from './verify.js';

/** Puts per batch while the bulk of the state goes in (the marker covers a crash between them). */
const BATCH_PUTS = 50_000;

/** Captures the one record ValidatorSetHistory writes, so it lands in the install's last batch. */
class CapturedKv implements KeyValue {
  readonly values = new Map<string, Uint8Array>();
  async get(name: string): Promise<Uint8Array | undefined> {
    return this.values.get(name);
  }
  async put(name: string, value: Uint8Array): Promise<void> {
    this.values.set(name, value);
  }
}

/**
 * Installs a verified snapshot into an empty data directory. The install marker goes first; tree
 * nodes, nullifiers and the held refund blocks follow in bounded batches; the last batch holds block H with its QC, the tree
 * state, the spend-root window, the deposit cursor, the validator-set history, the compute applied height, the snapshot
 * base, and deletes the marker. A crash before that batch leaves the marker, and
 * `recoverInterruptedInstall` empties the directory on the next start; after it, the node is at H.
 * The in-memory views of `storage` are right afterwards except the ledger's: open LedgerApp after.
 */
export async function installSnapshot(storage: NodeStorage, v: VerifiedSnapshot): Promise<void> {
  const tip = storage.blocks.tip();
  if (tip !== undefined || storage.nullifiers.size !== 0n || (await storage.tree.loadState()) !== undefined) {
    throw new SnapshotError('STATE_NOT_EMPTY', 'a snapshot installs only into an empty data directory', {
      ...(tip ? { height: `${tip.height}` } : {}),
    });
  }
  await storage.meta.put(
    INSTALL_MARKER,
    new ByteWriter(() => new Error('unreachable'), 8).u64(v.height).finish(),
  );

  for (let i = 0; i < v.tree.nodes.length; i += BATCH_PUTS) {
    const batch = new WriteBatch();
    storage.tree.stageChanges(batch, { nodes: v.tree.nodes.slice(i, i + BATCH_PUTS), state: v.tree.state });
    await storage.db.write(batch, { sync: true });
  }
  // Half as many per batch: each nullifier is two puts (the set and its order entry).
  for (let i = 0; i < v.nullifiers.length; i += BATCH_PUTS / 2) {
    const batch = new WriteBatch();
    const part = v.nullifiers.slice(i, i + BATCH_PUTS / 2);
    const release = await storage.nullifiers.stage(batch, part);
    try {
      // Recorded at height H: the order entries of later blocks sort after them.
      storage.nullifiers.stageOrder(batch, v.height, part, i);
      await storage.db.write(batch, { sync: true });
    } finally {
      release();
    }
  }

  // Each up to a block's 1 MiB: a few per batch.
  for (let i = 0; i < v.refundBlocks.length; i += 16) {
    const batch = new WriteBatch();
    for (const b of v.refundBlocks.slice(i, i + 16)) storage.blocks.stageHeld(batch, b);
    await storage.db.write(batch, { sync: true });
  }

  // Compute jobs live at H: the window's blocks applied from nothing, each block its own write (the
  // marker still covers a crash); the last batch then records H as applied.
  await replayComputeWindow(storage.compute, v.computeBlocks);

  const kv = new CapturedKv();
  const history = new ValidatorSetHistory(kv);
  for (const s of v.validatorSets) {
    // Sets are recorded by the height of the block that carried them.
    if (s.from === 1n) await history.record(1n, s.validators);
    else await history.record(s.from - ACTIVATION_DELAY, s.validators);
  }
  await history.record(v.height, undefined);

  const batch = new WriteBatch();
  storage.tree.stageChanges(batch, { nodes: [], state: v.tree.state });
  storage.deposits.stage(batch, v.depositCursor);
  storage.spendRoots.stage(batch, { put: v.spendRoots.entries, delete: [], windowMs: v.spendRoots.windowMs });
  for (const [name, value] of kv.values) storage.meta.stage(batch, name, value);
  storage.compute.stageApplied(batch, v.height);
  storage.meta.stage(batch, BASE_RECORD, encodeBase(v.height, v.historyChunks));
  storage.meta.stageDelete(batch, INSTALL_MARKER);
  // Last and synchronous, as in commitBlock: nothing between here and the write can abandon the batch.
  storage.blocks.stage(batch, { height: v.height, hash: v.hash, block: v.block, qc: v.qc });
  await storage.db.write(batch, { sync: true });
  storage.blocks.markWritten(v.height);
}

/**
 * On start, before anything reads the stores: if an install was interrupted, deletes everything it
 * wrote (every record but the schema version) and returns true; the caller must then reopen the
 * storage (its stores' in-memory views are stale) and join again.
 */
export async function recoverInterruptedInstall(storage: NodeStorage): Promise<boolean> {
  if (!(await storage.meta.get(INSTALL_MARKER))) return false;
  await storage.clearAll();
  return true;
}
