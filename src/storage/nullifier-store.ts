import { bytesToHex } from '../common/index.js';
import type { Field } from '../privacy/index.js';
import { WriteBatch } from './batch.js';
import type { Database } from './db.js';
import { StorageError } from './errors.js';
import { key, metaKey, Prefix, prefixRange, u32BE, u64BE } from './keys.js';
import { readField, recordReader, u64LE, writeField } from './values.js';

const COUNT_KEY = metaKey('nullifier_count');

/**
 * The spent-nullifier set. A nullifier is stored under [0x20][32-byte LE field element]; only
 * canonical field elements can be typed `Field`, so `n` and `n + p` can never both be recorded.
 *
 * Adding checks for duplicates against both the disk and the nullifiers of writes still in flight
 * (reserved synchronously before the first await), so two concurrent adds of one nullifier cannot
 * both succeed. The count is kept in memory and written in the same batch as the nullifiers.
 */
export class NullifierStore {
  private readonly inFlight = new Set<bigint>();
  private count = 0n;

  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<NullifierStore> {
    const store = new NullifierStore(db);
    const raw = await db.get(COUNT_KEY);
    if (raw !== undefined) {
      const r = recordReader(raw, 'nullifier count');
      store.count = r.u64();
      r.end();
    }
    db.metrics.nullifiers.set(Number(store.count));
    return store;
  }

  get size(): bigint {
    return this.count;
  }

  async has(nullifier: Field): Promise<boolean> {
    return (await this.hasMany([nullifier]))[0]!;
  }

  /**
   * For each nullifier, whether it is already spent (on disk). Answered synchronously (one RocksDB
   * MultiGet on this thread, see Database.getManySync); the promise is for callers that also
   * accept slower stores.
   */
  async hasMany(nullifiers: readonly Field[]): Promise<boolean[]> {
    return this.db.getManySync(nullifiers.map(nullifierKey)).map((v) => v !== undefined);
  }

  /** Adds nullifiers durably (one synced write, merged with concurrent writers by group commit). */
  async add(nullifiers: readonly Field[]): Promise<void> {
    const batch = new WriteBatch();
    const release = await this.stage(batch, nullifiers);
    try {
      await this.db.write(batch, { sync: true });
    } finally {
      release();
    }
  }

  /**
   * Reserves the nullifiers, checks none is spent, and stages them into `batch`. Throws
   * NULLIFIER_EXISTS (nothing reserved) if one is spent or in flight. The caller must call the
   * returned release function after the batch's write settled (success or failure).
   */
  async stage(batch: WriteBatch, nullifiers: readonly Field[]): Promise<() => void> {
    const unique = new Set<bigint>();
    for (const n of nullifiers) {
      if (unique.has(n) || this.inFlight.has(n)) throw this.duplicate(n);
      unique.add(n);
    }
    for (const n of unique) this.inFlight.add(n);
    const release = () => {
      for (const n of unique) this.inFlight.delete(n);
    };
    try {
      const spent = await this.hasMany(nullifiers);
      const i = spent.indexOf(true);
      if (i >= 0) throw this.duplicate(nullifiers[i]!);
    } catch (err) {
      release();
      throw err;
    }
    const empty = new Uint8Array(0);
    for (const n of nullifiers) batch.put(nullifierKey(n), empty);
    // Computed when written, in commit order, so the last batch on disk carries the right count.
    const added = BigInt(nullifiers.length);
    batch.deferredPut(COUNT_KEY, () => {
      this.count += added;
      return u64LE(this.count);
    });
    batch.onCommit(() => this.db.metrics.nullifiers.set(Number(this.count)));
    return release;
  }

  /**
   * Records the order a block added its nullifiers in (after `stage`, same batch): the header's
   * nullifier accumulator is a chain in that order, and a snapshot must list the set in it.
   */
  stageOrder(batch: WriteBatch, height: bigint, nullifiers: readonly Field[], firstPosition = 0): void {
    nullifiers.forEach((n, i) => {
      batch.put(nullifierOrderKey(height, firstPosition + i), writeField(n));
    });
  }

  /** Every nullifier in the order blocks added it (recorded by `stageOrder`). */
  async *inOrder(): AsyncGenerator<Field> {
    for await (const [, v] of this.db.iterate(prefixRange(Prefix.NULLIFIER_ORDER))) {
      yield readField(v, 'nullifier');
    }
  }

  /** Every spent nullifier in key order (for snapshots and tests; reads the whole set). */
  async *all(): AsyncGenerator<Field> {
    for await (const [k] of this.db.iterate(prefixRange(Prefix.NULLIFIER))) {
      yield readField(k.subarray(1), 'nullifier');
    }
  }

  private duplicate(n: Field): StorageError {
    return new StorageError('NULLIFIER_EXISTS', 'nullifier already spent', {
      nullifier: bytesToHex(writeField(n)),
    });
  }
}

export function nullifierOrderKey(height: bigint, position: number): Buffer {
  return key(Prefix.NULLIFIER_ORDER, u64BE(height), u32BE(position));
}

export function nullifierKey(n: Field): Buffer {
  return key(Prefix.NULLIFIER, writeField(n));
}
