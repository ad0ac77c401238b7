import { concatBytes } from '../common/index.js';
import {
  type Field,
  ROOT_HISTORY_SIZE,
  TREE_CAPACITY,
  type TreeChanges,
  type TreeState,
  type TreeStorage,
} from '../privacy/index.js';
import { WriteBatch } from './batch.js';
import type { Database } from './db.js';
import { StorageError } from './errors.js';
import { key, Prefix, treeNodeKey } from './keys.js';
import { readField, readRecordField, recordReader, u64LE, writeField } from './values.js';

const STATE_VERSION = 1;
const STATE_KEY = key(Prefix.TREE_STATE);

/**
 * The commitment tree's nodes and state in RocksDB (implements the privacy module's TreeStorage).
 * Node (level, index) lives at [0x10][level u8][index u32 BE], so a level's nodes iterate in index
 * order. `writeChanges` is one synced batch; `stageChanges` adds the same writes to a caller's
 * batch, so a block can commit its tree changes atomically with its other effects.
 */
export class RocksTreeStorage implements TreeStorage {
  constructor(private readonly db: Database) {}

  async loadState(): Promise<TreeState | undefined> {
    const raw = await this.db.get(STATE_KEY);
    if (raw === undefined) return undefined;
    try {
      return decodeTreeState(raw);
    } catch (err) {
      if (err instanceof StorageError) throw this.db.reportError(err);
      throw err;
    }
  }

  async getNode(level: number, index: number): Promise<Field | undefined> {
    const raw = await this.db.get(treeNodeKey(level, index));
    if (raw === undefined) return undefined;
    try {
      return readField(raw, 'tree node', { level, index });
    } catch (err) {
      if (err instanceof StorageError) throw this.db.reportError(err);
      throw err;
    }
  }

  async writeChanges(changes: TreeChanges): Promise<void> {
    const batch = new WriteBatch();
    this.stageChanges(batch, changes);
    await this.db.write(batch, { sync: true });
  }

  stageChanges(batch: WriteBatch, changes: TreeChanges): void {
    for (const node of changes.nodes) batch.put(treeNodeKey(node.level, node.index), writeField(node.value));
    batch.put(STATE_KEY, encodeTreeState(changes.state));
  }

  /** Leaves [from, from + limit) in index order (for root recomputation, note scanning, sync). */
  async leaves(from: number, limit: number): Promise<Field[]> {
    const out: Field[] = [];
    if (limit <= 0) return out;
    const gte = treeNodeKey(0, from);
    const lt = key(Prefix.TREE_NODE, Uint8Array.of(1));
    for await (const [k, v] of this.db.iterate({ gte, lt, limit })) {
      const index = k.readUInt32BE(2);
      if (index !== from + out.length) {
        throw this.db.reportError(
          new StorageError('VALUE_CORRUPT', 'tree leaves are not contiguous', {
            expected: from + out.length,
            index,
          }),
        );
      }
      out.push(readField(v, 'tree leaf', { index }));
    }
    return out;
  }
}

export function encodeTreeState(state: TreeState): Uint8Array {
  const n = state.rootHistory.length;
  if (n < 1 || n > ROOT_HISTORY_SIZE) {
    throw new StorageError('INVALID_ARGUMENT', 'root history length out of range', { length: n });
  }
  if (!Number.isSafeInteger(state.leafCount) || state.leafCount < 0 || state.leafCount > TREE_CAPACITY) {
    throw new StorageError('INVALID_ARGUMENT', 'leaf count out of range', { leafCount: state.leafCount });
  }
  return concatBytes(
    Uint8Array.of(STATE_VERSION),
    u64LE(BigInt(state.leafCount)),
    Uint8Array.of(n),
    ...state.rootHistory.map(writeField),
  );
}

export function decodeTreeState(raw: Uint8Array): TreeState {
  const r = recordReader(raw, 'tree state');
  const version = r.u8();
  if (version !== STATE_VERSION) {
    throw new StorageError('VALUE_CORRUPT', 'unknown tree state version', { version });
  }
  const leafCount = r.u64();
  if (leafCount > BigInt(TREE_CAPACITY)) {
    throw new StorageError('VALUE_CORRUPT', 'stored leaf count exceeds the tree capacity', {
      leafCount: `${leafCount}`,
    });
  }
  const n = r.u8();
  if (n < 1 || n > ROOT_HISTORY_SIZE)
    throw new StorageError('VALUE_CORRUPT', 'bad root history length', { n });
  const rootHistory: Field[] = [];
  for (let i = 0; i < n; i++) rootHistory.push(readRecordField(r));
  r.end();
  return { leafCount: Number(leafCount), rootHistory };
}
