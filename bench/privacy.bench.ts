// Privacy-core benchmark: prover, single and batch verification against snarkjs in the same process,
// Poseidon and tree throughput. Prints a table, then one JSON object as the last line.
import { readFileSync } from 'node:fs';
import * as snarkjs from 'snarkjs';
import {
  BatchVerifierPool,
  Groth16Proof,
  hash2,
  loadCircuitArtifacts,
  loadWasmPoseidon,
  MemoryTreeStorage,
  MerkleTree,
  proveTransact,
  randomField,
  rerandomizeProof,
  shutdownProver,
  type TransactVerification,
  TransactVerifier,
  transactPublicInputs,
  VerifyingKey,
} from '../src/privacy/index.js';
import { makePool, transactFixtures, transferRequest } from '../src/privacy/testing/index.js';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d = 3) => Number(x.toFixed(d));
const now = () => performance.now();

const PROVE_RUNS = Number(process.env.BENCH_PROVE_RUNS ?? 5);
const rows: [string, string][] = [];
const row = (name: string, value: string) => {
  rows.push([name, value]);
  console.error(`${name.padEnd(36)} ${value}`);
};

const artifacts = await loadCircuitArtifacts();
const verifier = await TransactVerifier.create(artifacts.verifyingKey);
const transcript = JSON.parse(readFileSync(`${artifacts.dir}/transcript.json`, 'utf8')) as {
  constraints: number;
};
row('constraints', String(transcript.constraints));

// Prover (warm-up run excluded: it builds snarkjs' curve and worker threads).
const proveTimes: number[] = [];
const witnessTimes: number[] = [];
for (let i = 0; i <= PROVE_RUNS; i++) {
  const pool = await makePool([3_000_000_000n, 1_000_000_000n]);
  const { request } = await transferRequest(pool, 2_000_000_000n);
  const t = now();
  const r = await proveTransact(request, artifacts);
  if (i > 0) {
    proveTimes.push(now() - t);
    witnessTimes.push(r.timings.witnessMs);
  }
}
row('prove ms (median, incl. witness)', median(proveTimes).toFixed(1));
row('  of which witness ms', median(witnessTimes).toFixed(1));

const base = await transactFixtures(8, artifacts);
const delta = verifier.verifyingKey.delta;
const items: TransactVerification[] = Array.from({ length: 64 }, (_, i) => ({
  statement: base[i % 8]!.statement,
  proof: rerandomizeProof(base[i % 8]!.proof, delta),
}));
const wires = items.map((it) => it.proof.toWire());

// Single verification: ours (decode from wire + verify) and snarkjs' on the same proofs.
const single: number[] = [];
const singleNoDecode: number[] = [];
for (let round_ = 0; round_ < 3; round_++) {
  for (let i = 0; i < 64; i++) {
    let t = now();
    const proof = Groth16Proof.fromWire(wires[i]!);
    if (!verifier.verify({ proof, statement: items[i]!.statement })) throw new Error('verify failed');
    single.push(now() - t);
    t = now();
    verifier.verify(items[i]!);
    singleNoDecode.push(now() - t);
  }
}
row('verify ms (median, wire -> verdict)', median(single).toFixed(3));
row('  verify only ms (decoded proof)', median(singleNoDecode).toFixed(3));

const snarkInputs = items.map((it) => ({
  publicSignals: transactPublicInputs(it.statement).map(String),
  proof: it.proof.toSnarkjs() as snarkjs.SnarkjsProofJson,
}));
const snarkTimes: number[] = [];
for (let i = 0; i < 24; i++) {
  const s = snarkInputs[i]!;
  const t = now();
  if (!(await snarkjs.groth16.verify(artifacts.verifyingKey, s.publicSignals, s.proof)))
    throw new Error('snarkjs failed');
  snarkTimes.push(now() - t);
}
const snarkMedian = median(snarkTimes);
row('snarkjs verify ms (median)', snarkMedian.toFixed(3));
const snarkSeqPerProof = snarkTimes.reduce((a, b) => a + b, 0) / snarkTimes.length;
row('snarkjs sequential ms/proof', snarkSeqPerProof.toFixed(3));

function batchPerProof(n: number, fromWire: boolean): number {
  const runs: number[] = [];
  for (let r = 0; r < 7; r++) {
    const t = now();
    const batch = fromWire
      ? wires.slice(0, n).map((w, i) => ({ proof: Groth16Proof.fromWire(w), statement: items[i]!.statement }))
      : items.slice(0, n);
    const res = verifier.verifyBatch(batch);
    if (!res.valid) throw new Error('batch failed');
    runs.push((now() - t) / n);
  }
  return median(runs);
}
const b16 = batchPerProof(16, true);
const b64 = batchPerProof(64, true);
const b64Only = batchPerProof(64, false);
row('batch 16 ms/proof (wire -> verdict)', b16.toFixed(3));
row('batch 64 ms/proof (wire -> verdict)', b64.toFixed(3));
row('  batch 64 verify only ms/proof', b64Only.toFixed(3));

// The same batches through the worker-thread pool (what a validator runs), wall-clock per proof.
const pool = new BatchVerifierPool(VerifyingKey.fromSnarkjs(artifacts.verifyingKey), {
  threads: 2,
});
await pool.start();
const wireItems = items.map((it, i) => ({
  wire: wires[i]!,
  publicInputs: transactPublicInputs(it.statement),
}));
await pool.verifyBatch(wireItems.slice(0, 8));
const poolRuns: number[] = [];
for (let r = 0; r < 7; r++) {
  const t0 = now();
  const res = await pool.verifyBatch(wireItems);
  if (!res.valid) throw new Error('pool batch failed');
  poolRuns.push((now() - t0) / 64);
}
await pool.stop();
const pool64 = median(poolRuns);
row('pool (2 threads) batch 64 ms/proof', pool64.toFixed(3));

const P2_RUNS = 20_000;
const p2PerS = (): number => {
  const t0 = now();
  let h = randomField();
  for (let i = 0; i < P2_RUNS; i++) h = hash2(h, h);
  return P2_RUNS / ((now() - t0) / 1000);
};
// Baseline first: poseidon-lite (what a process uses until it loads the WebAssembly Poseidon).
const poseidonLitePerS = p2PerS();
await loadWasmPoseidon();
const poseidonPerS = p2PerS();
row('poseidon P2 per s (poseidon-lite)', poseidonLitePerS.toFixed(0));
row('poseidon P2 per s (wasm, what nodes use)', poseidonPerS.toFixed(0));
row('  wasm vs poseidon-lite', `${(poseidonPerS / poseidonLitePerS).toFixed(2)}x`);

let t = now();

const tree = await MerkleTree.open(new MemoryTreeStorage());
const leaves = Array.from({ length: 2_000 }, () => randomField());
t = now();
for (let i = 0; i < 500; i++) await tree.append(leaves[i]!);
const appendPerS = 500 / ((now() - t) / 1000);
t = now();
await tree.appendBatch(leaves.slice(500));
const batchAppendPerS = 1500 / ((now() - t) / 1000);
row('tree append per s (one by one)', appendPerS.toFixed(0));
row('tree append per s (batch of 1500)', batchAppendPerS.toFixed(0));

verifier.destroy();
await shutdownProver();
const result = {
  constraints: transcript.constraints,
  prove_ms_median: round(median(proveTimes), 1),
  witness_ms_median: round(median(witnessTimes), 1),
  verify_ms_median: round(median(single)),
  verify_only_ms_median: round(median(singleNoDecode)),
  snarkjs_verify_ms_median: round(snarkMedian),
  batch16_ms_per_proof: round(b16),
  batch64_ms_per_proof: round(b64),
  batch64_verify_only_ms_per_proof: round(b64Only),
  pool2_batch64_ms_per_proof: round(pool64),
  snarkjs_seq_ms_per_proof: round(snarkSeqPerProof),
  single_speedup_vs_snarkjs: round(snarkMedian / median(single), 2),
  batch64_speedup_vs_snarkjs_seq: round(snarkSeqPerProof / b64, 2),
  pool2_batch64_speedup_vs_snarkjs_seq: round(snarkSeqPerProof / pool64, 2),
  poseidon2_per_s: Math.round(poseidonPerS),
  poseidon2_lite_per_s: Math.round(poseidonLitePerS),
  poseidon2_wasm_vs_lite: round(poseidonPerS / poseidonLitePerS, 2),
  tree_append_per_s: Math.round(appendPerS),
  tree_batch_append_per_s: Math.round(batchAppendPerS),
};
console.log(JSON.stringify(result));
// circomlibjs's curve engine, loaded after the prover ran, leaves a MessagePort pair open that
// keeps the process alive; everything measured is done, so exit explicitly (as the node CLI does).
process.exit(0);
