import { bytesToHex, concatBytes } from '../common/index.js';
import { WriteBatch } from './batch.js';
import type { Database } from './db.js';
import { StorageError } from './errors.js';
import { checkBytes32, key, Prefix, prefixRange, readU64BE, U64_MAX, u64BE } from './keys.js';
import { recordReader } from './values.js';

const RECORD_VERSION = 1;
/** Upper bound on one stored block or QC (the network caps messages well below this). */
export const MAX_BLOCK_BYTES = 16 * 1024 * 1024;

export interface StoredBlock {
  readonly height: bigint;
  /** 32-byte block hash (consensus defines how it is computed). */
  readonly hash: Uint8Array;
  /** Opaque encoded block (consensus defines the codec). */
  readonly block: Uint8Array;
}

export interface BlockInput extends StoredBlock {
  /** Opaque encoded quorum certificate, when known at commit time. */
  readonly qc?: Uint8Array;
}

/**
 * Finalized blocks by height ([0x30][height u64 BE]), the height of each block hash
 * ([0x31][hash]), and quorum certificates by height ([0x32][height u64 BE]). Heights are
 * contiguous: after the first stored block, only tip + 1 can be added.
 */
export class BlockStore {
  private tipHeight: bigint | undefined;
  private tipHash: Uint8Array | undefined;
  private writtenHeight: bigint | undefined;

  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<BlockStore> {
    const store = new BlockStore(db);
    for await (const [k, v] of db.iterate({ ...prefixRange(Prefix.BLOCK), reverse: true, limit: 1 })) {
      const height = readU64BE(k, 1);
      store.tipHeight = height;
      store.writtenHeight = height;
      store.tipHash = decodeBlockRecord(height, v).hash;
    }
    return store;
  }

  /** Height and hash of the highest stored block (including ones staged but not yet written). */
  tip(): { height: bigint; hash: Uint8Array } | undefined {
    return this.tipHeight === undefined ? undefined : { height: this.tipHeight, hash: this.tipHash! };
  }

  /** Height of the highest block readable now (a staged block counts once its batch is written). */
  writtenTipHeight(): bigint | undefined {
    return this.writtenHeight;
  }

  /** Called by whoever wrote a batch holding a staged block, once the write resolved. */
  markWritten(height: bigint): void {
    if (this.writtenHeight === undefined || height > this.writtenHeight) this.writtenHeight = height;
  }

  /** Stores one block (and its QC if given) as one synced write. */
  async put(input: BlockInput): Promise<void> {
    const batch = new WriteBatch();
    this.stage(batch, input);
    await this.db.write(batch, { sync: true });
    this.markWritten(input.height);
  }

  /**
   * Synchronously checks the height and stages the block. Call it last, right before
   * `db.write`, so nothing between staging and writing can abandon the batch.
   */
  stage(batch: WriteBatch, input: BlockInput): void {
    checkBytes32(input.hash, 'block hash');
    if (input.height < 0n || input.height > U64_MAX) {
      throw new StorageError('INVALID_ARGUMENT', 'block height is not a u64', { height: `${input.height}` });
    }
    if (input.block.length > MAX_BLOCK_BYTES || (input.qc?.length ?? 0) > MAX_BLOCK_BYTES) {
      throw new StorageError('INVALID_ARGUMENT', 'block or QC too large', { size: input.block.length });
    }
    if (this.tipHeight !== undefined && input.height !== this.tipHeight + 1n) {
      throw new StorageError(
        input.height <= this.tipHeight ? 'BLOCK_CONFLICT' : 'BLOCK_HEIGHT_GAP',
        'blocks must be stored at consecutive heights',
        { height: `${input.height}`, tip: `${this.tipHeight}` },
      );
    }
    const heightKey = u64BE(input.height);
    batch.put(
      key(Prefix.BLOCK, heightKey),
      concatBytes(Uint8Array.of(RECORD_VERSION), input.hash, input.block),
    );
    batch.put(key(Prefix.BLOCK_HASH, input.hash), heightKey);
    if (input.qc) batch.put(key(Prefix.QC, heightKey), concatBytes(Uint8Array.of(RECORD_VERSION), input.qc));
    this.tipHeight = input.height;
    this.tipHash = Uint8Array.from(input.hash);
  }

  /** Stores (or replaces) the quorum certificate of an already stored height. */
  async putQc(height: bigint, qc: Uint8Array): Promise<void> {
    if (this.tipHeight === undefined || height > this.tipHeight || !(await this.getByHeight(height))) {
      throw new StorageError('INVALID_ARGUMENT', 'no stored block at this height', { height: `${height}` });
    }
    const batch = new WriteBatch();
    batch.put(key(Prefix.QC, u64BE(height)), concatBytes(Uint8Array.of(RECORD_VERSION), qc));
    await this.db.write(batch, { sync: true });
  }

  async getByHeight(height: bigint): Promise<StoredBlock | undefined> {
    const raw = await this.db.get(key(Prefix.BLOCK, u64BE(height)));
    return raw === undefined ? undefined : this.decode(height, raw);
  }

  async getByHash(hash: Uint8Array): Promise<StoredBlock | undefined> {
    checkBytes32(hash, 'block hash');
    const raw = await this.db.get(key(Prefix.BLOCK_HASH, hash));
    if (raw === undefined) return undefined;
    if (raw.length !== 8) {
      throw this.db.reportError(
        new StorageError('VALUE_CORRUPT', 'bad block hash index entry', { hash: bytesToHex(hash) }),
      );
    }
    return this.getByHeight(readU64BE(raw, 0));
  }

  async getQc(height: bigint): Promise<Uint8Array | undefined> {
    const raw = await this.db.get(key(Prefix.QC, u64BE(height)));
    if (raw === undefined) return undefined;
    const r = recordReader(raw, 'quorum certificate');
    if (r.u8() !== RECORD_VERSION) {
      throw this.db.reportError(
        new StorageError('VALUE_CORRUPT', 'unknown QC record version', { height: `${height}` }),
      );
    }
    return r.rest();
  }

  /** Blocks from `from` upward in height order, at most `limit` (block sync serves from this). */
  async range(from: bigint, limit: number): Promise<StoredBlock[]> {
    const out: StoredBlock[] = [];
    if (limit <= 0) return out;
    const { lt } = prefixRange(Prefix.BLOCK);
    for await (const [k, v] of this.db.iterate({ gte: key(Prefix.BLOCK, u64BE(from)), lt, limit })) {
      out.push(this.decode(readU64BE(k, 1), v));
    }
    return out;
  }

  /**
   * Stages a block held below the chain this store keeps (a snapshot's refund blocks): not a tip,
   * not indexed by hash, never served by block sync; the caller verified it against a header.
   */
  stageHeld(batch: WriteBatch, input: StoredBlock): void {
    checkBytes32(input.hash, 'block hash');
    if (input.height < 1n || input.height > U64_MAX || input.block.length > MAX_BLOCK_BYTES) {
      throw new StorageError('INVALID_ARGUMENT', 'held block out of range', { height: `${input.height}` });
    }
    batch.put(
      key(Prefix.HELD_BLOCK, u64BE(input.height)),
      concatBytes(Uint8Array.of(RECORD_VERSION), input.hash, input.block),
    );
  }

  async getHeld(height: bigint): Promise<StoredBlock | undefined> {
    const raw = await this.db.get(key(Prefix.HELD_BLOCK, u64BE(height)));
    return raw === undefined ? undefined : this.decode(height, raw);
  }

  /** A stored block, or else a held one: what a refund names may be either. */
  async getStoredOrHeld(height: bigint): Promise<StoredBlock | undefined> {
    return (await this.getByHeight(height)) ?? (await this.getHeld(height));
  }

  /** Every held block, in height order (few: one per block with a withdrawal still refundable). */
  async *held(): AsyncGenerator<StoredBlock> {
    for await (const [k, v] of this.db.iterate(prefixRange(Prefix.HELD_BLOCK))) {
      yield this.decode(readU64BE(k, 1), v);
    }
  }

  private decode(height: bigint, raw: Uint8Array): StoredBlock {
    try {
      return decodeBlockRecord(height, raw);
    } catch (err) {
      if (err instanceof StorageError) throw this.db.reportError(err);
      throw err;
    }
  }
}

function decodeBlockRecord(height: bigint, raw: Uint8Array): StoredBlock {
  const r = recordReader(raw, 'block');
  const version = r.u8();
  if (version !== RECORD_VERSION) {
    throw new StorageError('VALUE_CORRUPT', 'unknown block record version', { height: `${height}`, version });
  }
  const hash = r.bytes(32, 'hash');
  return { height, hash, block: r.rest() };
}
