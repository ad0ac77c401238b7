import type { Field } from '../privacy/index.js';
import { WriteBatch } from './batch.js';
import type { Database } from './db.js';
import { StorageError } from './errors.js';
import { key, metaKey, Prefix, prefixRange, U64_MAX } from './keys.js';
import { readField, recordReader, u64LE, writeField } from './values.js';

/** One root of the spend-root window: the last block after which the tree had this root. */
export interface SpendRootEntry {
  readonly root: Field;
  readonly height: bigint;
  readonly timestampMs: bigint;
}

/** What one block (or a rebuild, or a snapshot install) changes in the window. */
export interface SpendRootChanges {
  readonly put: readonly SpendRootEntry[];
  readonly delete: readonly Field[];
  /**
   * The window (ms) the entries were kept for, recorded when it changes: a node restarted with
   * another window rebuilds the index instead of trusting one pruned under the old width.
   */
  readonly windowMs?: bigint;
}

const WINDOW_KEY = metaKey('spend_root_window_ms');
const ENTRY_BYTES = 16;

/**
 * The spend-root window's index in RocksDB: [0x12][root, 32 bytes LE] -> height u64 LE | timestamp
 * u64 LE, and the window width under the metadata name `spend_root_window_ms`. Changes are staged
 * into a block's batch (NodeStorage.commitBlock), so the index always matches the stored tip.
 */
export class SpendRootStore {
  constructor(private readonly db: Database) {}

  /** The stored entries (key order) and the window they were kept for (undefined: never recorded). */
  async load(): Promise<{ windowMs: bigint | undefined; entries: SpendRootEntry[] }> {
    try {
      const raw = await this.db.get(WINDOW_KEY);
      let windowMs: bigint | undefined;
      if (raw !== undefined) {
        const r = recordReader(raw, 'spend-root window');
        windowMs = r.u64();
        r.end();
      }
      const entries: SpendRootEntry[] = [];
      for await (const [k, v] of this.db.iterate(prefixRange(Prefix.SPEND_ROOT))) {
        const root = readField(k.subarray(1), 'spend root');
        const r = recordReader(v, 'spend-root entry');
        const height = r.u64();
        const timestampMs = r.u64();
        r.end();
        entries.push({ root, height, timestampMs });
      }
      return { windowMs, entries };
    } catch (err) {
      if (err instanceof StorageError) throw this.db.reportError(err);
      throw err;
    }
  }

  stage(batch: WriteBatch, changes: SpendRootChanges): void {
    for (const root of changes.delete) batch.del(spendRootKey(root));
    for (const e of changes.put) batch.put(spendRootKey(e.root), encodeEntry(e));
    if (changes.windowMs !== undefined) batch.put(WINDOW_KEY, u64(changes.windowMs, 'window'));
  }

  /** Writes changes on their own (a rebuild at start; a block's go with its batch). */
  async write(changes: SpendRootChanges): Promise<void> {
    const batch = new WriteBatch();
    this.stage(batch, changes);
    await this.db.write(batch, { sync: true });
  }
}

function spendRootKey(root: Field): Buffer {
  return key(Prefix.SPEND_ROOT, writeField(root));
}

function encodeEntry(e: SpendRootEntry): Uint8Array {
  const out = new Uint8Array(ENTRY_BYTES);
  out.set(u64(e.height, 'height'), 0);
  out.set(u64(e.timestampMs, 'timestamp'), 8);
  return out;
}

function u64(value: bigint, what: string): Uint8Array {
  if (value < 0n || value > U64_MAX)
    throw new StorageError('INVALID_ARGUMENT', `${what} is not a u64`, { value: `${value}` });
  return u64LE(value);
}
