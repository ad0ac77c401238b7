// One regime of bench:l2 on a cohort of its own: a fresh localnet and validators, the deterministic
// deposits consumed into the empty tree (so the cached transfers' root holds), an unmeasured
// warm-up feed, then the measured feed; every admitted transfer placed in the block that made it
// final. The fixtures are valid on any fresh cohort, so every regime reuses the same cached set.
import { address, type Instruction } from '@solana/kit';
import {
  BridgeRpc,
  depositInstruction,
  deriveProgramAddresses,
  PARALOOM_DEV_PROGRAM_ID,
  TransactionSender,
} from '../../src/bridge/index.js';
import { fundedSigner } from '../../src/bridge/testing/index.js';
import { createLogger } from '../../src/common/index.js';
import { parsePrometheusText } from '../../src/health/testing/index.js';
import { until } from '../../test/helpers/paraloom-child.js';
import { BenchCluster, type BenchValidator, type ClusterOptions } from './cluster.js';
import type { FeedClient, FeedOptions, FeedResult } from './feed.js';
import type { L2Fixtures } from './fixtures.js';
import { processCpuMs } from './proc-cpu.js';
import { addStages, emptyStages, heightTimes, type StageSamples } from './stages.js';

/** Deposit instructions per Solana transaction (sent one after the other: queue order). */
const DEPOSITS_PER_TX = 5;

export interface RegimeOptions extends FeedOptions {
  readonly name: string;
  readonly cluster: ClusterOptions;
  readonly warmup: number;
  readonly transfers: number;
}

export interface RegimeResult {
  readonly name: string;
  readonly options: RegimeOptions;
  readonly feed: FeedResult;
  /** Submit -> final (ms), admitted transfers placed in a final block, sorted. */
  readonly latencies: readonly number[];
  readonly stages: StageSamples;
  /** Finalized per second from the first measured block's finality to the last one's. */
  readonly tps: number;
  /** Finalized over first submit -> last final. */
  readonly windowTps: number;
  readonly windowMs: number;
  readonly unplaced: number;
  readonly blocks: number;
  readonly maxRound: number;
  /** Each validator's CPU (ms, /proc) from the measured feed's start to its last final block. */
  readonly cpuMsPerValidator: readonly number[];
  readonly cpuWindowMs: number;
  /** From the validators' metrics over the measured window. */
  readonly node: {
    readonly verifyMsPerProof: number;
    readonly inclusionWaitMeanMs: number;
    readonly verifyBatchMean: number;
  };
  readonly warnings: ReadonlyMap<string, number>;
}

interface Status {
  height: string;
  root: string;
  leafCount: number;
  mempool: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const status = async (v: BenchValidator): Promise<Status> =>
  (await (await fetch(`${v.ingress}/v1/status`)).json()) as Status;

/** Sums of the node metrics a regime reads, over all validators. */
async function nodeCounters(vs: readonly BenchValidator[]): Promise<Map<string, number>> {
  const agg = new Map<string, number>();
  const add = (k: string, x: number) => agg.set(k, (agg.get(k) ?? 0) + x);
  for (const v of vs) {
    const m = parsePrometheusText(await (await fetch(`${v.health}/metrics`)).text());
    for (const s of m.get('paraloom_ledger_verify_seconds')?.samples ?? [])
      if (s.name.endsWith('_sum')) add('verify_s', s.value);
    for (const s of m.get('paraloom_ledger_verify_batch_size')?.samples ?? []) {
      if (s.name.endsWith('_sum')) add('verified', s.value);
      if (s.name.endsWith('_count')) add('batches', s.value);
    }
    for (const s of m.get('paraloom_ledger_inclusion_wait_seconds')?.samples ?? []) {
      if (s.name.endsWith('_sum')) add('inclusion_s', s.value);
      if (s.name.endsWith('_count')) add('included', s.value);
    }
  }
  return agg;
}

async function deposit(cluster: BenchCluster, fixtures: L2Fixtures): Promise<void> {
  const payer = await fundedSigner(cluster.rpcUrl, 10_000_000_000);
  const logger = createLogger('bench', 'warn');
  const bridge = new BridgeRpc({ rpcUrl: cluster.rpcUrl, logger });
  const sender = new TransactionSender(bridge, {
    feePayer: payer,
    commitment: 'confirmed',
    pollMs: 25,
    logger,
  });
  const addresses = await deriveProgramAddresses(address(PARALOOM_DEV_PROGRAM_ID));
  for (let i = 0; i < fixtures.deposits.length; i += DEPOSITS_PER_TX) {
    const ixs: Instruction[] = fixtures.deposits.slice(i, i + DEPOSITS_PER_TX).map((d) =>
      depositInstruction(addresses, payer, {
        amount: d.note.amount,
        ownerPk: d.note.pkD,
        blinding: d.note.blinding,
        asset: d.note.asset,
      }),
    );
    await sender.send(ixs, 'deposit');
  }
  const n = fixtures.deposits.length;
  for (const v of cluster.validators) {
    const st = await until(
      `validator ${v.index} consumed the deposits`,
      async () => {
        const s = await status(v);
        return s.leafCount >= n ? s : undefined;
      },
      60_000,
    );
    if (st.leafCount !== n || st.root !== fixtures.root.toString()) {
      throw new Error(
        `validator ${v.index}: tree has ${st.leafCount} leaves under root ${st.root}, expected ${n} under ${fixtures.root} (stale fixtures?)`,
      );
    }
  }
}

export async function runRegime(
  o: RegimeOptions,
  fixtures: L2Fixtures,
  client: FeedClient,
  log: (line: string) => void,
  onCluster?: (c: BenchCluster | undefined) => void,
): Promise<RegimeResult> {
  if (o.warmup + o.transfers > fixtures.transactions.length) {
    throw new Error(
      `regime ${o.name}: ${o.warmup + o.transfers} transfers asked, ${fixtures.transactions.length} cached`,
    );
  }
  const cluster = new BenchCluster(o.cluster);
  onCluster?.(cluster);
  try {
    await cluster.start(log);
    const vs = cluster.validators;
    const v0 = vs[0]!;
    await deposit(cluster, fixtures);
    const deposits = fixtures.deposits.length;

    // Validator 0's leaf count right after each of its commits (height -> leaf count).
    const leafCountAt = new Map<bigint, number>();
    let watching = true;
    const watcher = (async () => {
      let seen = 0;
      while (watching) {
        const logs = v0.node!.logs;
        let fresh = false;
        for (; seen < logs.length; seen++) if (logs[seen]!.msg === 'block final') fresh = true;
        if (fresh) {
          const s = await status(v0).catch(() => undefined);
          if (s) leafCountAt.set(BigInt(s.height), s.leafCount);
        }
        await sleep(5);
      }
    })();
    const allFinal = (leaves: number) =>
      until(
        'every admitted transfer final',
        async () => {
          const s = await status(v0);
          return s.leafCount >= leaves && s.mempool === 0 ? s : undefined;
        },
        180_000,
      );

    const warmTxs = fixtures.transactions.slice(0, o.warmup);
    const txs = fixtures.transactions.slice(o.warmup, o.warmup + o.transfers);
    let warmAdmitted = 0;
    if (warmTxs.length) {
      const warm = await client.feed(vs, warmTxs, o);
      warmAdmitted = warm.admitted;
      await allFinal(deposits + 2 * warm.admitted);
      log(`  ${o.name}: warm-up ${warm.admitted}/${warmTxs.length} admitted and final`);
    }
    const pids = vs.map((v) => v.node!.child.pid!);
    const cpuBefore = pids.map(processCpuMs);
    const countersBefore = await nodeCounters(vs);
    const feed = await client.feed(vs, txs, o);
    await allFinal(deposits + 2 * (warmAdmitted + feed.admitted));
    await sleep(50);
    watching = false;
    await watcher;
    const final = await status(v0);
    leafCountAt.set(BigInt(final.height), final.leafCount);
    const cpuAfter = pids.map(processCpuMs);
    const countersAfter = await nodeCounters(vs);
    const cpuWindowEnd = Date.now();

    // Where each transfer landed: its first output's leaf, the height whose leaf count covers it.
    const leafOf = new Map<string, number>();
    for (let from = deposits; ; ) {
      const page = (await (await fetch(`${v0.ingress}/v1/notes?from=${from}`)).json()) as {
        outputs: { leafIndex: number; commitment: string }[];
        next: number;
      };
      for (const x of page.outputs) leafOf.set(x.commitment, x.leafIndex);
      if (page.outputs.length === 0 || page.next >= final.leafCount) break;
      from = page.next;
    }
    const times = heightTimes(vs.map((v) => v.node!.logs));
    const heights = [...leafCountAt.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
    const heightOfLeaf = (leaf: number) => heights.find(([, count]) => count > leaf)?.[0];
    const latencies: number[] = [];
    const finals: number[] = [];
    const stages = emptyStages();
    const txHeights = new Set<bigint>();
    let unplaced = 0;
    txs.forEach((_, i) => {
      if (feed.outcome[i] !== 'admitted') return;
      const leaf = leafOf.get(fixtures.outputs[o.warmup + i]![0].toString());
      const h = leaf === undefined ? undefined : heightOfLeaf(leaf);
      const t = h === undefined ? undefined : times.get(h);
      if (t === undefined || h === undefined) {
        unplaced++;
        return;
      }
      txHeights.add(h);
      latencies.push(t.finalAt - feed.submitAt[i]!);
      finals.push(t.finalAt);
      addStages(stages, feed.submitAt[i]!, feed.admittedAt[i]!, t);
    });
    latencies.sort((a, b) => a - b);
    const lastFinal = Math.max(...finals);
    const firstFinal = Math.min(...finals);
    const firstSubmit = Math.min(...feed.submitAt.filter((t) => t > 0));
    const windowMs = lastFinal - firstSubmit;
    const windowTps = latencies.length / (windowMs / 1000);
    const steadyMs = lastFinal - firstFinal;
    const afterFirst = finals.filter((t) => t > firstFinal).length;
    // One block (or none): no interval to measure a rate over; the window's rate is all there is.
    const tps = steadyMs > 0 ? afterFirst / (steadyMs / 1000) : windowTps;
    let maxRound = 0;
    for (const h of txHeights) maxRound = Math.max(maxRound, times.get(h)?.round ?? 0);
    const delta = (k: string) => (countersAfter.get(k) ?? 0) - (countersBefore.get(k) ?? 0);
    const warnings = new Map<string, number>();
    for (const v of vs)
      for (const l of v.node!.logs)
        if (Number(l.level) >= 40 && Number(l.time) >= feed.start)
          warnings.set(String(l.msg), (warnings.get(String(l.msg)) ?? 0) + 1);
    return {
      name: o.name,
      options: o,
      feed,
      latencies,
      stages,
      tps,
      windowTps,
      windowMs,
      unplaced,
      blocks: txHeights.size,
      maxRound,
      cpuMsPerValidator: cpuAfter.map((c, i) => c - cpuBefore[i]!),
      cpuWindowMs: cpuWindowEnd - feed.start,
      node: {
        verifyMsPerProof: (1000 * delta('verify_s')) / Math.max(1, delta('verified')),
        inclusionWaitMeanMs: (1000 * delta('inclusion_s')) / Math.max(1, delta('included')),
        verifyBatchMean: delta('verified') / Math.max(1, delta('batches')),
      },
      warnings,
    };
  } finally {
    await cluster.stop();
    onCluster?.(undefined);
  }
}
