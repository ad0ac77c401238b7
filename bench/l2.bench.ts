// L2 benchmark (issue 8): `paraloom localnet` and 4 `paraloom node` validator processes on this
// machine, fed pre-generated valid transfers through their ingress APIs at a steady offered rate.
// Measures the sustained rate at which transfers become final, and finality latency (submit to the
// block holding the transfer being final). Prints a table, then one JSON object as the last line.
//
// Throughput: `tps` is the finalization rate in steady state: the transfers final after the first
// measured block, over the time from that block's finality to the last one's. When the cohort keeps
// up it equals the offered rate; when it falls behind, latency grows through the feed, the last
// block comes later and `tps` drops below the offered rate. `window_tps` (first submit to last
// final) is also printed: it charges one finality latency of pipeline fill to a feed of a few
// seconds (about 10% at 100 tx/s), so it reads below the rate the cohort sustains.
//
// Machine reference: before the cohort starts, the bench times this machine's proof verification
// (wire to verdict, one worker thread, in the same process) and prints the rate at which
// verification alone would fill its cores (`verify_ms_per_proof`, `verify_ceiling_tps`). Each
// validator verifies every proof, so this ceiling moves with the machine's speed of the day, and so
// does everything else the bench reports.
//
// Funding is deterministic (bench/l2/fixtures.ts): deposits of seed-derived notes made on the fresh
// localnet land in the empty L2 tree in queue order, so the proofs are generated once against the
// known root and cached under .cache/bench-l2.
//
// Finality: every node logs `block final` (height) after it applied a block; the earliest such line
// per height (node clock, same machine) is when the height was final. Which height holds which
// transfer comes from the tree: validator 0's leaf count is read right after each of its commits,
// and a transfer's first output commitment is looked up among the published outputs at the end.
//
// Knobs (environment): BENCH_L2_WARMUP (unmeasured transfers fed first at the same rate, default
// 200), BENCH_L2_TRANSFERS (measured, default 600; warm-up + measured <= the cached 800),
// BENCH_L2_RATE (offered tx/s, 0 = all at once; default 105, just above the 100 tx/s target: the
// latency is then finality at that load; offer more to find the capacity, where latency becomes
// a backlog growing at the rate the cohort cannot absorb),
// BENCH_L2_SLOT_MS (localnet slot, default 100), BENCH_L2_BLOCK_INTERVAL_MS (consensus pacing,
// default 100 = the node default), BENCH_L2_CPU_PROF=<dir> (--cpu-prof on node 0),
// BENCH_L2_LOG_DIR=<dir> (each node's log lines, written at the end; PARALOOM_NODE_LOG_LEVEL=debug
// adds per-block timings), BENCH_L2_IN_FLIGHT (submissions awaiting admission at once, default 256),
// BENCH_L2_BATCH (transfers per submission request, default 16; 1 = one POST /v1/transactions each)
// and BENCH_L2_BATCH_MS (how long transfers that fell due are gathered into one request, default 40).
// Counters read from the nodes' metrics at the end (verify batches, storage commits, gossip) cover
// the whole run, warm-up included.
import { mkdirSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { address, type Instruction } from '@solana/kit';
import {
  BridgeRpc,
  depositInstruction,
  deriveProgramAddresses,
  PARALOOM_DEV_PROGRAM_ID,
  TransactionSender,
} from '../src/bridge/index.js';
import { fundedSigner } from '../src/bridge/testing/index.js';
import { createLogger } from '../src/common/index.js';
import { parsePrometheusText } from '../src/health/testing/index.js';
import { MAX_BATCH_TRANSACTIONS } from '../src/ingress/index.js';
import { until } from '../test/helpers/paraloom-child.js';
import { BenchCluster, type BenchValidator } from './l2/cluster.js';
import { l2Fixtures } from './l2/fixtures.js';
import { verifyReference } from './l2/machine-reference.js';

const VALIDATORS = 4;
const DEPOSITS = 90;
/** Transfers proven once and cached: the warm-up's, then the measured feed's. */
const CACHED_TRANSFERS = 800;
/**
 * Transfers fed first, at the same rate, and not measured: the validators are fresh processes, and
 * V8 optimizes the transaction paths while the first transfers flow (its compiler threads took about
 * a seventh of a validator's CPU in an unwarmed feed). A validator in service runs warm.
 */
const WARMUP = Math.max(0, Number(process.env.BENCH_L2_WARMUP ?? 200));
const TRANSFERS = Math.min(Number(process.env.BENCH_L2_TRANSFERS ?? 600), CACHED_TRANSFERS - WARMUP);
const RATE = Number(process.env.BENCH_L2_RATE ?? 105);
const SLOT_MS = Number(process.env.BENCH_L2_SLOT_MS ?? 100);
const BLOCK_INTERVAL_MS = Number(process.env.BENCH_L2_BLOCK_INTERVAL_MS ?? 100);
const CPU_PROF = process.env.BENCH_L2_CPU_PROF;
/** Deposit instructions per Solana transaction (sent one transaction after the other: queue order). */
const DEPOSITS_PER_TX = 5;
/**
 * Submissions in flight at once, over all validators: clients that keep sending at the offered rate
 * while earlier submissions wait for admission (which verifies the proof first). At 64 the feed
 * itself capped the offered load near 110 tx/s, below the rate the bench claims to offer.
 */
const MAX_IN_FLIGHT = Number(process.env.BENCH_L2_IN_FLIGHT ?? 256);
/**
 * Transfers per submission request (1: one `POST /v1/transactions` each) and how long the client
 * gathers transfers that fall due before it sends them as one `POST /v1/transactions/batch`. One
 * HTTP request cost this machine about 1 ms of client CPU: at 105 requests/s the client alone took
 * a tenth of the 2 cores the cohort is measured on.
 */
const FEED_BATCH = Math.min(Number(process.env.BENCH_L2_BATCH ?? 16), MAX_BATCH_TRANSACTIONS);
const FEED_BATCH_MS = Number(process.env.BENCH_L2_BATCH_MS ?? 40);

const log = (line: string) => console.error(line);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (x: number, d = 1) => Number(x.toFixed(d));
const quantile = (sorted: readonly number[], q: number) =>
  sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]! : Number.NaN;

interface Status {
  height: string;
  root: string;
  leafCount: number;
  mempool: number;
}
/**
 * The feed's HTTP client: node:http over kept-alive connections. fetch (undici) cost the bench
 * process about a quarter of a core at 120 submissions/s on this 2-core machine, CPU the
 * validators it measures then did not have.
 */
const feedAgent = new Agent({ keepAlive: true, maxSockets: 64 });
function postJson(url: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: feedAgent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      // The server may close an idle kept-alive socket just as it is reused: nothing was sent, so
      // sending again on a fresh socket is safe (Node's documented pattern).
      if (req.reusedSocket && err.code === 'ECONNRESET') postJson(url, body).then(resolve, reject);
      else reject(err);
    });
    req.end(body);
  });
}

const status = async (v: BenchValidator): Promise<Status> =>
  (await (await fetch(`${v.ingress}/v1/status`)).json()) as Status;

async function nodesCpuSeconds(vs: readonly BenchValidator[]): Promise<number> {
  let total = 0;
  for (const v of vs) {
    const m = parsePrometheusText(await (await fetch(`${v.health}/metrics`)).text());
    for (const s of m.get('process_cpu_seconds_total')?.samples ?? []) total += s.value;
  }
  return total;
}

const cluster = new BenchCluster({
  validators: VALIDATORS,
  slotMs: SLOT_MS,
  blockIntervalMs: BLOCK_INTERVAL_MS,
  envOf: (i) =>
    CPU_PROF && i === 0
      ? {
          NODE_OPTIONS: `--require ${fileURLToPath(new URL('./l2/cpu-profile.cjs', import.meta.url))}`,
          BENCH_L2_CPU_PROF_DIR: CPU_PROF,
        }
      : ({} as Record<string, string>),
});
let stopping = false;
const LOG_DIR = process.env.BENCH_L2_LOG_DIR;
const stopAll = async () => {
  if (stopping) return;
  stopping = true;
  feedAgent.destroy();
  if (LOG_DIR) {
    mkdirSync(LOG_DIR, { recursive: true });
    for (const v of cluster.validators) {
      const lines = (v.node?.logs ?? []).map((l) => JSON.stringify(l)).join('\n');
      writeFileSync(join(LOG_DIR, `validator-${v.index}.log`), `${lines}\n`);
    }
  }
  await cluster.stop();
};
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void stopAll().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  // 1. Proofs (cached after the first run).
  const fixtures = await l2Fixtures({ deposits: DEPOSITS, transfers: CACHED_TRANSFERS }, { log });
  const warmTxs = fixtures.transactions.slice(0, WARMUP);
  const txs = fixtures.transactions.slice(WARMUP, WARMUP + TRANSFERS);
  const outputsOf = (i: number) => fixtures.outputs[WARMUP + i]!;
  log(
    `${WARMUP} warm-up and ${txs.length} measured pre-generated transfers (${fixtures.fromCache ? 'cached' : 'proven now'}), ${DEPOSITS} deterministic deposits`,
  );

  const reference = await verifyReference(fixtures.transactions, VALIDATORS);
  log(
    `this machine now: ${reference.msPerProof.toFixed(2)} ms per proof (wire to verdict, one thread, batches of ${reference.batch}); verification alone fills its cores at ${reference.ceilingTps.toFixed(0)} tx/s`,
  );

  // 2. Localnet and validators.
  await cluster.start(log);
  const vs = cluster.validators;
  const v0 = vs[0]!;

  // 3. Deposits, in queue order, consumed by the cohort into the empty tree.
  const payer = await fundedSigner(cluster.rpcUrl, 10_000_000_000);
  const bridge = new BridgeRpc({ rpcUrl: cluster.rpcUrl, logger: createLogger('bench', 'warn') });
  const sender = new TransactionSender(bridge, {
    feePayer: payer,
    commitment: 'confirmed',
    pollMs: 25,
    logger: createLogger('bench', 'warn'),
  });
  const addresses = await deriveProgramAddresses(address(PARALOOM_DEV_PROGRAM_ID));
  const depositStart = Date.now();
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
  log(`${DEPOSITS} deposits sent in ${Date.now() - depositStart} ms`);
  for (const v of vs) {
    const st = await until(
      `validator ${v.index} consumed the deposits`,
      async () => {
        const s = await status(v);
        return s.leafCount >= DEPOSITS ? s : undefined;
      },
      60_000,
    );
    if (st.leafCount !== DEPOSITS || st.root !== fixtures.root.toString()) {
      throw new Error(
        `validator ${v.index}: tree has ${st.leafCount} leaves under root ${st.root}, expected ${DEPOSITS} under ${fixtures.root} (not a fresh cohort, or the fixtures are stale)`,
      );
    }
  }
  const baseHeight = BigInt((await status(v0)).height);
  log(`deposits final in the L2 (height ${baseHeight}), ${Date.now() - depositStart} ms after the first`);

  // 4. Validator 0's leaf count right after each of its commits (height -> leaf count).
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

  // 5. Feed at the offered rate, bounded in flight. Transfers fall due one by one at the offered
  // rate; every FEED_BATCH_MS whatever fell due goes out as one batch request (at most FEED_BATCH),
  // the batches round robin over the validators. A transfer's latency counts from when it fell
  // due, so the wait for its batch is charged to it.
  const feed = async (batch: readonly Uint8Array[]) => {
    /** When each transfer fell due at the client (its latency starts here). */
    const submitAt: number[] = new Array(batch.length).fill(0);
    const outcome: string[] = new Array(batch.length).fill('');
    /** When the ingress answered for it (its node verified the proof and admitted the transfer). */
    const admittedAt: number[] = new Array(batch.length).fill(0);
    const hex = batch.map((tx) => Buffer.from(tx).toString('hex'));
    let inFlight = 0;
    let retried429 = 0;
    let wakeSender: (() => void) | undefined;
    const sendGroup = async (group: readonly number[], v: BenchValidator) => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const single = group.length === 1;
        const res = single
          ? await postJson(`${v.ingress}/v1/transactions`, JSON.stringify({ transaction: hex[group[0]!] }))
          : await postJson(
              `${v.ingress}/v1/transactions/batch`,
              JSON.stringify({ transactions: group.map((i) => hex[i]) }),
            );
        if (res.status === 429) {
          retried429++;
          await sleep(20);
          continue;
        }
        const now = Date.now();
        type Outcome = { status?: string; error?: { code?: string } };
        const body = JSON.parse(res.body || '{}') as Outcome & { results?: Outcome[] };
        group.forEach((i, k) => {
          const r: Outcome | undefined = single
            ? res.status === 202
              ? { status: 'admitted' }
              : body
            : body.results?.[k];
          if (r?.status === 'admitted') {
            admittedAt[i] = now;
            outcome[i] = 'admitted';
          } else outcome[i] = r?.error?.code ?? `HTTP_${res.status}`;
        });
        return;
      }
      for (const i of group) outcome[i] = 'RATE_LIMITED';
    };
    const start = Date.now();
    const pending: Promise<void>[] = [];
    const dueAt = (i: number) => (RATE > 0 ? start + (i * 1000) / RATE : start);
    let next = 0;
    let requests = 0;
    while (next < batch.length) {
      const wait = dueAt(next) + (FEED_BATCH > 1 ? FEED_BATCH_MS : 0) - Date.now();
      if (wait > 0) await sleep(wait);
      while (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => (wakeSender = r));
      const group: number[] = [];
      const now = Date.now();
      while (
        next < batch.length &&
        group.length < FEED_BATCH &&
        inFlight + group.length < MAX_IN_FLIGHT &&
        dueAt(next) <= now
      ) {
        submitAt[next] = Math.round(dueAt(next));
        group.push(next++);
      }
      if (group.length === 0) continue;
      inFlight += group.length;
      const v = vs[requests++ % vs.length]!;
      pending.push(
        sendGroup(group, v)
          // Recorded, not thrown: a rejection waiting for Promise.all below would end the process
          // with the cohort still running.
          .catch((err: NodeJS.ErrnoException) => {
            for (const i of group) outcome[i] = `CLIENT_${err.code ?? 'ERROR'}`;
          })
          .finally(() => {
            inFlight -= group.length;
            wakeSender?.();
            wakeSender = undefined;
          }),
      );
    }
    await Promise.all(pending);
    const admitted = outcome.filter((o) => o === 'admitted').length;
    return { submitAt, admittedAt, outcome, retried429, start, ms: Date.now() - start, admitted, requests };
  };
  const allFinal = (leaves: number) =>
    until(
      'every admitted transfer final',
      async () => {
        const s = await status(v0);
        return s.leafCount >= leaves && s.mempool === 0 ? s : undefined;
      },
      120_000,
    );

  const warm = await feed(warmTxs);
  if (warmTxs.length) {
    await allFinal(DEPOSITS + 2 * warm.admitted);
    log(
      `warm-up: ${warm.admitted} of ${warmTxs.length} transfers admitted and final in ${Date.now() - warm.start} ms`,
    );
  }

  // The idle cohort's own cost (consensus on empty blocks, heartbeats, chain and deposit polling).
  const idleFrom = Date.now();
  const idleCpuFrom = await nodesCpuSeconds(vs);
  await sleep(3_000);
  const cpuBefore = await nodesCpuSeconds(vs);
  // This process shares the cores it measures the cohort on: its own cost is reported beside it.
  const clientCpuBefore = process.cpuUsage();
  const idleCores = (cpuBefore - idleCpuFrom) / ((Date.now() - idleFrom) / 1000);
  const measured = await feed(txs);
  const {
    submitAt,
    admittedAt,
    outcome,
    retried429,
    start: feedStart,
    ms: feedMs,
    admitted,
    requests,
  } = measured;
  const rejectedBy = new Map<string, number>();
  for (const o of outcome) if (o !== 'admitted') rejectedBy.set(o, (rejectedBy.get(o) ?? 0) + 1);
  log(`fed ${txs.length} in ${feedMs} ms: ${admitted} admitted`);

  // 6. Until every admitted transfer is final at validator 0 (bounded).
  await allFinal(DEPOSITS + 2 * (warm.admitted + admitted));
  await sleep(50);
  watching = false;
  await watcher;
  const final = await status(v0);
  leafCountAt.set(BigInt(final.height), final.leafCount);

  // 7. Where each transfer landed and when its height was final.
  const leafOf = new Map<string, number>();
  for (let from = DEPOSITS; ; ) {
    const page = (await (await fetch(`${v0.ingress}/v1/notes?from=${from}`)).json()) as {
      outputs: { leafIndex: number; commitment: string }[];
      next: number;
    };
    for (const o of page.outputs) leafOf.set(o.commitment, o.leafIndex);
    if (page.outputs.length === 0 || page.next >= final.leafCount) break;
    from = page.next;
  }
  const finalAt = new Map<bigint, number>();
  for (const v of vs) {
    for (const l of v.node!.logs) {
      if (l.msg !== 'block final') continue;
      const h = BigInt(String(l.height));
      const t = Number(l.time);
      if (!finalAt.has(h) || t < finalAt.get(h)!) finalAt.set(h, t);
    }
  }
  const heights = [...leafCountAt.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1));
  /** Smallest observed height whose leaf count covers the leaf (an upper bound if a height was missed). */
  const heightOfLeaf = (leaf: number) => heights.find(([, count]) => count > leaf)?.[0];
  const latencies: number[] = [];
  const finals: number[] = [];
  const admissions: number[] = [];
  const txHeights = new Set<bigint>();
  let unplaced = 0;
  let lastFinal = 0;
  txs.forEach((_, i) => {
    if (outcome[i] !== 'admitted') return;
    const leaf = leafOf.get(outputsOf(i)[0].toString());
    const h = leaf === undefined ? undefined : heightOfLeaf(leaf);
    const t = h === undefined ? undefined : finalAt.get(h);
    if (t === undefined || h === undefined) {
      unplaced++;
      return;
    }
    txHeights.add(h);
    latencies.push(t - submitAt[i]!);
    finals.push(t);
    admissions.push(admittedAt[i]! - submitAt[i]!);
    lastFinal = Math.max(lastFinal, t);
  });
  latencies.sort((a, b) => a - b);
  admissions.sort((a, b) => a - b);
  const firstSubmit = Math.min(...submitAt.filter((t) => t > 0));
  const windowMs = lastFinal - firstSubmit;
  const windowTps = latencies.length / (windowMs / 1000);
  const firstFinal = Math.min(...finals);
  const steadyMs = lastFinal - firstFinal;
  const afterFirst = finals.filter((t) => t > firstFinal).length;
  // One block (or none): no interval to measure a rate over; the window's rate is all there is.
  const tps = steadyMs > 0 ? afterFirst / (steadyMs / 1000) : windowTps;
  let missedHeights = 0;
  for (let h = baseHeight + 1n; h <= BigInt(final.height); h++) if (!leafCountAt.has(h)) missedHeights++;

  const cpuWindow = (await nodesCpuSeconds(vs)) - cpuBefore;
  const cpuWindowMs = Date.now() - feedStart;
  const clientCpu = process.cpuUsage(clientCpuBefore);
  const clientCores = (clientCpu.user + clientCpu.system) / 1000 / cpuWindowMs;
  for (const [h, count] of heights) {
    const prev = heights.find(([x]) => x === h - 1n)?.[1];
    const t = finalAt.get(h);
    const rounds = vs.map(
      (v) => v.node!.logs.find((l) => l.msg === 'block final' && String(l.height) === `${h}`)?.round,
    );
    if (h > baseHeight && t !== undefined && t >= feedStart)
      log(
        `  height ${h}: final at +${t - feedStart} ms, round ${Math.max(...rounds.map((r) => Number(r ?? 0)))}, ${prev === undefined ? '?' : (count - prev) / 2} transfers`,
      );
  }

  const warnings = new Map<string, number>();
  for (const v of vs) {
    for (const l of v.node!.logs) {
      if (Number(l.level) >= 40 && Number(l.time) >= feedStart) {
        warnings.set(String(l.msg), (warnings.get(String(l.msg)) ?? 0) + 1);
      }
    }
  }
  if (process.env.BENCH_L2_DUMP_LOGS) {
    const { writeFileSync } = await import('node:fs');
    vs.forEach((v) => {
      writeFileSync(`${process.env.BENCH_L2_DUMP_LOGS}/node-${v.index}.log`, v.node!.stdout.join('\n'));
    });
  }
  for (const [msg, n] of warnings) log(`  node warning during the feed: ${msg} (${n}x)`);

  // 8. Where the time went, from the validators' own metrics.
  const agg = new Map<string, number>();
  const add = (k: string, x: number) => agg.set(k, (agg.get(k) ?? 0) + x);
  let maxRound = 0;
  for (const v of vs) {
    const m = parsePrometheusText(await (await fetch(`${v.health}/metrics`)).text());
    for (const s of m.get('paraloom_ledger_verify_seconds')?.samples ?? []) {
      if (s.name.endsWith('_sum')) add(`verify_s_${s.labels.stage}`, s.value);
      if (s.name.endsWith('_count')) add(`verify_batches_${s.labels.stage}`, s.value);
    }
    for (const s of m.get('paraloom_ledger_verify_batch_size')?.samples ?? []) {
      if (s.name.endsWith('_sum')) add('verified_proofs', s.value);
    }
    for (const s of m.get('paraloom_storage_commit_seconds')?.samples ?? []) {
      if (s.name.endsWith('_sum')) add('commit_s', s.value);
      if (s.name.endsWith('_count')) add('commits', s.value);
    }
    for (const s of m.get('paraloom_ledger_mempool_rejections_total')?.samples ?? []) {
      if (s.value > 0) add(`rejected_${s.labels.reason}`, s.value);
    }
    for (const s of m.get('process_cpu_seconds_total')?.samples ?? []) add('cpu_s', s.value);
    for (const s of m.get('paraloom_network_messages_received_total')?.samples ?? []) {
      add(`gossip_in ${s.labels.channel}/${s.labels.type}`, s.value);
    }
    for (const s of m.get('paraloom_network_messages_published_total')?.samples ?? []) {
      add(`gossip_out ${s.labels.channel}`, s.value);
    }
    for (const l of v.node!.logs) {
      if (l.msg === 'block final' && txHeights.has(BigInt(String(l.height))))
        maxRound = Math.max(maxRound, Number(l.round ?? 0));
    }
  }
  const mempoolBatches = agg.get('verify_batches_mempool') ?? 0;
  const rows: [string, string][] = [
    ['validators', String(VALIDATORS)],
    ['runtime (bench, localnet and validators)', `Node ${process.version}`],
    [
      'machine reference: verify ms/proof, ceiling',
      `${reference.msPerProof.toFixed(2)} ms (before the cohort started), ${reference.ceilingTps.toFixed(0)} tx/s = ${availableParallelism()} cores / (${VALIDATORS} validators x ms per proof)`,
    ],
    ['warm-up transfers (not measured)', String(WARMUP)],
    ['transfers submitted', String(txs.length)],
    ['offered rate (tx/s)', RATE > 0 ? String(RATE) : 'all at once'],
    ['submissions in flight at most', String(MAX_IN_FLIGHT)],
    ['feed time (ms)', String(feedMs)],
    ['admitted', String(admitted)],
    ['rejected at ingress', [...rejectedBy].map(([k, n]) => `${k} ${n}`).join(', ') || '0'],
    [
      'submission requests (batch at most, gathered ms)',
      `${requests} (${FEED_BATCH}, ${FEED_BATCH > 1 ? FEED_BATCH_MS : 0})`,
    ],
    ['429 retries', String(retried429)],
    ['finalized', String(latencies.length)],
    ['window first submit -> last final (ms)', String(windowMs)],
    ['finalized transfers/s over that window', windowTps.toFixed(1)],
    [
      'sustained finalized transfers/s',
      `${tps.toFixed(1)} (${afterFirst} final after the first block, over ${steadyMs} ms to the last)`,
    ],
    [
      'finality p50 / p90 / p99 / max (ms)',
      [0.5, 0.9, 0.99, 1].map((q) => quantile(latencies, q)).join(' / '),
    ],
    [
      'of which admission p50 / p99 (ms)',
      `${quantile(admissions, 0.5)} / ${quantile(admissions, 0.99)} (due -> answered: the ingress node verified it)`,
    ],
    ['blocks holding transfers', String(txHeights.size)],
    ['mean transfers per block', (latencies.length / Math.max(1, txHeights.size)).toFixed(1)],
    ['highest round of a block holding transfers', String(maxRound)],
    [
      'mempool verify, whole run: batches, mean size, ms/batch',
      `${mempoolBatches} (4 nodes), ${((agg.get('verified_proofs') ?? 0) / Math.max(1, mempoolBatches + (agg.get('verify_batches_block') ?? 0))).toFixed(1)}, ${((1000 * (agg.get('verify_s_mempool') ?? 0)) / Math.max(1, mempoolBatches)).toFixed(1)}`,
    ],
    ['block re-verify batches, whole run (4 nodes)', String(agg.get('verify_batches_block') ?? 0)],
    [
      'storage commits, whole run: count, mean ms',
      `${agg.get('commits') ?? 0}, ${((1000 * (agg.get('commit_s') ?? 0)) / Math.max(1, agg.get('commits') ?? 0)).toFixed(1)}`,
    ],
    ['node CPU seconds (4 nodes, whole run)', (agg.get('cpu_s') ?? 0).toFixed(1)],
    ['idle cohort CPU before the feed (cores)', idleCores.toFixed(2)],
    [
      'node CPU per transfer, idle cost removed (ms)',
      ((1000 * (cpuWindow - (idleCores * cpuWindowMs) / 1000)) / Math.max(1, latencies.length)).toFixed(1),
    ],
    [
      'node CPU during the feed (cores busy)',
      `${cpuWindow.toFixed(1)} s over ${(cpuWindowMs / 1000).toFixed(1)} s (${((1000 * cpuWindow) / cpuWindowMs).toFixed(2)})`,
    ],
    ['bench client CPU over the same time (cores)', clientCores.toFixed(2)],
  ];
  rows.push([
    'gossip received, whole run (4 nodes)',
    [...agg]
      .filter(([k]) => k.startsWith('gossip_in '))
      .map(([k, n]) => `${k.slice(10)} ${n}`)
      .join(', '),
  ]);
  rows.push([
    'gossip published, whole run (4 nodes)',
    [...agg]
      .filter(([k]) => k.startsWith('gossip_out '))
      .map(([k, n]) => `${k.slice(11)} ${n}`)
      .join(', '),
  ]);
  for (const [k, v] of rows) console.log(`${k.padEnd(44)} ${v}`);
  if (unplaced) log(`warning: ${unplaced} admitted transfers could not be placed in a final block`);
  if (missedHeights)
    log(
      `note: ${missedHeights} heights' leaf counts not observed (their transfers' latency is an upper bound)`,
    );
  console.log(
    JSON.stringify({
      tps: round(tps),
      p50_ms: quantile(latencies, 0.5),
      p99_ms: quantile(latencies, 0.99),
      p90_ms: quantile(latencies, 0.9),
      max_ms: quantile(latencies, 1),
      transfers: txs.length,
      warmup: WARMUP,
      finalized: latencies.length,
      rejected: txs.length - admitted,
      validators: VALIDATORS,
      offered_tps: RATE,
      verify_ms_per_proof: round(reference.msPerProof, 2),
      verify_ceiling_tps: round(reference.ceilingTps),
      in_flight: MAX_IN_FLIGHT,
      window_ms: windowMs,
      window_tps: round(windowTps),
      blocks: txHeights.size,
      mean_txs_per_block: round(latencies.length / Math.max(1, txHeights.size)),
      block_interval_ms: BLOCK_INTERVAL_MS,
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
