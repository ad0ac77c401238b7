// One prover of bench:l2's fixtures (bench/l2/fixtures.ts starts several): proves transfers
// from + offset, from + offset + stride, ... below `to`, and prints one JSON line per proof.
import { loadCircuitArtifacts, privacyReady, shutdownProver } from '../../src/privacy/index.js';
import { proveTransfer, provingContext } from './fixtures.js';

const job = JSON.parse(process.argv[2] ?? '{}') as {
  deposits: number;
  from: number;
  to: number;
  stride: number;
  offset: number;
};
await privacyReady();
const artifacts = await loadCircuitArtifacts();
const ctx = await provingContext(job.deposits);
try {
  for (let i = job.from + job.offset; i < job.to; i += job.stride) {
    process.stdout.write(`${JSON.stringify({ i, tx: await proveTransfer(i, ctx, artifacts) })}\n`);
  }
} finally {
  await shutdownProver();
}
