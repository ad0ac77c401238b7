import type { Registry } from 'prom-client';
import { bytesEqual, bytesToHex, createLogger, type Logger } from '../common/index.js';
import type { BatchVerifierPool, Field } from '../privacy/index.js';
import type { DepositCursor, NodeStorage } from '../storage/index.js';
import {
  type Block,
  blockHash,
  decodeBlock,
  decodeBlockHeaderOf,
  encodeBlock,
  MAX_BLOCK_DEPOSITS,
  MAX_BLOCK_TRANSACTIONS,
} from './block.js';
import { DepositQueue, type PendingDeposit } from './deposits.js';
import { LedgerError } from './errors.js';
import {
  type BlockEffects,
  type BlockRefusal,
  computeEffects,
  executeBlock,
  type VoteChecks,
} from './execute.js';
import { type FinalBlockListener, FinalBlockStream } from './final-blocks.js';
import { type AdmitResult, Mempool, type MempoolOptions, type TxOrigin } from './mempool.js';
import { type LedgerMetrics, ledgerMetrics } from './metrics.js';
import { RefundWatch } from './refund-watch.js';
import {
  checkRefundsSettleable,
  encodeRefundEntry,
  MAX_BLOCK_REFUNDS,
  REFUNDS_SECTION_KIND,
  type ResolvedRefund,
} from './refunds.js';
import { Refusal, reasonOfDecodeError } from './rejections.js';
import { type BlockSection, type LedgerExtension, sectionEntries, sectionsRoot } from './sections.js';
import { LedgerState, type LedgerTip } from './state.js';
import { type DecodedTransaction, isWithdrawal } from './transaction.js';
import { verifyTransactions } from './verify.js';

/** What refunds need of Solana: this node's own view and RPC, at `finalized`. */
export interface RefundChain {
  /** The slot Solana finalized, as this node's chain view last read it (0 before a read). */
  finalizedSlot(): bigint;
  /** This node's RPC at finalized: the slot read and, per nullifier, whether its record exists. */
  readNullifiers(nullifiers: readonly Field[]): Promise<{ slot: bigint; present: readonly boolean[] }>;
}

export interface LedgerAppOptions {
  readonly storage: NodeStorage;
  /** Started worker pool; shared by mempool admission and proposal re-execution. */
  readonly pool: BatchVerifierPool;
  readonly registry: Registry;
  /** This validator's Ed25519 public key, written as `leader` in the blocks it proposes. */
  readonly leader: Uint8Array;
  /** Whether a root is anchored on chain (withdrawals must spend from one). */
  readonly isAnchored: (root: Field) => boolean;
  readonly currentSlot: () => bigint | Promise<bigint>;
  /** Mempool admission of a withdrawal's relayer and fee (MempoolContext.relayerFloor). */
  readonly relayerFloor?: (relayer: Uint8Array, asset: Field) => bigint | undefined;
  /** Expected proposer of (height, round), when consensus wants the header's leader checked. */
  readonly leaderOf?: (height: bigint, round: number) => Uint8Array | undefined;
  readonly maxTransactionsPerBlock?: number;
  readonly maxDepositsPerBlock?: number;
  /** A withdrawal in a proposal must stay valid this many slots past now; default 32. */
  readonly minWithdrawalSlotsInBlock?: bigint;
  /** How far ahead of this node's clock a proposal's timestamp may be; default 10 s. */
  readonly maxClockDriftMs?: number;
  /**
   * `ledger.spend_root_window_ms` (default 10 min): an L2 transfer may spend from a root the tree
   * had after a block timestamped this long before its own block, besides the last 64 roots. The
   * whole cohort must use one value (it decides which blocks execute).
   */
  readonly spendRootWindowMs?: number;
  readonly now?: () => number;
  readonly mempool?: Pick<
    MempoolOptions,
    'maxEntries' | 'maxBatch' | 'lingerMs' | 'minWithdrawalSlots' | 'onAdmitted'
  >;
  readonly logger?: Logger;
  /** Modules that put entries into blocks (validator-set updates, compute); kinds unique. */
  readonly extensions?: readonly LedgerExtension[];
  /**
   * Refunds of withdrawals that expired unsettled (src/ledger/refunds.ts). Without it this node
   * proposes none and votes against any proposal carrying one (it cannot check them); it still
   * applies final blocks that carry them.
   */
  readonly refunds?: RefundChain;
  /**
   * Longest wait for the refund chain's read inside building or validating a proposal (default 2 s):
   * a hung RPC must cost this node its refunds or its vote, not the round.
   */
  readonly refundReadTimeoutMs?: number;
  /**
   * Called after a block's storage batch is written and before the rest of its commit (tree
   * adoption, sections, deposit cursor): the fault harness's point for a crash in mid-commit.
   */
  readonly afterBlockStored?: (height: bigint) => void;
}

export type ValidateResult = { ok: true; hash: Uint8Array } | { ok: false; reason: string };

interface Prepared {
  readonly block: Block;
  /** The encoding that was executed: what a commit stores, whatever bytes it was handed. */
  readonly bytes: Uint8Array;
  readonly hash: Uint8Array;
  readonly effects: BlockEffects;
}

/** Executions kept between validate/build and commit; more only means some re-execution. */
const PREPARED_CAP = 16;

/**
 * The ledger as consensus sees it (implements the consensus module's ConsensusApplication):
 * buildProposal assembles a block from pending deposits and the mempool; validateProposal
 * re-executes a proposal (decode, state checks, recomputed roots, proofs) without writing anything;
 * commit applies a final block and its QC in one synced batch, then adopts the tree changes.
 * Calls are serialized, so a commit never interleaves with an execution against the same state.
 */
export class LedgerApp {
  readonly mempool: Mempool;
  readonly deposits: DepositQueue;
  readonly metrics: LedgerMetrics;
  private readonly log: Logger;
  private readonly prepared = new Map<string, Prepared>();
  private serial: Promise<unknown> = Promise.resolve();
  private closed = false;
  private workWaiters: (() => void)[] = [];
  private readonly finals: FinalBlockStream;
  private readonly refundWatch = new RefundWatch();

  private constructor(
    private readonly o: LedgerAppOptions,
    private readonly state: LedgerState,
  ) {
    if (o.leader.length !== 32) throw new LedgerError('ARGUMENT_INVALID', 'leader must be a 32-byte key');
    this.metrics = ledgerMetrics(o.registry);
    this.log = o.logger ?? createLogger('ledger');
    this.finals = new FinalBlockStream(o.registry, this.log);
    const tip = state.tip;
    this.deposits = new DepositQueue(tip.depositsConsumed, tip.depositAccumulator);
    this.mempool = new Mempool({
      ...o.mempool,
      onAdmitted: (tx, origin) => {
        this.workArrived();
        o.mempool?.onAdmitted?.(tx, origin);
      },
      pool: o.pool,
      metrics: this.metrics,
      context: {
        isSpendRoot: (root) => state.isSpendRoot(root, this.admissionTimeMs()),
        isAnchored: o.isAnchored,
        currentSlot: o.currentSlot,
        isSpent: (n) => state.isSpent(n),
        ...(o.relayerFloor ? { relayerFloor: o.relayerFloor } : {}),
      },
    });
    this.metrics.height.set(Number(tip.height));
    this.metrics.spendRoots.set(state.spendRoots.size);
  }

  static async open(options: LedgerAppOptions): Promise<LedgerApp> {
    const kinds = new Set((options.extensions ?? []).map((e) => e.kind));
    if (kinds.size !== (options.extensions ?? []).length || kinds.has(REFUNDS_SECTION_KIND)) {
      throw new LedgerError('ARGUMENT_INVALID', 'two ledger extensions share a section kind', {
        kind: REFUNDS_SECTION_KIND,
      });
    }
    const state = await LedgerState.open(options.storage, {
      ...(options.spendRootWindowMs !== undefined ? { spendRootWindowMs: options.spendRootWindowMs } : {}),
    });
    const app = new LedgerApp(options, state);
    await app.replayExtensions();
    if (options.refunds) await app.watchStoredRefunds();
    return app;
  }

  get tip(): LedgerTip {
    return this.state.tip;
  }

  get root(): Field {
    return this.state.tree.root;
  }

  get leafCount(): number {
    return this.state.tree.size;
  }

  /** Whether each field is in the committed spent set (note nullifiers, refund tags). */
  isSpent(fields: readonly Field[]): Promise<boolean[]> {
    return this.state.isSpent(fields);
  }

  /**
   * Hears each block as it becomes final here (after its commit is synced), with the decoded block,
   * its bytes and certificate, in height order (src/ledger/final-blocks.ts). Blocks committed before
   * the call are in storage; a subscriber reads those once at start, then follows the stream.
   */
  onFinal(listener: FinalBlockListener): () => void {
    return this.finals.on(listener);
  }

  /** Transaction ingress (node RPC, or gossip with origin 'gossip'). */
  submit(bytes: Uint8Array, origin: TxOrigin = 'local'): Promise<AdmitResult> {
    return this.mempool.admit(bytes, origin);
  }

  /** Finalized deposits from the deposit listener, in queue order. */
  addDeposits(deposits: readonly PendingDeposit[]): number {
    const added = this.deposits.add(deposits);
    if (added) this.workArrived();
    return added;
  }

  /** Whether a block built now would carry deposits or transactions. */
  get hasWork(): boolean {
    return this.mempool.size > 0 || this.deposits.size > 0;
  }

  /** Resolves once there is work for a block (at once if there is some), or after `ms`. */
  waitForWork(ms: number): Promise<void> {
    if (this.hasWork || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      // Unregistered on timeout: an idle cohort makes an empty block every idle period.
      const done = () => {
        clearTimeout(timer);
        this.workWaiters = this.workWaiters.filter((w) => w !== done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.workWaiters.push(done);
    });
  }

  private workArrived(): void {
    const waiters = this.workWaiters;
    this.workWaiters = [];
    for (const w of waiters) w();
  }

  buildProposal(
    height: bigint,
    round: number,
    previousHash: Uint8Array,
  ): Promise<{ hash: Uint8Array; bytes: Uint8Array }> {
    return this.exclusive(async () => {
      const tip = this.state.tip;
      if (height !== tip.height + 1n || !bytesEqual(previousHash, tip.hash)) {
        throw new LedgerError('STATE_MISMATCH', 'proposal requested on a state this ledger is not at', {
          height: `${height}`,
          tip: `${tip.height}`,
        });
      }
      const checks = await this.voteChecks();
      // Fixed before picking: the spend-root window is measured from the block's own timestamp.
      const timestampMs = maxBig(BigInt(this.now()), tip.timestampMs);
      const deposits = this.deposits
        .take(tip.depositsConsumed, Math.min(this.o.maxDepositsPerBlock ?? 256, MAX_BLOCK_DEPOSITS))
        .map((d) => d.commitment);
      const txs = await this.pickTransactions(checks, timestampMs);
      const pickedAt = performance.now();
      for (const t of txs) {
        const admitted = this.mempool.admittedAt(t.idHex);
        if (admitted !== undefined) this.metrics.inclusionWait.observe((pickedAt - admitted) / 1000);
      }
      const refunds = await this.proposeRefunds();
      const sections = await this.proposeSections(height);
      if (refunds.length) {
        sections.push({ kind: REFUNDS_SECTION_KIND, entries: refunds.map(encodeRefundEntry) });
        sections.sort((a, b) => a.kind - b.kind);
      }
      const effects = await computeEffects(this.state, timestampMs, deposits, txs, checks, refunds);
      if (effects instanceof Refusal) {
        // Cannot happen for entries picked above; refusing to propose beats proposing garbage.
        throw new LedgerError('BLOCK_INVALID', `own proposal does not execute: ${effects}`);
      }
      const header = {
        height,
        round,
        previousHash: Uint8Array.from(previousHash),
        leader: Uint8Array.from(this.o.leader),
        depositsConsumed: effects.depositsConsumed,
        depositAccumulator: effects.depositAccumulator,
        nullifierCount: effects.nullifierCount,
        nullifierAccumulator: effects.nullifierAccumulator,
        commitmentRoot: effects.commitmentRoot,
        leafCount: BigInt(effects.plan.state.leafCount),
        withdrawalsRoot: effects.withdrawalsRoot,
        transactionRoot: effects.transactionRoot,
        sectionsRoot: sectionsRoot(sections),
        timestampMs,
      };
      const block: Block = { header, deposits, transactions: txs, sections };
      const hash = blockHash(header);
      const bytes = encodeBlock(block);
      this.remember({ block, bytes, hash, effects });
      return { hash, bytes };
    });
  }

  validateProposal(height: bigint, round: number, bytes: Uint8Array): Promise<ValidateResult> {
    return this.exclusive(async () => {
      const outcome = await this.validate(height, round, bytes);
      if (outcome instanceof Refusal) {
        this.metrics.proposalsRefused.inc({ reason: outcome.code });
        this.log.warn({ height: `${height}`, round, reason: `${outcome}` }, 'proposal refused');
        return { ok: false, reason: `${outcome}` };
      }
      this.remember(outcome);
      return { ok: true, hash: outcome.hash };
    });
  }

  commit(height: bigint, bytes: Uint8Array, certificate: Uint8Array): Promise<void> {
    return this.exclusive(async () => {
      const tip = this.state.tip;
      if (height !== tip.height + 1n) {
        throw new LedgerError('STATE_MISMATCH', 'commit out of order', {
          height: `${height}`,
          tip: `${tip.height}`,
        });
      }
      const t0 = performance.now();
      const prepared = await this.prepareForCommit(height, bytes);
      const { block, hash, effects } = prepared;
      const t1 = performance.now();
      const spendRoots = this.state.planSpendRoots(height, block.header.timestampMs, effects.commitmentRoot);
      await this.state.storage.commitBlock({
        height,
        hash,
        // The executed encoding, not the one handed in: another body under the same header would
        // need a collision in its roots, and the stored block must match the applied state anyway.
        block: prepared.bytes,
        qc: certificate,
        tree: effects.plan,
        nullifiers: effects.nullifiers,
        spendRoots,
        ...this.cursorUpdate(block, effects),
      });
      this.o.afterBlockStored?.(height);
      this.state.tree.adopt(effects.plan, effects.leafCount);
      this.state.advance(
        {
          height,
          hash,
          timestampMs: block.header.timestampMs,
          depositsConsumed: effects.depositsConsumed,
          depositAccumulator: effects.depositAccumulator,
          nullifierCount: effects.nullifierCount,
          nullifierAccumulator: effects.nullifierAccumulator,
        },
        spendRoots,
      );
      this.metrics.spendRoots.set(this.state.spendRoots.size);
      this.prepared.clear();
      this.refundWatch.follow(height, block);
      const t2 = performance.now();
      await this.applySections(height, block.sections);
      const t3 = performance.now();
      this.deposits.consumedUpTo(effects.depositsConsumed, effects.depositAccumulator);
      this.mempool.removeIncluded(
        block.transactions.map((t) => t.idHex),
        effects.nullifiers,
      );
      this.metrics.blocksCommitted.inc();
      this.metrics.height.set(Number(height));
      if (effects.refunds.length) {
        this.metrics.refunds.inc(effects.refunds.length);
        this.log.info(
          {
            height: `${height}`,
            refunds: effects.refunds.length,
            withdrawals: effects.refunds.map((r) => `${r.height}:${r.index}`),
          },
          'expired withdrawals refunded',
        );
      }
      this.finals.emit({ height, hash, block, bytes: prepared.bytes, certificate });
      this.log.debug(
        {
          height: `${height}`,
          txs: block.transactions.length,
          deposits: block.deposits.length,
          // Where the commit's time went: re-execution (0 when validated here), the synced batch, sections.
          executeMs: Math.round(t1 - t0),
          storeMs: Math.round(t2 - t1),
          sectionsMs: Math.round(t3 - t2),
        },
        'block applied',
      );
      // Roots leave the window and withdrawals approach expiry as blocks pass; not awaited by consensus.
      void this.mempool.pruneStale().catch((err: unknown) => {
        this.log.warn({ err: err instanceof Error ? err.message : String(err) }, 'mempool prune failed');
      });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.mempool.stop();
    await this.serial.catch(() => {});
  }

  private async validate(height: bigint, round: number, bytes: Uint8Array): Promise<Prepared | BlockRefusal> {
    let block: Block;
    try {
      block = decodeBlock(bytes, (id) => this.mempool.known(id));
    } catch (err) {
      const reason = reasonOfDecodeError(err);
      if (!reason) throw err;
      return new Refusal(reason, (err as Error).message);
    }
    const h = block.header;
    if (h.height !== height) return new Refusal('WRONG_HEIGHT', `header height ${h.height}, asked ${height}`);
    // A value re-proposed in a later round (Tendermint's valid value) keeps its original round.
    if (h.round > round) return new Refusal('WRONG_ROUND', `header round ${h.round} is after round ${round}`);
    const expected = this.o.leaderOf?.(h.height, h.round);
    if (expected && !bytesEqual(expected, h.leader))
      return new Refusal('WRONG_LEADER', `not the leader of round ${h.round}`);
    if (
      block.deposits.length > (this.o.maxDepositsPerBlock ?? 256) ||
      block.transactions.length > (this.o.maxTransactionsPerBlock ?? 512)
    ) {
      return new Refusal('TOO_MANY', 'more deposits or transactions than a block may carry');
    }
    const effects = await executeBlock(this.state, block, await this.voteChecks());
    if (effects instanceof Refusal) return effects;
    const refundProblem = await this.checkRefundsOnChain(effects.refunds);
    if (refundProblem) return refundProblem;
    const sectionProblem = await this.checkSections(block, 'proposal');
    if (sectionProblem) return sectionProblem;
    const bad = await this.verifyUnknown(block.transactions);
    if (bad !== undefined)
      return new Refusal('BAD_PROOF', `transaction ${bad} has a proof that does not verify`);
    return { block, bytes, hash: blockHash(h), effects };
  }

  /**
   * A final block is applied even if this node never validated it (it is catching up), but only if
   * it re-executes: a certified block that does not is a safety failure and stops the ledger.
   */
  private async prepareForCommit(height: bigint, bytes: Uint8Array): Promise<Prepared> {
    // The hash names the whole block (its header binds the body), so a validated one is not decoded again.
    const hash = blockHash(decodeBlockHeaderOf(bytes));
    const known = this.prepared.get(bytesToHex(hash));
    if (
      known &&
      known.effects.baseHeight === height - 1n &&
      known.effects.baseLeafCount === this.state.tree.size
    ) {
      return known;
    }
    const block = decodeBlock(bytes, (id) => this.mempool.known(id));
    const effects = await executeBlock(this.state, block, undefined);
    const problem =
      effects instanceof Refusal
        ? effects
        : ((await this.checkSections(block, 'final')) ??
          ((await this.verifyUnknown(block.transactions)) !== undefined
            ? new Refusal('BAD_PROOF', 'a proof does not verify')
            : undefined));
    if (problem || effects instanceof Refusal) {
      throw new LedgerError('BLOCK_INVALID', `final block does not re-execute: ${problem}`, {
        height: `${height}`,
      });
    }
    return { block, bytes, hash, effects };
  }

  /**
   * Verifies every proof this node has not verified itself. A transaction id commits to its whole
   * encoding (proof and statement), so an id already in the mempool names a proof checked there,
   * and one whose admission is verifying it now shares that check instead of a second one (under
   * load a proposal carries many transactions the voters are still verifying).
   */
  private async verifyUnknown(txs: readonly DecodedTransaction[]): Promise<number | undefined> {
    const inFlight = txs.map((t) =>
      this.mempool.has(t.idHex) ? undefined : this.mempool.verification(t.idHex),
    );
    const shared = await Promise.all(inFlight.map((p) => p ?? Promise.resolve(undefined)));
    const unknown: number[] = [];
    txs.forEach((t, i) => {
      if (!this.mempool.has(t.idHex) && shared[i] !== 'ok') unknown.push(i);
    });
    const invalid = await verifyTransactions(
      this.o.pool,
      unknown.map((i) => txs[i]!),
      this.metrics,
      'block',
    );
    return invalid.length ? unknown[invalid[0]!] : undefined;
  }

  private async proposeSections(height: bigint): Promise<BlockSection[]> {
    const sections: BlockSection[] = [];
    for (const ext of this.extensionsByKind()) {
      const entries = await ext.propose(height);
      if (entries.length) sections.push({ kind: ext.kind, entries });
    }
    return sections;
  }

  /** Sections must hash to the header, come from known extensions, and satisfy each extension. */
  private async checkSections(block: Block, mode: 'proposal' | 'final'): Promise<BlockRefusal | undefined> {
    if (!bytesEqual(sectionsRoot(block.sections), block.header.sectionsRoot)) {
      return new Refusal('SECTIONS_ROOT_MISMATCH', 'sections do not hash to the header');
    }
    const known = new Set([REFUNDS_SECTION_KIND, ...this.extensionsByKind().map((e) => e.kind)]);
    const stray = block.sections.find((s) => !known.has(s.kind));
    if (stray) return new Refusal('SECTION_INVALID', `no extension reads section kind ${stray.kind}`);
    for (const ext of this.extensionsByKind()) {
      const reason = await ext.check(block.header.height, sectionEntries(block.sections, ext.kind), mode);
      if (reason !== undefined) return new Refusal('SECTION_INVALID', `${ext.name}: ${reason}`);
    }
    return undefined;
  }

  private async applySections(height: bigint, sections: readonly BlockSection[]): Promise<void> {
    for (const ext of this.extensionsByKind()) {
      await ext.apply(height, sectionEntries(sections, ext.kind), sections);
    }
  }

  /**
   * An extension's writes are not in the block's batch: after a crash between the two, the
   * stored blocks it had not applied are applied again (extensions are idempotent).
   */
  private async replayExtensions(): Promise<void> {
    const tip = this.state.tip.height;
    const applied = new Map<LedgerExtension, bigint>();
    for (const ext of this.extensionsByKind()) applied.set(ext, await ext.appliedHeight());
    const from = [...applied.values()].reduce((a, b) => (b < a ? b : a), tip) + 1n;
    // Each stored block decoded once, applied in kind order to the extensions that missed it.
    for (let h = from; h <= tip; h++) {
      const stored = await this.state.storage.blocks.getByHeight(h);
      if (!stored) throw new LedgerError('STATE_MISMATCH', 'a stored block is missing', { height: `${h}` });
      const { sections } = decodeBlock(stored.block);
      for (const [ext, at] of applied) {
        if (h > at) await ext.apply(h, sectionEntries(sections, ext.kind), sections);
      }
    }
  }

  /** The refunds due now: expired before the finalized slot, both nullifier records absent there. */
  private async proposeRefunds(): Promise<ResolvedRefund[]> {
    const chain = this.o.refunds;
    if (!chain) return [];
    // Twice a block's worth: some of them may turn out settled.
    const due = this.refundWatch.due(chain.finalizedSlot(), 2 * MAX_BLOCK_REFUNDS);
    if (due.length === 0) return [];
    const refunded = await this.state.isSpent(due.map((r) => r.tag));
    let read: { slot: bigint; present: readonly boolean[] };
    try {
      read = await this.readNullifiers(
        chain,
        due.flatMap((r) => r.nullifiers),
      );
    } catch (err) {
      this.log.warn(
        { err: err instanceof Error ? err.message : String(err), due: due.length },
        'refunds not proposed: nullifier records unreadable',
      );
      return [];
    }
    const picked: ResolvedRefund[] = [];
    due.forEach((r, i) => {
      if (refunded[i] || read.present[2 * i] || read.present[2 * i + 1]) {
        this.refundWatch.drop(r);
      } else if (r.expirationSlot < read.slot && picked.length < MAX_BLOCK_REFUNDS) {
        picked.push(r);
      }
    });
    return picked;
  }

  /** A proposal's refunds against this node's own RPC: each expired and never settled, at finalized. */
  private async checkRefundsOnChain(refunds: readonly ResolvedRefund[]): Promise<BlockRefusal | undefined> {
    if (refunds.length === 0) return undefined;
    const chain = this.o.refunds;
    if (!chain) return new Refusal('REFUND_INVALID', 'this node has no chain to check refunds against');
    try {
      return checkRefundsSettleable(
        refunds,
        await this.readNullifiers(
          chain,
          refunds.flatMap((r) => r.nullifiers),
        ),
      );
    } catch (err) {
      // Not knowing is not agreeing: the vote goes against, the next round may read the RPC again.
      return new Refusal(
        'REFUND_INVALID',
        `nullifier records unreadable: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }

  private async readNullifiers(
    chain: RefundChain,
    nullifiers: readonly Field[],
  ): Promise<{ slot: bigint; present: readonly boolean[] }> {
    const ms = this.o.refundReadTimeoutMs ?? 2_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new LedgerError('REFUND_READ_TIMEOUT', `no answer within ${ms} ms`, { ms })),
        ms,
      );
    });
    try {
      return await Promise.race([chain.readNullifiers(nullifiers), late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Rebuilds the refund watch from the stored blocks (the watch is memory only). */
  private async watchStoredRefunds(): Promise<void> {
    // A node that joined by snapshot at H holds blocks from H on, and below H only the blocks its
    // snapshot carried for withdrawals that may still be refunded: those first, in height order.
    for await (const held of this.state.storage.blocks.held()) {
      this.refundWatch.follow(held.height, decodeBlock(held.block));
    }
    let from = 1n;
    for (;;) {
      const page = await this.state.storage.blocks.range(from, 256);
      if (page.length === 0) break;
      for (const stored of page) this.refundWatch.follow(stored.height, decodeBlock(stored.block));
      from = page[page.length - 1]!.height + 1n;
    }
  }

  private extensionsByKind(): readonly LedgerExtension[] {
    return [...(this.o.extensions ?? [])].sort((a, b) => a.kind - b.kind);
  }

  private async pickTransactions(checks: VoteChecks, timestampMs: bigint): Promise<DecodedTransaction[]> {
    const limit = Math.min(this.o.maxTransactionsPerBlock ?? 512, MAX_BLOCK_TRANSACTIONS);
    const picked: DecodedTransaction[] = [];
    const used = new Set<bigint>();
    for (const d of this.mempool.candidates()) {
      if (picked.length >= limit) break;
      const s = d.tx.statement;
      if (s.nullifiers.some((n) => used.has(n))) continue;
      if (isWithdrawal(d.tx)) {
        if (!checks.isAnchored(s.root)) continue;
        // Twice the voters' margin: validators whose slot runs a little ahead must still accept it.
        if (s.extData.expirationSlot < checks.currentSlot + 2n * checks.minWithdrawalSlots) continue;
      } else if (!this.state.isSpendRoot(s.root, timestampMs)) continue;
      for (const n of s.nullifiers) used.add(n);
      picked.push(d);
    }
    // Entries admitted while a block was being applied can carry a nullifier it spent.
    const spent = await this.state.isSpent(picked.flatMap((d) => d.tx.statement.nullifiers));
    return picked.filter((d, i) => {
      if (!spent[2 * i] && !spent[2 * i + 1]) return true;
      this.mempool.remove(d.idHex);
      return false;
    });
  }

  private async voteChecks(): Promise<VoteChecks> {
    return {
      depositAt: (index) => this.deposits.get(index),
      isAnchored: this.o.isAnchored,
      currentSlot: await this.o.currentSlot(),
      minWithdrawalSlots: this.o.minWithdrawalSlotsInBlock ?? 32n,
      nowMs: BigInt(this.now()),
      maxClockDriftMs: BigInt(this.o.maxClockDriftMs ?? 10_000),
    };
  }

  private cursorUpdate(block: Block, effects: BlockEffects): { depositCursor?: DepositCursor } {
    if (block.deposits.length === 0) return {};
    const stored = this.state.storage.deposits.get();
    // The listener may have moved the cursor past what blocks consumed; it never moves back.
    if (stored && stored.consumed >= effects.depositsConsumed) return {};
    const last = this.deposits.get(effects.depositsConsumed - 1n);
    return {
      depositCursor: {
        consumed: effects.depositsConsumed,
        accumulator: effects.depositAccumulator,
        slot: last?.slot ?? stored?.slot ?? 0n,
      },
    };
  }

  private remember(p: Prepared): void {
    if (this.prepared.size >= PREPARED_CAP) this.prepared.delete(this.prepared.keys().next().value!);
    this.prepared.set(bytesToHex(p.hash), p);
  }

  /**
   * What admission measures the spend-root window from: the later of the tip's timestamp and this
   * node's clock, at or before the timestamp of any block that could still include the transaction.
   */
  private admissionTimeMs(): bigint {
    return maxBig(BigInt(this.now()), this.state.tip.timestampMs);
  }

  private now(): number {
    return this.o.now ? this.o.now() : Date.now();
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new LedgerError('LEDGER_CLOSED', 'ledger is closed'));
    const run = this.serial.then(fn, fn);
    this.serial = run.catch(() => {});
    return run;
  }
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
