import { RocksLevel } from '@nxtedition/rocksdb';
import type { Registry } from 'prom-client';
import type { BatchOp, WriteBatch } from './batch.js';
import { StorageError, type StorageErrorCode } from './errors.js';
import { metaKey } from './keys.js';
import { defaultStorageLogger, type Logger } from './logger.js';
import { type StorageMetrics, storageMetrics } from './metrics.js';

/** On-disk schema version. Bump it (and add a migration) whenever a stored layout changes. */
export const SCHEMA_VERSION = 1;
const SCHEMA_KEY = 'schema_version';

export interface DatabaseOptions {
  /** Merge concurrent writers into one synced batch (default true). Off only for measurements. */
  readonly groupCommit?: boolean;
  /** Upper bound on key operations in one merged batch (a single writer's batch is never split). */
  readonly maxBatchOps?: number;
  readonly registry?: Registry;
  readonly logger?: Logger;
}

export interface WriteOptions {
  /** fsync the write-ahead log before resolving (default true: durable before acknowledged). */
  readonly sync?: boolean;
}

interface PendingWrite {
  readonly batch: WriteBatch;
  readonly sync: boolean;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

type Range = { gt?: Buffer; gte?: Buffer; lt?: Buffer; lte?: Buffer; reverse?: boolean; limit?: number };

/**
 * One RocksDB database in one directory. Opening takes the directory's lock (a second opener,
 * in this or another process, gets DB_LOCKED) and checks the schema version.
 *
 * RocksDB writes through this binding are synchronous on the JS thread, so group commit works by
 * queueing: writers that arrive while a flush is scheduled or running are merged into the next
 * batch, written once and fsynced once, and all of them are acknowledged together.
 */
export class Database {
  private status: 'open' | 'closing' | 'closed' = 'open';
  private failure: StorageError | undefined;
  private pending: PendingWrite[] = [];
  private flushScheduled = false;
  private flushing: Promise<void> | undefined;
  readonly metrics: StorageMetrics;

  private constructor(
    private readonly db: RocksLevel,
    readonly location: string,
    private readonly groupCommit: boolean,
    private readonly maxBatchOps: number,
    readonly logger: Logger,
    registry: Registry | undefined,
  ) {
    this.metrics = storageMetrics(registry);
  }

  static async open(location: string, options: DatabaseOptions = {}): Promise<Database> {
    const logger = options.logger ?? defaultStorageLogger();
    const metrics = storageMetrics(options.registry);
    const rocks = new RocksLevel(location, { keyEncoding: 'buffer', valueEncoding: 'buffer' });
    try {
      await rocks.open({ createIfMissing: true });
    } catch (err) {
      const locked = isLockError(err);
      const code: StorageErrorCode = locked ? 'DB_LOCKED' : 'DB_OPEN_FAILED';
      metrics.errors.inc({ code });
      logger.error({ err, location, code }, 'cannot open database');
      throw new StorageError(
        code,
        locked
          ? `database ${location} is locked by another process (or already open here)`
          : 'cannot open database',
        { location },
        { cause: err },
      );
    }
    const db = new Database(
      rocks,
      location,
      options.groupCommit ?? true,
      options.maxBatchOps ?? 65_536,
      logger,
      options.registry,
    );
    try {
      await db.checkSchema();
    } catch (err) {
      await rocks.close();
      if (err instanceof StorageError) metrics.errors.inc({ code: err.code });
      logger.error({ err, location }, 'database schema check failed');
      throw err;
    }
    return db;
  }

  private async checkSchema(): Promise<void> {
    const stored = await this.get(metaKey(SCHEMA_KEY));
    if (stored === undefined) {
      for await (const _ of this.iterate({ limit: 1 })) {
        throw new StorageError('SCHEMA_INVALID', 'database has data but no schema version', {
          location: this.location,
        });
      }
      const value = new Uint8Array(4);
      new DataView(value.buffer).setUint32(0, SCHEMA_VERSION, true);
      await this.db.batch([{ type: 'put', key: metaKey(SCHEMA_KEY), value }], { sync: true });
      return;
    }
    if (stored.length !== 4) {
      throw new StorageError('SCHEMA_INVALID', 'schema version record has the wrong length', {
        length: stored.length,
      });
    }
    const version = stored.readUInt32LE(0);
    if (version > SCHEMA_VERSION) {
      throw new StorageError(
        'SCHEMA_TOO_NEW',
        `database schema version ${version} is newer than this software's ${SCHEMA_VERSION}; upgrade paraloom`,
        { location: this.location, version, supported: SCHEMA_VERSION },
      );
    }
    if (version < SCHEMA_VERSION) {
      throw new StorageError('SCHEMA_INVALID', `no migration from schema version ${version}`, {
        version,
        supported: SCHEMA_VERSION,
      });
    }
  }

  get isOpen(): boolean {
    return this.status === 'open';
  }

  async close(): Promise<void> {
    if (this.status !== 'open') return;
    this.status = 'closing';
    // Let queued writers finish: they were promised an answer.
    while (this.flushScheduled || this.flushing || this.pending.length > 0) {
      if (this.flushing) await this.flushing;
      else await this.flush();
    }
    this.status = 'closed';
    await this.db.close();
  }

  async get(key: Buffer): Promise<Buffer | undefined> {
    const [value] = await this.getMany([key]);
    return value;
  }

  async getMany(keys: readonly Buffer[]): Promise<(Buffer | undefined)[]> {
    this.checkReadable();
    if (keys.length === 0) return [];
    try {
      return (await this.db.getMany(keys as Buffer[])) as (Buffer | undefined)[];
    } catch (err) {
      throw this.fail('READ_FAILED', 'RocksDB read failed', err, false);
    }
  }

  /**
   * Point reads answered on the calling thread. Small lookups on the consensus path (nullifiers)
   * hit the memtable, block cache and bloom filters in microseconds; the asynchronous getMany's
   * round trip through the libuv pool costs more than that, and much more when every core is busy.
   */
  getManySync(keys: readonly Buffer[]): (Buffer | undefined)[] {
    this.checkReadable();
    if (keys.length === 0) return [];
    try {
      return this.db._getManySync(keys as Buffer[]);
    } catch (err) {
      throw this.fail('READ_FAILED', 'RocksDB read failed', err, false);
    }
  }

  /** Keys and values in key order (or reverse), within the range. */
  async *iterate(range: Range = {}): AsyncGenerator<[Buffer, Buffer]> {
    this.checkReadable();
    const it = this.db.iterator(range);
    try {
      for await (const [k, v] of it) yield [k as Buffer, v as Buffer];
    } finally {
      await it.close();
    }
  }

  /** Commits the batch atomically; resolves once it is written (and fsynced unless sync: false). */
  write(batch: WriteBatch, options: WriteOptions = {}): Promise<void> {
    if (this.status !== 'open') {
      return Promise.reject(
        new StorageError('DB_NOT_OPEN', 'database is not open', { location: this.location }),
      );
    }
    if (this.failure) return Promise.reject(this.failure);
    const sync = options.sync ?? true;
    if (batch.length === 0) {
      batch.runCommitHooks();
      return Promise.resolve();
    }
    if (!this.groupCommit) {
      return this.writeNow([batch.ops], sync, 1).then(() => batch.runCommitHooks());
    }
    return new Promise<void>((resolve, reject) => {
      this.pending.push({ batch, sync, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.flushing) return;
    this.flushScheduled = true;
    // setImmediate: writers woken by the same I/O phase join this batch.
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    const run = async () => {
      while (this.pending.length > 0) {
        const group: PendingWrite[] = [];
        let ops = 0;
        while (this.pending.length > 0) {
          const next = this.pending[0]!;
          if (group.length > 0 && ops + next.batch.length > this.maxBatchOps) break;
          group.push(next);
          ops += next.batch.length;
          this.pending.shift();
        }
        if (this.failure) {
          for (const w of group) w.reject(this.failure);
          continue;
        }
        try {
          await this.writeNow(
            group.map((w) => w.batch.ops),
            group.some((w) => w.sync),
            group.length,
          );
        } catch (err) {
          for (const w of group) w.reject(err);
          continue;
        }
        for (const w of group) {
          try {
            w.batch.runCommitHooks();
          } catch (err) {
            this.logger.error({ err }, 'commit hook failed');
            this.metrics.errors.inc({ code: 'WRITE_FAILED' });
          }
          w.resolve();
        }
        // Yield so readers and new writers are served between merged batches.
        await new Promise<void>((r) => setImmediate(r));
      }
    };
    this.flushing = run().finally(() => {
      this.flushing = undefined;
      if (this.pending.length > 0) this.scheduleFlush();
    });
    return this.flushing;
  }

  private async writeNow(
    groups: readonly (readonly BatchOp[])[],
    sync: boolean,
    writers: number,
  ): Promise<void> {
    const rocksBatch = this.db.batch();
    let count = 0;
    const started = performance.now();
    try {
      for (const ops of groups) {
        for (const op of ops) {
          if (op.type === 'put') rocksBatch.put(op.key, op.value);
          else if (op.type === 'deferred') rocksBatch.put(op.key, op.value());
          else rocksBatch.del(op.key);
          count++;
        }
      }
      // `sync` makes RocksDB fsync its write-ahead log before the write returns.
      await rocksBatch.write({ sync });
    } catch (err) {
      await rocksBatch.close().catch(() => undefined);
      // After a failed (synced) write the on-disk state is unknown: refuse further writes.
      throw this.fail('WRITE_FAILED', 'RocksDB write failed; database refuses further writes', err, true);
    }
    this.metrics.commits.inc({ mode: sync ? 'synced' : 'unsynced' });
    this.metrics.commitOps.observe(count);
    this.metrics.commitWriters.observe(writers);
    this.metrics.commitSeconds.observe((performance.now() - started) / 1000);
  }

  private fail(code: StorageErrorCode, message: string, cause: unknown, fatal: boolean): StorageError {
    const err = new StorageError(code, message, { location: this.location }, { cause });
    this.metrics.errors.inc({ code });
    this.logger.error({ err: cause, code, location: this.location }, message);
    if (fatal) {
      this.failure = new StorageError('DB_FAILED', 'database failed earlier; restart the node', {
        location: this.location,
        first: code,
      });
    }
    return err;
  }

  private checkReadable(): void {
    if (this.status === 'closed') {
      throw new StorageError('DB_NOT_OPEN', 'database is closed', { location: this.location });
    }
  }

  /** Records a storage error in the metrics and the log (for stores that detect corrupt values). */
  reportError(err: StorageError): StorageError {
    this.metrics.errors.inc({ code: err.code });
    this.logger.error({ err }, err.message);
    return err;
  }
}

function isLockError(err: unknown): boolean {
  for (
    let e = err as { code?: unknown; message?: unknown; cause?: unknown } | undefined;
    e;
    e = e.cause as never
  ) {
    if (e.code === 'LEVEL_LOCKED') return true;
    if (
      typeof e.message === 'string' &&
      /\block\b.*(hold|held|unavailable|No locks available)/i.test(e.message)
    ) {
      return true;
    }
    if (typeof e !== 'object') break;
  }
  return false;
}
