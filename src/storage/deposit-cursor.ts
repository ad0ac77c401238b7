import { concatBytes } from '../common/index.js';
import type { Field } from '../privacy/index.js';
import { WriteBatch } from './batch.js';
import type { Database } from './db.js';
import { StorageError } from './errors.js';
import { key, Prefix, U64_MAX } from './keys.js';
import { readRecordField, recordReader, u64LE, writeField } from './values.js';

const RECORD_VERSION = 1;
const CURSOR_KEY = key(Prefix.DEPOSIT_CURSOR);

/** How far the L2 has consumed the on-chain deposit queue. */
export interface DepositCursor {
  /** Deposits consumed so far (index of the next deposit to include). */
  readonly consumed: bigint;
  /** Running accumulator over consumed deposits, as the program computes it. */
  readonly accumulator: Field;
  /** Solana slot of the last finalized deposit read (listener resume point). */
  readonly slot: bigint;
}

/** The deposit cursor at [0x40]: never moves backwards; written with the block that consumes. */
export class DepositCursorStore {
  private current: DepositCursor | undefined;

  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<DepositCursorStore> {
    const store = new DepositCursorStore(db);
    const raw = await db.get(CURSOR_KEY);
    if (raw !== undefined) {
      try {
        store.current = decodeCursor(raw);
      } catch (err) {
        if (err instanceof StorageError) throw db.reportError(err);
        throw err;
      }
    }
    return store;
  }

  get(): DepositCursor | undefined {
    return this.current;
  }

  async set(cursor: DepositCursor): Promise<void> {
    const batch = new WriteBatch();
    this.stage(batch, cursor);
    await this.db.write(batch, { sync: true });
  }

  stage(batch: WriteBatch, cursor: DepositCursor): void {
    if (cursor.consumed < 0n || cursor.consumed > U64_MAX || cursor.slot < 0n || cursor.slot > U64_MAX) {
      throw new StorageError('INVALID_ARGUMENT', 'deposit cursor fields must be u64');
    }
    if (this.current && cursor.consumed < this.current.consumed) {
      throw new StorageError('INVALID_ARGUMENT', 'deposit cursor cannot move backwards', {
        consumed: `${cursor.consumed}`,
        stored: `${this.current.consumed}`,
      });
    }
    batch.put(CURSOR_KEY, encodeCursor(cursor));
    batch.onCommit(() => {
      if (!this.current || cursor.consumed >= this.current.consumed) this.current = cursor;
    });
  }
}

export function encodeCursor(c: DepositCursor): Uint8Array {
  return concatBytes(
    Uint8Array.of(RECORD_VERSION),
    u64LE(c.consumed),
    writeField(c.accumulator),
    u64LE(c.slot),
  );
}

export function decodeCursor(raw: Uint8Array): DepositCursor {
  const r = recordReader(raw, 'deposit cursor');
  const version = r.u8();
  if (version !== RECORD_VERSION)
    throw new StorageError('VALUE_CORRUPT', 'unknown deposit cursor version', { version });
  const consumed = r.u64();
  const accumulator = readRecordField(r);
  const slot = r.u64();
  r.end();
  return { consumed, accumulator, slot };
}
