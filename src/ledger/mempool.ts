import type { BatchVerifierPool, Field } from '../privacy/index.js';
import { LedgerError } from './errors.js';
import type { LedgerMetrics } from './metrics.js';
import { type RejectReason, reasonOfDecodeError } from './rejections.js';
import { type DecodedTransaction, decodeTransaction, isWithdrawal, TX_BYTES } from './transaction.js';
import { VerifyBatcher, type VerifyOutcome } from './verify-batcher.js';

/** The state a transaction is checked against (the ledger provides it). */
export interface MempoolContext {
  /**
   * A root an L2 transfer may spend from: among the last 64 roots of the L2 commitment tree, or in
   * the spend-root window measured from the later of the tip's timestamp and this node's clock (so
   * what is admitted still executes in the next block).
   */
  isSpendRoot(root: Field): boolean;
  /** Anchored on chain (withdrawals must spend from such a root: the program checks it again). */
  isAnchored(root: Field): boolean;
  /** Current Solana slot (for withdrawal expiry). */
  currentSlot(): bigint | Promise<bigint>;
  isSpent(nullifiers: readonly Field[]): Promise<boolean[]>;
  /**
   * The fee floor of the relayer a withdrawal names (32-byte Solana address) for its asset, as this
   * node last read the chain; undefined when it is not an active registered validator with a floor
   * for that asset. Without it, withdrawals are admitted whatever relayer and fee they name.
   */
  relayerFloor?(relayer: Uint8Array, asset: Field): bigint | undefined;
}

export interface MempoolOptions {
  readonly pool: BatchVerifierPool;
  readonly context: MempoolContext;
  readonly metrics: LedgerMetrics;
  /** Verified entries plus transactions being checked; default 10 000. */
  readonly maxEntries?: number;
  /** Largest verification batch; default 64. */
  readonly maxBatch?: number;
  /** How long a lone transaction waits for company before its batch starts; default 0 (none). */
  readonly lingerMs?: number;
  /** A withdrawal is refused unless it stays valid this many slots past now; default 150 (~60 s). */
  readonly minWithdrawalSlots?: bigint;
  /**
   * Called once per admitted transaction with where it came from. The node gossips what it admitted
   * from its ingress; a transaction that arrived by gossip is relayed by gossipsub itself, so
   * publishing it again would only multiply every transaction's messages by the cohort's size.
   */
  readonly onAdmitted?: (tx: DecodedTransaction, origin: TxOrigin) => void;
}

/** Where a transaction entered this node: its own ingress (or an in-process caller), or gossip. */
export type TxOrigin = 'local' | 'gossip';

export type AdmitResult =
  | { readonly ok: true; readonly id: Uint8Array }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

interface Entry {
  readonly tx: DecodedTransaction;
  /** performance.now() at admission: how long it then waits for a block is a latency stage. */
  readonly admittedAt: number;
}

/**
 * Verified transactions waiting for a block. Admission: size cap, decode (canonical values), no
 * duplicate id, a withdrawal's relayer registered and its fee at its floor, root rule, expiry, nullifiers neither spent nor used by a verified entry; then the
 * proof in a batch on the worker pool; then the state checks again, since a block may have been
 * applied while the proof was checked. Only then is the transaction admitted (and gossiped).
 *
 * Eviction rule: first come, first served. When full, entries that went stale (spent nullifier,
 * root out of the window, withdrawal near expiry) are dropped first; if it is still full the new
 * transaction is refused with MEMPOOL_FULL. A verified entry is never displaced by a newer one,
 * so a flood cannot push out transactions already admitted (there is no fee to rank by).
 */
export class Mempool {
  /** Insertion order = arrival order, which is the order proposals take them in. */
  private readonly entries = new Map<string, Entry>();
  private readonly byNullifier = new Map<bigint, string>();
  /** Transactions past decoding whose admission is still running, by id. */
  private readonly checking = new Map<string, DecodedTransaction>();
  /** Proof verifications in flight, by transaction id (a block's re-execution may share them). */
  private readonly verifying = new Map<string, Promise<VerifyOutcome>>();
  private readonly batcher: VerifyBatcher;
  private readonly maxEntries: number;
  private readonly minWithdrawalSlots: bigint;

  constructor(private readonly o: MempoolOptions) {
    this.maxEntries = o.maxEntries ?? 10_000;
    this.minWithdrawalSlots = o.minWithdrawalSlots ?? 150n;
    if (!Number.isInteger(this.maxEntries) || this.maxEntries < 1) {
      throw new LedgerError('ARGUMENT_INVALID', 'maxEntries must be a positive integer');
    }
    this.batcher = new VerifyBatcher(o.pool, o.metrics, o.maxBatch ?? 64, o.lingerMs ?? 0);
  }

  get size(): number {
    return this.entries.size;
  }

  has(idHex: string): boolean {
    return this.entries.has(idHex);
  }

  /**
   * The decoded transaction, verified or still being admitted (a proposal's body reuses it
   * instead of decoding the same bytes again).
   */
  known(idHex: string): DecodedTransaction | undefined {
    return this.entries.get(idHex)?.tx ?? this.checking.get(idHex);
  }

  /** The outcome of this transaction's proof check when admission is verifying it right now. */
  verification(idHex: string): Promise<VerifyOutcome> | undefined {
    return this.verifying.get(idHex);
  }

  /** When the entry was admitted (performance.now()), if it is in the mempool. */
  admittedAt(idHex: string): number | undefined {
    return this.entries.get(idHex)?.admittedAt;
  }

  /** Verified entries in arrival order. */
  *candidates(): Generator<DecodedTransaction> {
    for (const e of this.entries.values()) yield e.tx;
  }

  async admit(bytes: Uint8Array, origin: TxOrigin = 'local'): Promise<AdmitResult> {
    // Before decoding, so an oversized input costs nothing beyond its length check.
    if (bytes.length > TX_BYTES) return this.reject('OVERSIZE', `${bytes.length} bytes`);
    let d: DecodedTransaction;
    try {
      d = decodeTransaction(bytes);
    } catch (err) {
      const reason = reasonOfDecodeError(err);
      if (!reason) throw err;
      return this.reject(reason, (err as Error).message);
    }
    if (this.entries.has(d.idHex) || this.checking.has(d.idHex)) return this.reject('DUPLICATE', d.idHex);
    if (this.entries.size + this.checking.size >= this.maxEntries) {
      await this.pruneStale();
      if (this.entries.size + this.checking.size >= this.maxEntries) {
        return this.reject('MEMPOOL_FULL', `${this.maxEntries} entries`);
      }
    }
    this.checking.set(d.idHex, d);
    try {
      const before = (await this.checkState(d)) ?? this.checkConflicts(d) ?? this.checkRelayer(d);
      if (before) return before;
      const verification = this.batcher.verify(d);
      this.verifying.set(d.idHex, verification);
      const outcome = await verification.finally(() => this.verifying.delete(d.idHex));
      if (outcome !== 'ok') return this.reject(outcome, d.idHex);
      const after = await this.checkState(d);
      if (after) return after;
      // Synchronous from the conflict check to the insert: no other admission can interleave.
      const conflict = this.checkConflicts(d);
      if (conflict) return conflict;
      this.insert(d);
    } finally {
      this.checking.delete(d.idHex);
    }
    this.o.metrics.admitted.inc();
    this.o.onAdmitted?.(d, origin);
    return { ok: true, id: d.id };
  }

  /** Drops transactions a block included and any entry sharing a nullifier with them. */
  removeIncluded(ids: Iterable<string>, nullifiers: Iterable<bigint>): void {
    for (const id of ids) this.delete(id);
    for (const n of nullifiers) {
      const id = this.byNullifier.get(n);
      if (id) this.delete(id);
    }
  }

  remove(idHex: string): void {
    this.delete(idHex);
  }

  /** Drops entries that can no longer be included (after a block, or when the pool is full). */
  async pruneStale(): Promise<number> {
    const slot = await this.o.context.currentSlot();
    const all = [...this.entries.values()].map((e) => e.tx);
    const spent = await this.o.context.isSpent(all.flatMap((d) => d.tx.statement.nullifiers));
    let dropped = 0;
    all.forEach((d, i) => {
      if (spent[2 * i] || spent[2 * i + 1] || this.staleReason(d, slot)) {
        this.delete(d.idHex);
        dropped++;
      }
    });
    return dropped;
  }

  async stop(): Promise<void> {
    await this.batcher.stop();
  }

  private staleReason(d: DecodedTransaction, slot: bigint): RejectReason | undefined {
    const s = d.tx.statement;
    if (isWithdrawal(d.tx)) {
      if (!this.o.context.isAnchored(s.root)) return 'ROOT_NOT_ANCHORED';
      if (s.extData.expirationSlot < slot + this.minWithdrawalSlots) return 'EXPIRED';
    } else if (!this.o.context.isSpendRoot(s.root)) {
      return 'UNKNOWN_ROOT';
    }
    return undefined;
  }

  /**
   * An admission rule, not a block rule: views of the chain may differ by a refresh between
   * validators, so a block is never refused for it; a withdrawal nobody will settle is simply never
   * admitted here.
   */
  private checkRelayer(d: DecodedTransaction): AdmitResult | undefined {
    const floorOf = this.o.context.relayerFloor;
    if (!floorOf || !isWithdrawal(d.tx)) return undefined;
    // A withdrawal's asset_public is its asset (the circuit binds them when value moves).
    const { extData, assetPublic } = d.tx.statement;
    const floor = floorOf.call(this.o.context, extData.relayer, assetPublic);
    if (floor === undefined) {
      return this.reject(
        'RELAYER_NOT_REGISTERED',
        'the named relayer is not an active validator relaying this asset',
      );
    }
    if (extData.fee < floor) return this.reject('FEE_BELOW_FLOOR', `fee ${extData.fee} < floor ${floor}`);
    return undefined;
  }

  private async checkState(d: DecodedTransaction): Promise<AdmitResult | undefined> {
    const stale = this.staleReason(d, await this.o.context.currentSlot());
    if (stale) return this.reject(stale, d.idHex);
    const spent = await this.o.context.isSpent(d.tx.statement.nullifiers);
    if (spent.includes(true)) return this.reject('NULLIFIER_SPENT', d.idHex);
    return undefined;
  }

  /**
   * Only verified entries count: a transaction still being checked reserves nothing, so a copy of
   * someone's nullifiers with a bad proof cannot get their valid transaction refused.
   */
  private checkConflicts(d: DecodedTransaction): AdmitResult | undefined {
    if (this.entries.has(d.idHex)) return this.reject('DUPLICATE', d.idHex);
    for (const n of d.tx.statement.nullifiers) {
      const other = this.byNullifier.get(n);
      if (other) return this.reject('NULLIFIER_CONFLICT', `conflicts with ${other}`);
    }
    return undefined;
  }

  private insert(d: DecodedTransaction): void {
    this.entries.set(d.idHex, { tx: d, admittedAt: performance.now() });
    for (const n of d.tx.statement.nullifiers) this.byNullifier.set(n, d.idHex);
    this.o.metrics.mempoolSize.set(this.entries.size);
  }

  private delete(idHex: string): void {
    const e = this.entries.get(idHex);
    if (!e) return;
    this.entries.delete(idHex);
    for (const n of e.tx.tx.statement.nullifiers) {
      if (this.byNullifier.get(n) === idHex) this.byNullifier.delete(n);
    }
    this.o.metrics.mempoolSize.set(this.entries.size);
  }

  private reject(reason: RejectReason, detail: string): AdmitResult {
    this.o.metrics.rejections.inc({ reason });
    return { ok: false, reason, detail };
  }
}
