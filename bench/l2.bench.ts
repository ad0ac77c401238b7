// L2 benchmark (issue 33): `paraloom localnet` and 4 `paraloom node` validator processes on this
// machine, fed pre-proven transfers through their ingress APIs. Three regimes, each on a fresh
// cohort (the cached transfers hold on any fresh cohort: bench/l2/fixtures.ts):
//
// - light: 10 transfers/s, each submitted alone when due: what a person feels, submit to final at
//   the cohort, with a per-stage breakdown (bench/l2/stages.ts: admission, to proposal, consensus,
//   commit; the leader's inclusion wait from its metrics).
// - saturation: today's 105 transfers/s feed (batched submissions, a warm-up first): tps, p50, p99;
//   and the CPU regime over the same steady window: each validator's CPU from /proc divided by the
//   transfers finalized (`cpu_ms_per_transfer_per_validator`).
// - steps: the highest offered rate the cohort sustains (p99 <= 2 s, every transfer admitted and
//   final, finalized rate >= 90% of the offered one), stepping from half the verification ceiling.
//   A step feeds at most the pool's 400 measured transfers (a few seconds at these rates): an
//   overloaded cohort finalizes at its own capacity, below 90% of the offer, within a few blocks.
//
// Machine reference: before any cohort starts, the bench times this machine's proof verification
// (wire to verdict, one worker thread, in this process): `verify_ms_per_proof`, and
// `verify_ceiling_tps` = cores / (validators x ms per proof), the rate at which verification alone
// would fill the machine. Every figure moves with the machine's speed of the day; read them
// against it.
//
// Knobs (environment): BENCH_L2_REGIMES (comma list of light,saturation,steps; default all),
// BENCH_L2_LIGHT_TRANSFERS (default 300), BENCH_L2_RATE / BENCH_L2_WARMUP / BENCH_L2_TRANSFERS
// (saturation feed: 105 tx/s, 100 unmeasured then 400 measured), BENCH_L2_MAX_STEPS (cohorts the
// stepping may start, default 4), BENCH_L2_SLOT_MS (localnet slot, default 100),
// BENCH_L2_BLOCK_INTERVAL_MS (consensus.block_interval_ms; unset = the node default),
// BENCH_L2_IN_FLIGHT (default 256), BENCH_L2_BATCH / BENCH_L2_BATCH_MS (batched feeds: 16 per
// request, gathered 40 ms), BENCH_L2_PROVERS (fixture provers on a first run, default 2),
// BENCH_L2_CPU_PROF=<dir> (--cpu-prof on validator 0), BENCH_L2_LOG_DIR=<dir> (every validator's
// log lines of each regime, written at its end).
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchCluster, ClusterOptions } from './l2/cluster.js';
import { FeedClient } from './l2/feed.js';
import { l2Fixtures } from './l2/fixtures.js';
import { verifyReference } from './l2/machine-reference.js';
import { BENCH_L2_DEPOSITS, BENCH_L2_POOL } from './l2/pool.js';
import { type RegimeOptions, type RegimeResult, runRegime } from './l2/regime.js';
import { quantile, summarizeStages } from './l2/stages.js';

const VALIDATORS = 4;
const REGIMES = new Set((process.env.BENCH_L2_REGIMES ?? 'light,saturation,steps').split(','));
const LIGHT_TRANSFERS = Number(process.env.BENCH_L2_LIGHT_TRANSFERS ?? 300);
const RATE = Number(process.env.BENCH_L2_RATE ?? 105);
/**
 * Saturation warm-up, fed at the same rate and not measured: V8 optimizes the transaction paths
 * while the first transfers flow (its compiler threads took about a seventh of a validator's CPU
 * in an unwarmed feed); a validator in service runs warm.
 */
const WARMUP = Math.max(0, Number(process.env.BENCH_L2_WARMUP ?? 100));
const TRANSFERS = Number(process.env.BENCH_L2_TRANSFERS ?? 400);
const MAX_STEPS = Number(process.env.BENCH_L2_MAX_STEPS ?? 4);
/** What the selected regimes draw (from the start of the one pool): the pool when steps run. */
const CACHED_TRANSFERS = Math.max(
  REGIMES.has('light') ? LIGHT_TRANSFERS : 0,
  REGIMES.has('saturation') ? WARMUP + TRANSFERS : 0,
  REGIMES.has('steps') ? BENCH_L2_POOL : 0,
);
const SUSTAINED_P99_MS = 2_000;
const STEP_SECONDS = 6;
const STEP_WARMUP = 100;

const cluster: ClusterOptions = {
  validators: VALIDATORS,
  slotMs: Number(process.env.BENCH_L2_SLOT_MS ?? 100),
  ...(process.env.BENCH_L2_BLOCK_INTERVAL_MS !== undefined
    ? { blockIntervalMs: Number(process.env.BENCH_L2_BLOCK_INTERVAL_MS) }
    : {}),
  envOf: (i): Record<string, string> =>
    process.env.BENCH_L2_CPU_PROF && i === 0
      ? {
          NODE_OPTIONS: `--require ${fileURLToPath(new URL('./l2/cpu-profile.cjs', import.meta.url))}`,
          BENCH_L2_CPU_PROF_DIR: process.env.BENCH_L2_CPU_PROF,
        }
      : {},
};
const batched = {
  batch: Number(process.env.BENCH_L2_BATCH ?? 16),
  gatherMs: Number(process.env.BENCH_L2_BATCH_MS ?? 40),
  maxInFlight: Number(process.env.BENCH_L2_IN_FLIGHT ?? 256),
};

const log = (line: string) => console.error(line);
const round = (x: number, d = 1) => Number(x.toFixed(d));

const client = new FeedClient();
let running: BenchCluster | undefined;
let stopping = false;
const stopAll = async () => {
  if (stopping) return;
  stopping = true;
  client.destroy();
  await running?.stop();
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void stopAll().finally(() => process.exit(130));
  });
}

function keepLogs(r: RegimeResult, c: BenchCluster): void {
  const dir = process.env.BENCH_L2_LOG_DIR;
  if (!dir) return;
  mkdirSync(join(dir, r.name), { recursive: true });
  for (const v of c.validators) {
    const lines = (v.node?.logs ?? []).map((l) => JSON.stringify(l)).join('\n');
    writeFileSync(join(dir, r.name, `validator-${v.index}.log`), `${lines}\n`);
  }
}

async function regime(o: RegimeOptions, fixtures: Awaited<ReturnType<typeof l2Fixtures>>) {
  log(`regime ${o.name}: ${o.transfers} transfers at ${o.rate} tx/s (${o.warmup} warm-up) on a fresh cohort`);
  let last: BenchCluster | undefined;
  const r = await runRegime(o, fixtures, client, log, (c) => {
    if (c) last = c;
    running = c;
  });
  if (last) keepLogs(r, last);
  const rejected = r.feed.outcome.filter((x) => x !== 'admitted').length;
  log(
    `  ${o.name}: ${r.latencies.length} final, tps ${r.tps.toFixed(1)}, p50 ${quantile(r.latencies, 0.5)} ms, p99 ${quantile(r.latencies, 0.99)} ms, rejected ${rejected}, ${r.blocks} blocks`,
  );
  for (const [msg, n] of r.warnings) log(`  ${o.name}: node warning: ${msg} (${n}x)`);
  return r;
}

const sustained = (r: RegimeResult) =>
  r.feed.admitted === r.options.transfers &&
  r.unplaced === 0 &&
  quantile(r.latencies, 0.99) <= SUSTAINED_P99_MS &&
  r.tps >= 0.9 * r.options.rate;

function stageRows(r: RegimeResult): [string, string][] {
  const s = summarizeStages(r.stages);
  const row = (k: keyof typeof s, what: string): [string, string] => [
    `  ${what}`,
    `p50 ${s[k].p50_ms} ms, mean ${s[k].mean_ms} ms`,
  ];
  return [
    row('admission', 'admission (due -> 202: HTTP, proof verified)'),
    row('toProposal', 'to proposal (202 -> leader built its block)'),
    [
      '    of which leader inclusion wait (mean)',
      `${r.node.inclusionWaitMeanMs.toFixed(1)} ms (admitted at the leader -> in its proposal)`,
    ],
    row('consensus', 'consensus (built -> decided)'),
    row('commit', 'commit (decided -> final)'),
  ];
}

async function main(): Promise<void> {
  const fixtures = await l2Fixtures({ deposits: BENCH_L2_DEPOSITS, transfers: CACHED_TRANSFERS }, { log });
  log(
    `${fixtures.transactions.length} pre-proven transfers (${fixtures.fromCache ? 'cached' : 'proven now'})`,
  );
  const reference = await verifyReference(fixtures.transactions, VALIDATORS);
  log(
    `this machine now: ${reference.msPerProof.toFixed(2)} ms per proof (wire to verdict, one thread, batches of ${reference.batch}); verification alone fills its ${availableParallelism()} cores at ${reference.ceilingTps.toFixed(0)} tx/s`,
  );
  const rows: [string, string][] = [
    ['validators', String(VALIDATORS)],
    ['runtime', `Node ${process.version}`],
    [
      'machine reference: verify ms/proof, ceiling',
      `${reference.msPerProof.toFixed(2)} ms, ${reference.ceilingTps.toFixed(0)} tx/s`,
    ],
  ];
  const out: Record<string, unknown> = {};

  if (REGIMES.has('light')) {
    const r = await regime(
      {
        name: 'light',
        cluster,
        rate: 10,
        batch: 1,
        gatherMs: 0,
        maxInFlight: 256,
        warmup: 0,
        transfers: LIGHT_TRANSFERS,
      },
      fixtures,
    );
    rows.push(
      ['light: transfers final / offered', `${r.latencies.length} / ${LIGHT_TRANSFERS} at 10 tx/s`],
      [
        'light: finality p50 / p90 / p99 / max (ms)',
        [0.5, 0.9, 0.99, 1].map((q) => quantile(r.latencies, q)).join(' / '),
      ],
      ...stageRows(r),
      ['light: blocks, highest round', `${r.blocks}, ${r.maxRound}`],
    );
    Object.assign(out, {
      light_p50_ms: quantile(r.latencies, 0.5),
      light_p99_ms: quantile(r.latencies, 0.99),
      light_finalized: r.latencies.length,
      light_rejected: r.feed.outcome.filter((x) => x !== 'admitted').length,
      light_stages: summarizeStages(r.stages),
      light_inclusion_wait_mean_ms: round(r.node.inclusionWaitMeanMs),
    });
  }

  let saturation: RegimeResult | undefined;
  if (REGIMES.has('saturation')) {
    const r = await regime(
      { name: 'saturation', cluster, rate: RATE, ...batched, warmup: WARMUP, transfers: TRANSFERS },
      fixtures,
    );
    saturation = r;
    const cpuPer = r.cpuMsPerValidator.map((ms) => ms / Math.max(1, r.latencies.length));
    const cpuMean = cpuPer.reduce((a, b) => a + b, 0) / cpuPer.length;
    rows.push(
      ['saturation: offered, sustained finalized tx/s', `${RATE}, ${r.tps.toFixed(1)}`],
      [
        'saturation: finality p50 / p90 / p99 / max (ms)',
        [0.5, 0.9, 0.99, 1].map((q) => quantile(r.latencies, q)).join(' / '),
      ],
      ...stageRows(r),
      [
        'saturation: blocks, mean transfers per block',
        `${r.blocks}, ${(r.latencies.length / Math.max(1, r.blocks)).toFixed(1)}`,
      ],
      [
        'cpu: ms per transfer per validator (each)',
        `${cpuPer.map((x) => x.toFixed(2)).join(', ')} (mean ${cpuMean.toFixed(2)}; ${r.latencies.length} final over ${(r.cpuWindowMs / 1000).toFixed(1)} s)`,
      ],
      [
        'cpu: node verify ms per proof (batch wall / proofs)',
        `${r.node.verifyMsPerProof.toFixed(2)} (mean batch ${r.node.verifyBatchMean.toFixed(1)})`,
      ],
    );
    Object.assign(out, {
      tps: round(r.tps),
      p50_ms: quantile(r.latencies, 0.5),
      p99_ms: quantile(r.latencies, 0.99),
      offered_tps: RATE,
      saturation_finalized: r.latencies.length,
      saturation_rejected: r.feed.outcome.filter((x) => x !== 'admitted').length,
      cpu_ms_per_transfer_per_validator: round(cpuMean, 2),
      cpu_ms_per_transfer_each: cpuPer.map((x) => round(x, 2)),
      node_verify_ms_per_proof: round(r.node.verifyMsPerProof, 2),
      mean_txs_per_block: round(r.latencies.length / Math.max(1, r.blocks)),
    });
  }

  if (REGIMES.has('steps')) {
    const steps: { rate: number; ok: boolean; tps: number; p99: number }[] = [];
    let rate = Math.max(10, Math.round(reference.ceilingTps / 2));
    let best = saturation && sustained(saturation) ? RATE : 0;
    let direction: 1 | -1 | 0 = 0;
    for (let i = 0; i < MAX_STEPS; i++) {
      const transfers = Math.min(CACHED_TRANSFERS - STEP_WARMUP, Math.round(rate * STEP_SECONDS));
      const r = await regime(
        { name: `step-${rate}`, cluster, rate, ...batched, warmup: STEP_WARMUP, transfers },
        fixtures,
      );
      const ok = sustained(r);
      steps.push({ rate, ok, tps: round(r.tps), p99: quantile(r.latencies, 0.99) });
      if (ok) best = Math.max(best, rate);
      // Up while it holds, down until it holds; stop at the first change of direction.
      const next: 1 | -1 = ok ? 1 : -1;
      if (direction !== 0 && next !== direction) break;
      direction = next;
      rate = Math.round(ok ? rate * 1.25 : rate * 0.8);
    }
    rows.push(
      [
        'steps: offered rate -> sustained? (tps, p99 ms)',
        steps.map((s) => `${s.rate} ${s.ok ? 'yes' : 'no'} (${s.tps}, ${s.p99})`).join('; '),
      ],
      [
        'max sustained tx/s (p99 <= 2 s), vs half the ceiling',
        `${best} vs ${round(reference.ceilingTps / 2)} (${round(best / reference.ceilingTps, 2)} x ceiling)`,
      ],
    );
    Object.assign(out, {
      max_sustained_tps: best,
      max_sustained_ratio: round(best / reference.ceilingTps, 2),
      steps,
    });
  }

  for (const [k, v] of rows) console.log(`${k.padEnd(52)} ${v}`);
  console.log(
    JSON.stringify({
      ...out,
      verify_ms_per_proof: round(reference.msPerProof, 2),
      verify_ceiling_tps: round(reference.ceilingTps),
      validators: VALIDATORS,
      block_interval_ms: cluster.blockIntervalMs ?? 'default',
      node: process.version,
    }),
  );
}

// Child processes, sockets and timers of the run are all closed by stopAll; exit explicitly anyway.
await main()
  .finally(stopAll)
  .then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
