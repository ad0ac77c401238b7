// How fast this machine verifies right now, measured in the bench's own process before the cohort
// starts: the L2 bench's figures move with the machine (the same code has run at 105 tx/s and at
// 85 on this box on different days), and verification is most of the cohort's CPU, so its cost per
// proof is the reference the throughput is read against.
import { availableParallelism } from 'node:os';
import { decodeTransaction } from '../../src/ledger/index.js';
import {
  BatchVerifierPool,
  loadVerifyingKeyJson,
  privacyReady,
  transactPublicInputs,
  VerifyingKey,
  type WireVerificationItem,
} from '../../src/privacy/index.js';

export interface VerifyReference {
  /** Wire to verdict on one worker thread, in batches of `batch` (about what the validators see). */
  readonly msPerProof: number;
  readonly batch: number;
  /** Cores / (validators · ms per proof): the rate at which verification alone fills the machine. */
  readonly ceilingTps: number;
}

export async function verifyReference(
  transactions: readonly Uint8Array[],
  validators: number,
  batch = 20,
): Promise<VerifyReference> {
  await privacyReady();
  const items: WireVerificationItem[] = transactions.slice(0, 5 * batch).map((bytes) => {
    const { tx } = decodeTransaction(bytes);
    return { wire: tx.proof, publicInputs: transactPublicInputs(tx.statement) };
  });
  const pool = new BatchVerifierPool(VerifyingKey.fromSnarkjs(await loadVerifyingKeyJson()), { threads: 1 });
  await pool.start();
  try {
    let best = Number.POSITIVE_INFINITY;
    // The first round warms the worker; the best of the rest is the machine's speed, not its noise.
    for (let round = 0; round < 4; round++) {
      const started = performance.now();
      for (let i = 0; i < items.length; i += batch) {
        const result = await pool.verifyBatch(items.slice(i, i + batch));
        if (!result.valid) throw new Error(`reference batch at ${i} does not verify: stale fixtures?`);
      }
      if (round > 0) best = Math.min(best, (performance.now() - started) / items.length);
    }
    return { msPerProof: best, batch, ceilingTps: (availableParallelism() * 1000) / (validators * best) };
  } finally {
    await pool.stop();
  }
}
