/**
 * The dashboard's view of a running node. Everything an HTTP request reads is in memory or in the
 * node's own storage: the ledger tip, final blocks and their certificates, heartbeats, reputation,
 * evidence, and the chain snapshot that ChainWatcher keeps from the node's chain view, so a busy
 * dashboard never turns into Solana RPC load. New blocks (for finality latency and the live block
 * feed) arrive as the ledger's block-final events, decoded; storage is read for the recent history
 * at start and to fill a gap. A timer samples the overview into the time series and the event stream.
 */

import { getAddressEncoder } from '@solana/kit';
import type { Registry } from 'prom-client';
import { VOTE_TYPES } from '../bridge/index.js';
import { bytesToHex, createLogger, type Lifecycle, type Logger } from '../common/index.js';
import type { EvidenceStore, ReputationEntry } from '../consensus/index.js';
import type { FinalBlock } from '../ledger/index.js';
import type { BlockStore } from '../storage/index.js';
import { decodeEndpoints } from '../validator/index.js';
import { addressOf, blockDetail, blockSummary, decodedBlockSummary, fieldHex } from './blocks.js';
import { type ChainSource, slashKey } from './chain.js';
import type {
  AnchorsView,
  BlockDetailView,
  BlockSummaryView,
  DashboardBackend,
  DashboardEvent,
  EvidenceView,
  OverviewView,
  SeriesView,
  ValidatorStatus,
  ValidatorsView,
  ValidatorView,
} from './views.js';

/** What the dashboard reads of the ledger (LedgerApp satisfies it). */
export interface LedgerView {
  readonly tip: {
    readonly height: bigint;
    readonly hash: Uint8Array;
    readonly timestampMs: bigint;
    readonly depositsConsumed: bigint;
  };
  readonly root: bigint;
  readonly leafCount: number;
  readonly mempool: { readonly size: number };
}

export interface NodeDashboardSources {
  readonly blocks: Pick<BlockStore, 'getByHeight' | 'getQc' | 'range'>;
  /** The ledger once it runs (undefined before). */
  readonly ledger: () => LedgerView | undefined;
  readonly chain: ChainSource;
  readonly evidence?: Pick<EvidenceStore, 'list'>;
  /** This node's validator address, once its key is loaded. */
  readonly self: () => string | undefined;
  readonly heartbeatIntervalMs: number;
  /** Unix ms of the last heartbeat accepted from `address`, if any. */
  readonly lastHeartbeat: (address: string) => number | undefined;
  /** Consensus reputation keyed by hex public key (the node: as last persisted by consensus). */
  readonly reputation?: () => Promise<ReadonlyMap<string, Readonly<ReputationEntry>> | undefined>;
  /** This node's coordinator role (`primary`, `passive`, `candidate`), or null when it has none. */
  readonly coordinator?: () => Promise<string | null>;
  /** The node's metrics registry: proof verification latency. */
  readonly registry?: Registry;
  /**
   * The ledger's block-final stream (LedgerApp.onFinal). Without it, a timer reads new blocks from
   * storage every `tipPollMs`.
   */
  readonly finalBlocks?: (listener: (final: FinalBlock) => void) => () => void;
  /** New-block check period when there is no `finalBlocks` (default 200 ms). */
  readonly tipPollMs?: number;
  /** Overview sample and event period (default 1000 ms). */
  readonly sampleMs?: number;
  /** Points kept per series (default 1800: 30 min at 1 s). */
  readonly seriesPoints?: number;
  readonly now?: () => number;
  readonly logger?: Logger;
}

interface BlockStat {
  readonly height: bigint;
  readonly timestampMs: number;
  readonly transactions: number;
  /** When this node first saw it final (blocks found at start-up have none). */
  readonly observedAt: number | undefined;
}

const RECENT_BLOCKS = 256;
const SUMMARY_CACHE = 2048;
const BLOCKS_PER_TICK = 64;
const LATENCY_WINDOW = 20;
const TPS_WINDOW_MS = 60_000;
const MAX_EVIDENCE = 200;

const addressEncoder = getAddressEncoder();
const VOTE_TYPE_NAMES = new Map(Object.entries(VOTE_TYPES).map(([name, code]) => [name, code]));

function mean(values: readonly number[]): number | null {
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

export class NodeDashboardBackend implements DashboardBackend, Lifecycle {
  private readonly listeners = new Set<(event: DashboardEvent) => void>();
  private readonly recent: BlockStat[] = [];
  private readonly summaries = new Map<bigint, BlockSummaryView>();
  private readonly columns: { -readonly [K in keyof SeriesView]: SeriesView[K] } = {
    t: [],
    height: [],
    poolSize: [],
    tps: [],
    finalityMs: [],
    mempool: [],
    depositQueue: [],
    anchorLag: [],
    vaultSol: [],
  };
  private lastHeight: bigint | undefined;
  private tipTimer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private sampleTimer: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private readonly now: () => number;
  private readonly log: Logger;

  constructor(private readonly s: NodeDashboardSources) {
    this.now = s.now ?? Date.now;
    this.log = s.logger ?? createLogger('dashboard');
  }

  /** Heartbeats older than this mark a validator down: 3 intervals, at least 5 s. */
  get heartbeatDownAfterMs(): number {
    return Math.max(3 * this.s.heartbeatIntervalMs, 5_000);
  }

  async start(): Promise<void> {
    if (this.sampleTimer) return;
    if (this.s.finalBlocks) this.unsubscribe = this.s.finalBlocks((final) => this.blockFinal(final));
    else this.tipTimer = setInterval(() => void this.checkTip(), this.s.tipPollMs ?? 200);
    this.sampleTimer = setInterval(() => void this.sample(), this.s.sampleMs ?? 1_000);
    void this.checkTip();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.tipTimer);
    clearInterval(this.sampleTimer);
    this.tipTimer = this.sampleTimer = undefined;
    await this.checking;
    this.listeners.clear();
  }

  subscribe(listener: (event: DashboardEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * A block the ledger just made final: the next height is taken from the event, decoded; before
   * the start-up read, or after a gap, storage is read instead.
   */
  blockFinal(final: FinalBlock): void {
    if (this.lastHeight !== undefined && final.height <= this.lastHeight) return;
    if (this.checking) {
      // The read in flight may have seen the tip before this block: read again after it.
      void this.checking.then(() => this.checkTip());
      return;
    }
    if (this.lastHeight === undefined || final.height !== this.lastHeight + 1n) {
      void this.checkTip();
      return;
    }
    const summary = decodedBlockSummary(
      { height: final.height, hash: final.hash, block: final.bytes, qc: final.certificate },
      final.block,
    );
    this.record(summary, this.now(), true);
    this.lastHeight = final.height;
  }

  /** Reads blocks that became final since the last check (one check at a time). */
  checkTip(): Promise<void> {
    this.checking ??= this.readNewBlocks()
      .catch((err: unknown) => this.log.warn({ err }, 'dashboard block read failed'))
      .finally(() => {
        this.checking = undefined;
      });
    return this.checking;
  }

  private async readNewBlocks(): Promise<void> {
    const ledger = this.s.ledger();
    if (!ledger) return;
    const tip = ledger.tip.height;
    // At start, the last few blocks give the averages something to start from (not a latency).
    const live = this.lastHeight !== undefined;
    let from = this.lastHeight === undefined ? tip - BigInt(RECENT_BLOCKS) + 1n : this.lastHeight + 1n;
    if (from < 1n) from = 1n;
    if (tip - from >= BigInt(BLOCKS_PER_TICK) && live) from = tip - BigInt(BLOCKS_PER_TICK) + 1n;
    if (from > tip) {
      this.lastHeight = tip;
      return;
    }
    const observedAt = this.now();
    const stored = await this.s.blocks.range(from, Number(tip - from + 1n));
    for (const b of stored) {
      this.record(blockSummary({ ...b, qc: await this.s.blocks.getQc(b.height) }), observedAt, live);
      this.lastHeight = b.height;
    }
    this.lastHeight = tip;
  }

  private record(summary: BlockSummaryView, observedAt: number, live: boolean): void {
    const height = BigInt(summary.height);
    this.cache(height, summary);
    this.recent.push({
      height,
      timestampMs: summary.timestampMs,
      transactions: summary.transactions,
      observedAt: live ? observedAt : undefined,
    });
    if (this.recent.length > RECENT_BLOCKS) this.recent.shift();
    if (live) this.emit({ type: 'block', data: summary });
  }

  private cache(height: bigint, summary: BlockSummaryView): void {
    this.summaries.set(height, summary);
    if (this.summaries.size > SUMMARY_CACHE) this.summaries.delete(this.summaries.keys().next().value!);
  }

  /** One overview sample: appended to the series and sent to subscribers with the validators. */
  async sample(): Promise<void> {
    try {
      const overview = await this.overview();
      const c = this.columns;
      c.t.push(Math.round(overview.now / 100) / 10);
      c.height.push(Number(overview.height));
      c.poolSize.push(overview.poolSize);
      c.tps.push(overview.tps);
      c.finalityMs.push(overview.finalityMs);
      c.mempool.push(overview.mempool);
      c.depositQueue.push(overview.depositQueue);
      c.anchorLag.push(overview.anchorLag === null ? null : Number(overview.anchorLag));
      c.vaultSol.push(overview.vaultLamports === null ? null : Number(overview.vaultLamports) / 1e9);
      const max = this.s.seriesPoints ?? 1_800;
      if (c.t.length > max) for (const col of Object.values(c)) col.splice(0, col.length - max);
      this.emit({ type: 'overview', data: overview });
      if (this.listeners.size > 0) this.emit({ type: 'validators', data: await this.validators() });
    } catch (err) {
      this.log.warn({ err }, 'dashboard sample failed');
    }
  }

  private emit(event: DashboardEvent): void {
    for (const l of this.listeners) {
      try {
        l(event);
      } catch (err) {
        this.log.warn({ err }, 'dashboard event listener failed');
      }
    }
  }

  series(): SeriesView {
    const c = this.columns;
    return {
      t: [...c.t],
      height: [...c.height],
      poolSize: [...c.poolSize],
      tps: [...c.tps],
      finalityMs: [...c.finalityMs],
      mempool: [...c.mempool],
      depositQueue: [...c.depositQueue],
      anchorLag: [...c.anchorLag],
      vaultSol: [...c.vaultSol],
    };
  }

  async overview(): Promise<OverviewView> {
    const now = this.now();
    const ledger = this.s.ledger();
    const chain = this.s.chain.snapshot();
    const tip = ledger?.tip;
    const height = tip?.height ?? 0n;
    const latest = this.recent.slice(-LATENCY_WINDOW);
    const finality = latest.filter((b) => b.observedAt !== undefined);
    const intervals = latest.slice(1).map((b, i) => b.timestampMs - latest[i]!.timestampMs);
    const windowTxs = this.recent
      .filter((b) => b.timestampMs >= now - TPS_WINDOW_MS)
      .reduce((n, b) => n + b.transactions, 0);
    const state = chain.state;
    const validators = await this.validators();
    const up = validators.validators.filter((v) => v.status === 'up').length;
    const down = validators.validators.filter((v) => v.status === 'down').length;
    const lag = state ? height - state.lastHeight : undefined;
    return {
      now,
      height: height.toString(),
      tipHash: bytesToHex(tip?.hash ?? new Uint8Array(32)),
      tipTimestampMs: tip && tip.height > 0n ? Number(tip.timestampMs) : null,
      finalityMs: mean(finality.map((b) => Math.max(0, b.observedAt! - b.timestampMs))),
      blockIntervalMs: mean(intervals),
      tps: Math.round((windowTxs / (TPS_WINDOW_MS / 1000)) * 1000) / 1000,
      mempool: ledger?.mempool.size ?? 0,
      poolSize: ledger?.leafCount ?? 0,
      root: fieldHex(ledger?.root ?? 0n),
      depositsConsumed: (tip?.depositsConsumed ?? 0n).toString(),
      depositQueue: state && tip ? Math.max(0, Number(state.depositCount - tip.depositsConsumed)) : null,
      anchoredHeight: state ? state.lastHeight.toString() : null,
      anchorLag: lag === undefined ? null : (lag < 0n ? 0n : lag).toString(),
      vaultLamports: chain.vaultLamports === undefined ? null : chain.vaultLamports.toString(),
      proofVerifyMs: await this.proofVerifyMs(),
      validators: { total: validators.validators.length, up, down },
      chainReadAt: chain.at || null,
      chainError: chain.error ?? null,
      self: { address: this.s.self() ?? null, coordinator: (await this.s.coordinator?.()) ?? null },
    };
  }

  private async proofVerifyMs(): Promise<number | null> {
    const metric = this.s.registry?.getSingleMetric('paraloom_proof_verify_seconds');
    if (!metric) return null;
    const { values } = await metric.get();
    const sum = values.find((v) => (v as { metricName?: string }).metricName?.endsWith('_sum'))?.value;
    const count = values.find((v) => (v as { metricName?: string }).metricName?.endsWith('_count'))?.value;
    return sum !== undefined && count ? Math.round((sum / count) * 1e6) / 1e3 : null;
  }

  async blocks(before: bigint | undefined, limit: number): Promise<BlockSummaryView[]> {
    const tip = this.s.ledger()?.tip.height ?? 0n;
    let top = before === undefined ? tip : before - 1n;
    if (top > tip) top = tip;
    if (top < 1n || limit <= 0) return [];
    let from = top - BigInt(limit) + 1n;
    if (from < 1n) from = 1n;
    const out: BlockSummaryView[] = [];
    for (let h = top; h >= from; h--) {
      const cached = this.summaries.get(h);
      if (cached) {
        out.push(cached);
        continue;
      }
      const stored = await this.s.blocks.getByHeight(h);
      if (!stored) continue;
      const summary = blockSummary({ ...stored, qc: await this.s.blocks.getQc(h) });
      this.cache(h, summary);
      out.push(summary);
    }
    return out;
  }

  async block(height: bigint): Promise<BlockDetailView | undefined> {
    const stored = await this.s.blocks.getByHeight(height);
    if (!stored) return undefined;
    return blockDetail({ ...stored, qc: await this.s.blocks.getQc(height) });
  }

  async validators(): Promise<ValidatorsView> {
    const now = this.now();
    const self = this.s.self();
    const reputation = await this.s.reputation?.();
    const downAfter = this.heartbeatDownAfterMs;
    const coordinator = (await this.s.coordinator?.()) ?? null;
    const validators: ValidatorView[] = this.s.chain.snapshot().validators.map((a) => {
      const isSelf = a.key === self;
      const rep = reputation?.get(bytesToHex(new Uint8Array(addressEncoder.encode(a.key))));
      const heard = isSelf ? now : this.s.lastHeartbeat(a.key);
      const age = heard === undefined ? null : Math.max(0, now - heard);
      const status: ValidatorStatus = age === null ? 'unknown' : age > downAfter ? 'down' : 'up';
      return {
        address: a.key,
        self: isSelf,
        peerId: decodeEndpoints(a.peerId, a.multiaddrs)?.peerId ?? null,
        stake: a.stake.toString(),
        active: a.active,
        reputation: rep?.score ?? null,
        missedRounds: rep?.missedRounds ?? null,
        unavailable: rep?.unavailable ?? null,
        onChainReputation: a.reputation,
        lastHeartbeatMs: heard ?? null,
        heartbeatAgeMs: age,
        status,
        slashCount: a.slashCount,
        totalSlashed: a.totalSlashed.toString(),
        lastSlashSlot: a.slashCount > 0 ? a.lastSlashSlot.toString() : null,
        coordinator: isSelf ? coordinator : null,
      };
    });
    return { now, heartbeatDownAfterMs: downAfter, validators };
  }

  async anchors(): Promise<AnchorsView> {
    const chain = this.s.chain.snapshot();
    const state = chain.state;
    if (!state) return { lastHeight: null, anchorCount: null, anchors: [] };
    return {
      lastHeight: state.lastHeight.toString(),
      anchorCount: state.anchorCount.toString(),
      anchors: [...state.anchors].reverse().map((a) => {
        const tx = chain.anchorTx.get(a.height);
        return {
          height: a.height.toString(),
          root: bytesToHex(a.root),
          withdrawalsRoot: bytesToHex(a.withdrawalsRoot),
          blockHash: bytesToHex(a.blockHash),
          signature: tx?.signature ?? null,
          slot: tx ? tx.slot.toString() : null,
        };
      }),
    };
  }

  async evidence(): Promise<EvidenceView> {
    const records = (await this.s.evidence?.list(MAX_EVIDENCE)) ?? [];
    const chain = this.s.chain.snapshot();
    return {
      evidence: records.map(({ evidence: e, submitted }) => {
        const validator = addressOf(e.a.validator);
        const code = VOTE_TYPE_NAMES.get(e.a.type) ?? 0;
        return {
          validator,
          height: e.a.height.toString(),
          round: e.a.round,
          type: e.a.type,
          blockHashes: [bytesToHex(e.a.blockHash), bytesToHex(e.b.blockHash)] as const,
          submitted,
          slashSignature:
            chain.slashTx.get(slashKey(validator, e.a.height, e.a.round, code))?.signature ?? null,
        };
      }),
    };
  }
}
