// Worker side of BatchVerifierPool: decodes a chunk of wire proofs (curve, subgroup and canonicity
// checks) and returns its share of the random-linear-combination check, so the main thread only
// multiplies partial Miller-loop products and runs one final exponentiation.
import { parentPort } from 'node:worker_threads';
import { initCurve, mcl, millerLoopVec } from '../curve/mcl.js';
import { PrivacyError } from '../errors.js';
import { Groth16Proof } from '../proof/groth16-proof.js';
import type { ChunkRequest, ChunkResult } from './batch-protocol.js';

function randomScalar(): mcl.Fr {
  const bytes = new Uint8Array(16);
  for (;;) {
    crypto.getRandomValues(bytes);
    const f = new mcl.Fr();
    f.setLittleEndian(bytes);
    if (!f.isZero()) return f;
  }
}

function toFr(v: bigint): mcl.Fr {
  const f = new mcl.Fr();
  f.setStr(v.toString(10), 10);
  return f;
}

function run(req: ChunkRequest): ChunkResult {
  const rejected: { index: number; code: string }[] = [];
  const g1: mcl.G1[] = [];
  const g2: mcl.G2[] = [];
  const cs: mcl.G1[] = [];
  const rs: mcl.Fr[] = [];
  let sumR = new mcl.Fr();
  const sumRX = Array.from({ length: req.inputCount }, () => new mcl.Fr());
  req.wires.forEach((wire, i) => {
    let proof: Groth16Proof;
    try {
      proof = Groth16Proof.fromWire(wire);
    } catch (e) {
      rejected.push({ index: i, code: e instanceof PrivacyError ? e.code : 'PROOF_INVALID' });
      return;
    }
    const inputs = req.publicInputs[i]!;
    const r = randomScalar();
    g1.push(mcl.mul(proof.a, r));
    g2.push(proof.b);
    cs.push(proof.c);
    rs.push(r);
    sumR = mcl.add(sumR, r);
    for (let j = 0; j < req.inputCount; j++) {
      if (inputs[j] !== 0n) sumRX[j] = mcl.add(sumRX[j]!, mcl.mul(r, toFr(inputs[j]!)));
    }
  });
  const accepted = g1.length;
  return {
    id: req.id,
    rejected,
    accepted,
    miller: accepted ? millerLoopVec(g1, g2).serialize() : new Uint8Array(),
    sumR: sumR.serialize(),
    sumRX: sumRX.map((f) => f.serialize()),
    sumRC: accepted ? mcl.mulVec(cs, rs).serialize() : new Uint8Array(),
  };
}

await initCurve();
parentPort!.on('message', (req: ChunkRequest) => {
  try {
    parentPort!.postMessage(run(req));
  } catch (e) {
    parentPort!.postMessage({ id: req.id, error: e instanceof Error ? e.message : String(e) });
  }
});
parentPort!.postMessage({ ready: true });
