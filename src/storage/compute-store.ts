import { bytesToHex, concatBytes } from '../common/index.js';
import { WriteBatch } from './batch.js';
import type { Database } from './db.js';
import { StorageError } from './errors.js';
import { checkBytes32, key, metaKey, Prefix, prefixRange, readU64BE, u64BE } from './keys.js';
import { plain, recordReader, u64LE } from './values.js';

const RECORD_VERSION = 1;
const NEXT_SEQ_KEY = metaKey('compute_next_seq');

export type ComputeJobState = 'queued' | 'done';
const STATE_CODES: Record<ComputeJobState, number> = { queued: 0, done: 1 };

export interface ComputeJob {
  /** 32-byte job id (the compute layer defines it). */
  readonly id: Uint8Array;
  readonly state: ComputeJobState;
  /** Position in the queue (enqueue order). */
  readonly seq: bigint;
  /** Opaque job description (the compute layer's codec). */
  readonly payload: Uint8Array;
}

/**
 * Everything one block changes in the compute state, written in one synced batch together with
 * the applied height, so applying a block twice (a replay after a crash) is a no-op.
 */
export interface ComputeBlockChanges {
  /** Jobs the block admitted: queued, with their first chain state and their ownership tag key. */
  readonly admitted: readonly {
    readonly id: Uint8Array;
    readonly payload: Uint8Array;
    readonly chain: Uint8Array;
    readonly tagKey: Uint8Array;
  }[];
  /** New chain states of jobs already known (results recorded, retried, finished). */
  readonly chains: readonly { readonly id: Uint8Array; readonly chain: Uint8Array }[];
  /** Jobs that left the queue in this block, with their final record when they have one. */
  readonly finished: readonly { readonly id: Uint8Array; readonly result: Uint8Array | undefined }[];
  readonly audit: readonly Uint8Array[];
  /** New agreed fault counts (absolute values, not increments, so a replay cannot double them). */
  readonly faults: readonly { readonly executor: Uint8Array; readonly count: bigint }[];
}

export interface AuditEntry {
  readonly seq: bigint;
  readonly entry: Uint8Array;
}

/**
 * Compute jobs: a FIFO queue ([0x50][seq u64 BE] -> job id), job records ([0x51][id]), results
 * ([0x52][id]) and an append-only audit log ([0x53][seq u64 BE]). Payloads, results and audit
 * entries are opaque bytes; the compute layer defines their codecs.
 */
export class ComputeStore {
  private nextQueueSeq = 0n;
  private nextAuditSeq = 0n;
  private readonly inFlight = new Set<string>();

  private constructor(private readonly db: Database) {}

  static async open(db: Database): Promise<ComputeStore> {
    const store = new ComputeStore(db);
    // Queue entries are deleted when jobs finish, so the next sequence number is kept in metadata.
    const raw = await db.get(NEXT_SEQ_KEY);
    if (raw !== undefined) {
      const r = recordReader(raw, 'compute queue sequence');
      store.nextQueueSeq = r.u64();
      r.end();
    }
    const queued = await lastSeq(db, Prefix.COMPUTE_QUEUE);
    if (queued > store.nextQueueSeq) store.nextQueueSeq = queued;
    store.nextAuditSeq = await lastSeq(db, Prefix.COMPUTE_AUDIT);
    return store;
  }

  async enqueue(id: Uint8Array, payload: Uint8Array): Promise<bigint> {
    checkBytes32(id, 'job id');
    const release = this.reserve(id);
    try {
      if (await this.db.get(key(Prefix.COMPUTE_JOB, id))) {
        throw new StorageError('JOB_EXISTS', 'job already known', { id: bytesToHex(id) });
      }
      const seq = this.nextQueueSeq++;
      const batch = new WriteBatch();
      batch.put(key(Prefix.COMPUTE_QUEUE, u64BE(seq)), id);
      batch.put(key(Prefix.COMPUTE_JOB, id), encodeJob('queued', seq, payload));
      batch.deferredPut(NEXT_SEQ_KEY, () => u64LE(this.nextQueueSeq));
      await this.db.write(batch, { sync: true });
      return seq;
    } finally {
      release();
    }
  }

  /** The oldest queued jobs, in enqueue order. */
  async peek(limit: number): Promise<ComputeJob[]> {
    const ids: Buffer[] = [];
    for await (const [, v] of this.db.iterate({ ...prefixRange(Prefix.COMPUTE_QUEUE), limit })) ids.push(v);
    const records = await this.db.getMany(ids.map((id) => key(Prefix.COMPUTE_JOB, id)));
    return records.map((raw, i) => {
      if (raw === undefined) {
        throw this.db.reportError(
          new StorageError('VALUE_CORRUPT', 'queued job has no record', { id: bytesToHex(ids[i]!) }),
        );
      }
      return decodeJob(ids[i]!, raw);
    });
  }

  async getJob(id: Uint8Array): Promise<ComputeJob | undefined> {
    checkBytes32(id, 'job id');
    const raw = await this.db.get(key(Prefix.COMPUTE_JOB, id));
    return raw === undefined ? undefined : decodeJob(id, raw);
  }

  /** Atomically: removes the job from the queue, stores its result, appends an audit entry. */
  async complete(id: Uint8Array, result: Uint8Array, audit?: Uint8Array): Promise<void> {
    checkBytes32(id, 'job id');
    const release = this.reserve(id);
    try {
      const job = await this.getJob(id);
      if (job?.state !== 'queued') {
        throw new StorageError('JOB_UNKNOWN', 'no queued job with this id', { id: bytesToHex(id) });
      }
      const batch = new WriteBatch();
      batch.del(key(Prefix.COMPUTE_QUEUE, u64BE(job.seq)));
      batch.put(key(Prefix.COMPUTE_JOB, id), encodeJob('done', job.seq, job.payload));
      batch.put(key(Prefix.COMPUTE_RESULT, id), result);
      if (audit) batch.put(key(Prefix.COMPUTE_AUDIT, u64BE(this.nextAuditSeq++)), audit);
      await this.db.write(batch, { sync: true });
    } finally {
      release();
    }
  }

  async getResult(id: Uint8Array): Promise<Uint8Array | undefined> {
    checkBytes32(id, 'job id');
    return plain(await this.db.get(key(Prefix.COMPUTE_RESULT, id)));
  }

  async appendAudit(entry: Uint8Array): Promise<bigint> {
    const seq = this.nextAuditSeq++;
    const batch = new WriteBatch();
    batch.put(key(Prefix.COMPUTE_AUDIT, u64BE(seq)), entry);
    await this.db.write(batch, { sync: true });
    return seq;
  }

  async audit(from: bigint, limit: number): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    const { lt } = prefixRange(Prefix.COMPUTE_AUDIT);
    for await (const [k, v] of this.db.iterate({ gte: key(Prefix.COMPUTE_AUDIT, u64BE(from)), lt, limit })) {
      out.push({ seq: readU64BE(k, 1), entry: plain(v) });
    }
    return out;
  }

  /**
   * Sets the applied height without changes (a snapshot install: the node starts at a height whose
   * earlier blocks it never held, so there is nothing to replay below it).
   */
  stageApplied(batch: WriteBatch, height: bigint): void {
    batch.put(key(Prefix.COMPUTE_APPLIED), u64LE(height));
  }

  /** The last height whose compute changes are written (0 before any). */
  async appliedHeight(): Promise<bigint> {
    const raw = await this.db.get(key(Prefix.COMPUTE_APPLIED));
    if (raw === undefined) return 0n;
    const r = recordReader(raw, 'compute applied height');
    const h = r.u64();
    r.end();
    return h;
  }

  /**
   * Writes one block's compute changes and its height atomically. Refuses a height at or below
   * the applied one: the caller checks first, this is the backstop against a double apply.
   */
  async applyBlock(height: bigint, changes: ComputeBlockChanges): Promise<void> {
    const applied = await this.appliedHeight();
    if (height <= applied) {
      throw new StorageError('INVALID_ARGUMENT', 'compute block already applied', {
        height: `${height}`,
        applied: `${applied}`,
      });
    }
    const batch = new WriteBatch();
    const finished = new Set(changes.finished.map((f) => bytesToHex(f.id)));
    let queueSeq = this.nextQueueSeq;
    let auditSeq = this.nextAuditSeq;
    const seqs = new Map<string, bigint>();
    for (const a of changes.admitted) {
      checkBytes32(a.id, 'job id');
      const seq = queueSeq++;
      seqs.set(bytesToHex(a.id), seq);
      const state: ComputeJobState = finished.has(bytesToHex(a.id)) ? 'done' : 'queued';
      if (state === 'queued') batch.put(key(Prefix.COMPUTE_QUEUE, u64BE(seq)), a.id);
      batch.put(key(Prefix.COMPUTE_JOB, a.id), encodeJob(state, seq, a.payload));
      batch.put(key(Prefix.COMPUTE_CHAIN, a.id), a.chain);
      batch.put(key(Prefix.COMPUTE_TAG, a.tagKey), new Uint8Array(0));
    }
    for (const c of changes.chains) batch.put(key(Prefix.COMPUTE_CHAIN, c.id), c.chain);
    for (const f of changes.finished) {
      if (seqs.has(bytesToHex(f.id))) {
        if (f.result) batch.put(key(Prefix.COMPUTE_RESULT, f.id), f.result);
        continue;
      }
      const job = await this.getJob(f.id);
      if (job?.state !== 'queued') {
        throw new StorageError('JOB_UNKNOWN', 'no queued job with this id', { id: bytesToHex(f.id) });
      }
      batch.del(key(Prefix.COMPUTE_QUEUE, u64BE(job.seq)));
      batch.put(key(Prefix.COMPUTE_JOB, f.id), encodeJob('done', job.seq, job.payload));
      if (f.result) batch.put(key(Prefix.COMPUTE_RESULT, f.id), f.result);
    }
    for (const entry of changes.audit) batch.put(key(Prefix.COMPUTE_AUDIT, u64BE(auditSeq++)), entry);
    for (const f of changes.faults) {
      checkBytes32(f.executor, 'executor key');
      batch.put(key(Prefix.COMPUTE_FAULTS, f.executor), u64LE(f.count));
    }
    batch.put(key(Prefix.COMPUTE_APPLIED), u64LE(height));
    batch.put(NEXT_SEQ_KEY, u64LE(queueSeq));
    // A block with no compute changes only moves the applied height: losing that write in a crash
    // just replays empty blocks, so it is not worth an fsync per block.
    const empty = batch.length === 2;
    await this.db.write(batch, { sync: !empty });
    this.nextQueueSeq = queueSeq;
    this.nextAuditSeq = auditSeq;
  }

  async getChain(id: Uint8Array): Promise<Uint8Array | undefined> {
    checkBytes32(id, 'job id');
    return plain(await this.db.get(key(Prefix.COMPUTE_CHAIN, id)));
  }

  /** Chain states of every queued (unfinished) job, in queue order. */
  async activeChains(): Promise<{ id: Uint8Array; chain: Uint8Array }[]> {
    const ids: Buffer[] = [];
    for await (const [, v] of this.db.iterate(prefixRange(Prefix.COMPUTE_QUEUE))) ids.push(v);
    const chains = await this.db.getMany(ids.map((id) => key(Prefix.COMPUTE_CHAIN, id)));
    const out: { id: Uint8Array; chain: Uint8Array }[] = [];
    chains.forEach((chain, i) => {
      if (chain !== undefined) out.push({ id: Uint8Array.from(ids[i]!), chain: plain(chain) });
    });
    return out;
  }

  async hasTag(tagKey: Uint8Array): Promise<boolean> {
    return (await this.db.get(key(Prefix.COMPUTE_TAG, tagKey))) !== undefined;
  }

  async faults(executor: Uint8Array): Promise<bigint> {
    checkBytes32(executor, 'executor key');
    const raw = await this.db.get(key(Prefix.COMPUTE_FAULTS, executor));
    if (raw === undefined) return 0n;
    const r = recordReader(raw, 'executor faults');
    const n = r.u64();
    r.end();
    return n;
  }

  /** Every executor with a recorded fault (hex key -> count). */
  async allFaults(): Promise<Map<string, bigint>> {
    const out = new Map<string, bigint>();
    for await (const [k, v] of this.db.iterate(prefixRange(Prefix.COMPUTE_FAULTS))) {
      const r = recordReader(v, 'executor faults');
      out.set(bytesToHex(k.subarray(1)), r.u64());
    }
    return out;
  }

  private reserve(id: Uint8Array): () => void {
    const hex = bytesToHex(id);
    if (this.inFlight.has(hex))
      throw new StorageError('JOB_EXISTS', 'job is being written concurrently', { id: hex });
    this.inFlight.add(hex);
    return () => this.inFlight.delete(hex);
  }
}

async function lastSeq(db: Database, prefix: number): Promise<bigint> {
  for await (const [k] of db.iterate({ ...prefixRange(prefix), reverse: true, limit: 1 }))
    return readU64BE(k, 1) + 1n;
  return 0n;
}

function encodeJob(state: ComputeJobState, seq: bigint, payload: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(RECORD_VERSION, STATE_CODES[state]), u64LE(seq), payload);
}

function decodeJob(id: Uint8Array, raw: Uint8Array): ComputeJob {
  const r = recordReader(raw, 'compute job');
  const version = r.u8();
  if (version !== RECORD_VERSION)
    throw new StorageError('VALUE_CORRUPT', 'unknown job record version', { version });
  const code = r.u8();
  const state = (Object.keys(STATE_CODES) as ComputeJobState[]).find((s) => STATE_CODES[s] === code);
  if (!state) throw new StorageError('VALUE_CORRUPT', 'unknown job state', { code });
  const seq = r.u64();
  return { id: Uint8Array.from(id), state, seq, payload: r.rest() };
}
