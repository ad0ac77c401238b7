// npm run bench:compute: compute jobs per second through the whole executor path, fuel per second
// of metered code in the sandbox (and the metering overhead against the same module unmetered),
// and ownership-proof admission cost. Last line: one JSON object.
import { x25519 } from '@noble/curves/ed25519.js';
import {
  admitJob,
  buildJob,
  executeJob,
  executorEncryptionKey,
  loadOwnershipVerifier,
  PreparedModuleCache,
  prepareModule,
  Sandbox,
  watToWasm,
} from '../src/compute/index.js';
import { executorKeys, MEAN_WAT, meanJobFixture, u64Vector } from '../src/compute/testing/index.js';
import { toField } from '../src/privacy/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const MAX_JOBS = 10_000;

// A busy integer loop (xorshift over n rounds) with the alloc/run entry convention.
const BUSY_WAT = `(module
  (memory (export "memory") 1 1)
  (func (export "alloc") (param i32) (result i32) (i32.const 1024))
  (func (export "run") (param $ptr i32) (param $len i32) (result i32)
    (local $n i32) (local $x i64)
    (local.set $n (i32.load (local.get $ptr)))
    (local.set $x (i64.const 88172645463325252))
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
      (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
      (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (i64.store (local.get $ptr) (local.get $x))
    (i32.const 8)))`;

async function jobsPerSecond(
  sandbox: Sandbox,
  values: number,
  cache?: PreparedModuleCache,
): Promise<{ jobs: number; seconds: number; fuel: bigint }> {
  const keys = executorKeys(0);
  const zero = toField(0n);
  const spec = {
    wasm: watToWasm(MEAN_WAT),
    fuelLimit: 10_000_000n,
    memoryPages: 16,
    outputCap: 64,
    fee: 0n,
    outputKey: x25519.getPublicKey(x25519.utils.randomSecretKey()),
  };
  const input = u64Vector(Array.from({ length: values }, (_, i) => BigInt(i * 7919)));
  const { job } = buildJob(
    spec,
    { root: zero, scope: zero, minAmount: 0n, tag: zero },
    [executorEncryptionKey(keys)],
    input,
  );
  await executeJob(job, keys, sandbox, cache); // warm the worker (and the cache, if any)
  let jobs = 0;
  let fuel = 0n;
  const started = performance.now();
  while (performance.now() - started < SECONDS * 1000 && jobs < MAX_JOBS) {
    const { signed } = await executeJob(job, keys, sandbox, cache);
    fuel = signed.result.fuelUsed;
    jobs++;
  }
  return { jobs, seconds: (performance.now() - started) / 1000, fuel };
}

async function fuelPerSecond(
  sandbox: Sandbox,
): Promise<{ fuelPerSec: number; meteredMs: number; unmeteredMs: number }> {
  const rounds = 50_000_000;
  const input = new Uint8Array(4);
  new DataView(input.buffer).setUint32(0, rounds, true);
  const fuelLimit = 10_000_000_000n;
  const metered = prepareModule(watToWasm(BUSY_WAT), { fuelLimit, memoryPages: 1 });
  const plain = watToWasm(BUSY_WAT);
  // Best of three each, interleaved, after a warm-up of both: short runs on shared cores are noisy.
  const time = async (wasm: Uint8Array) => {
    const t = performance.now();
    const outcome = await sandbox.run({ wasm, input, fuelLimit, outputCap: 8 });
    return { ms: performance.now() - t, fuel: outcome.fuelUsed };
  };
  await time(metered);
  await time(plain);
  let meteredMs = Infinity;
  let unmeteredMs = Infinity;
  let fuel = 0n;
  for (let i = 0; i < 3; i++) {
    const m = await time(metered);
    meteredMs = Math.min(meteredMs, m.ms);
    fuel = m.fuel;
    unmeteredMs = Math.min(unmeteredMs, (await time(plain)).ms);
  }
  return { fuelPerSec: Number(fuel) / (meteredMs / 1000), meteredMs, unmeteredMs };
}

async function admissionMs(): Promise<number> {
  const fixture = await meanJobFixture(3);
  const verifier = await loadOwnershipVerifier();
  const ctx = { verifier, isKnownRoot: () => true };
  admitJob(fixture.jobBytes, ctx);
  const n = 50;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) admitJob(fixture.jobBytes, ctx);
  verifier.destroy();
  return (performance.now() - t0) / n;
}

const sandbox = new Sandbox({ wallClockMs: 60_000 });
try {
  const small = await jobsPerSecond(sandbox, 16);
  const large = await jobsPerSecond(sandbox, 12_000);
  const cached = await jobsPerSecond(sandbox, 16, new PreparedModuleCache());
  const busy = await fuelPerSecond(sandbox);
  const admit = await admissionMs();
  const rate = (r: { jobs: number; seconds: number }) => r.jobs / r.seconds;
  console.log(`mean job, 16 values:      ${rate(small).toFixed(1)} jobs/s (fuel ${small.fuel} per job)`);
  console.log(`mean job, 12000 values:   ${rate(large).toFixed(1)} jobs/s (fuel ${large.fuel} per job)`);
  console.log(`mean job, 16 values, instrumented module cached: ${rate(cached).toFixed(1)} jobs/s`);
  console.log(
    `busy loop: ${(busy.fuelPerSec / 1e6).toFixed(1)} Mfuel/s metered; ${busy.meteredMs.toFixed(0)} ms metered vs ${busy.unmeteredMs.toFixed(0)} ms unmetered`,
  );
  console.log(`admission (decode + validate + ownership proof): ${admit.toFixed(2)} ms/job`);
  console.log(
    JSON.stringify({
      bench: 'compute',
      node: process.version,
      secondsPerCase: SECONDS,
      jobsPerSecSmall: Math.round(rate(small) * 10) / 10,
      jobsPerSecLarge: Math.round(rate(large) * 10) / 10,
      jobsPerSecSmallModuleCached: Math.round(rate(cached) * 10) / 10,
      fuelPerJobSmall: Number(small.fuel),
      fuelPerJobLarge: Number(large.fuel),
      fuelPerSec: Math.round(busy.fuelPerSec),
      meteringOverhead: Math.round((busy.meteredMs / busy.unmeteredMs) * 100) / 100,
      admissionMsPerJob: Math.round(admit * 100) / 100,
    }),
  );
} finally {
  await sandbox.stop();
}
