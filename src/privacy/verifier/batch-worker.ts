// Worker side of BatchVerifierPool: decodes a chunk of wire proofs (curve, subgroup and canonicity
// checks) and verifies the decodable ones as one random-linear-combination batch, bisecting here
// when the batch fails. The main thread only posts wires and reads verdicts.
import { parentPort, workerData } from 'node:worker_threads';
import { initCurve } from '../curve/mcl.js';
import { PrivacyError } from '../errors.js';
import type { Field } from '../field.js';
import { Groth16Proof } from '../proof/groth16-proof.js';
import type { ChunkRequest, ChunkResult, WorkerInit } from './batch-protocol.js';
import { Groth16Verifier, type VerificationItem } from './groth16-verifier.js';
import { VerifyingKey } from './verifying-key.js';

await initCurve();
const verifier = new Groth16Verifier(VerifyingKey.fromChainBytes((workerData as WorkerInit).verifyingKey));

function run(req: ChunkRequest): ChunkResult {
  const rejected: { index: number; code: string }[] = [];
  const decoded: VerificationItem[] = [];
  const positions: number[] = [];
  req.wires.forEach((wire, i) => {
    try {
      // Field values lose their brand in the structured clone; the pool posted Fields.
      const publicInputs = req.publicInputs[i]! as readonly Field[];
      decoded.push({ proof: Groth16Proof.fromWire(wire), publicInputs });
      positions.push(i);
    } catch (e) {
      rejected.push({ index: i, code: e instanceof PrivacyError ? e.code : 'PROOF_INVALID' });
    }
  });
  const failed = verifier.verifyBatch(decoded).invalid.map((i) => positions[i]!);
  return { id: req.id, rejected, failed };
}

parentPort!.on('message', (req: ChunkRequest) => {
  try {
    parentPort!.postMessage(run(req));
  } catch (e) {
    parentPort!.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) });
  }
});
parentPort!.postMessage({ ready: true });
