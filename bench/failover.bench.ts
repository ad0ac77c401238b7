/**
 * Coordinator failover benchmark: a devnet of 4 validator processes (3 coordinator candidates); the
 * primary is killed with SIGKILL 10 times, and each time we measure from the kill to the new
 * primary's first successful action (its first confirmed anchor after the kill, from its log line's
 * timestamp). The killed node is restarted before the next round. Prints each sample; the LAST line
 * is one JSON object (median_ms, max_ms, ...). Baseline in the same line: the lease, the least any
 * lease-based failover can take.
 *
 *   npm run bench:failover            (env BENCH_KILLS: default 10; BENCH_LEASE_MS: default 1500)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Devnet, type DevnetValidator } from '../src/devnet/index.js';

const KILLS = Number(process.env.BENCH_KILLS ?? 10);
const LEASE_MS = Number(process.env.BENCH_LEASE_MS ?? 1500);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

const anchoredAfter = (v: DevnetValidator, t: number) =>
  (v.node?.logs ?? [])
    .filter((l) => l.msg === 'anchored' && Number(l.time) > t)
    .map((l) => Number(l.time))[0];

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'paraloom-bench-failover-'));
  const devnet = new Devnet({
    dir,
    validators: 4,
    slotMs: 200,
    env: () => ({ PARALOOM_COORDINATOR_LEASE_MS: String(LEASE_MS) }),
    onStep: (m) => console.error(`[devnet] ${m}`),
  });
  const samples: number[] = [];
  try {
    await devnet.start();
    await devnet.waitHeight(2n, 120_000);
    for (let k = 0; k < KILLS; k++) {
      const primary = await until('a primary', () => devnet.primary(), 60_000);
      // Let the cohort settle (everyone has seen this primary's heartbeats) before the kill.
      await sleep(2_000);
      const killedAt = Date.now();
      await devnet.stopValidator(primary.index, 'SIGKILL');
      const { v, at } = await until(
        'the next primary to anchor',
        async () => {
          for (const v of devnet.validators) {
            const at = v !== primary ? anchoredAfter(v, killedAt) : undefined;
            if (at !== undefined) return { v, at };
          }
          return undefined;
        },
        60_000,
      );
      samples.push(at - killedAt);
      console.log(
        `kill ${k + 1}: validator ${primary.index} -> validator ${v.index} acting after ${at - killedAt} ms`,
      );
      await devnet.startValidator(primary.index);
    }
  } finally {
    await devnet.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const sorted = [...samples].sort((a, b) => a - b);
  const median =
    sorted.length % 2
      ? sorted[(sorted.length - 1) / 2]!
      : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2;
  console.log(
    JSON.stringify({
      kills: samples.length,
      median_ms: median,
      max_ms: sorted.at(-1),
      min_ms: sorted[0],
      lease_ms: LEASE_MS,
      median_over_lease: Number((median / LEASE_MS).toFixed(2)),
      samples_ms: samples,
    }),
  );
}

await main();
