import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadCircuitArtifacts } from '../artifacts.js';
import { randomField } from '../field.js';
import { rerandomizeProof } from '../proof/groth16-proof.js';
import { transactFixtures } from '../testing/index.js';
import { transactPublicInputs } from '../transact.js';
import { BatchVerifierPool, type WireVerificationItem } from './batch-pool.js';
import { VerifyingKey } from './verifying-key.js';

let pool: BatchVerifierPool;
let items: WireVerificationItem[];

beforeAll(async () => {
  const artifacts = await loadCircuitArtifacts();
  const base = await transactFixtures(8, artifacts);
  const key = VerifyingKey.fromSnarkjs(artifacts.verifyingKey);
  items = Array.from({ length: 32 }, (_, i) => {
    const b = base[i % 8]!;
    return {
      wire: rerandomizeProof(b.proof, key.delta).toWire(),
      publicInputs: transactPublicInputs(b.statement),
    };
  });
  pool = new BatchVerifierPool(key, { threads: 2 });
  await pool.start();
}, 600_000);
afterAll(async () => pool?.stop());

describe('batch verifier pool (worker threads)', () => {
  it('accepts a valid batch split across workers', async () => {
    expect(pool.size).toBe(2);
    expect(await pool.verifyBatch(items)).toEqual({ valid: true, invalid: [], rejected: [] });
    expect(await pool.verifyBatch(items.slice(0, 1))).toEqual({ valid: true, invalid: [], rejected: [] });
  });

  it('names a proof with wrong public inputs and one that does not decode', async () => {
    const batch = items.map((x) => ({ ...x }));
    batch[5] = { ...batch[5]!, publicInputs: [randomField(), ...batch[5]!.publicInputs.slice(1)] };
    const garbled = batch[20]!.wire.slice();
    garbled[0] = 9;
    batch[20] = { ...batch[20]!, wire: garbled };
    const result = await pool.verifyBatch(batch);
    expect(result.valid).toBe(false);
    expect(result.invalid).toEqual([5, 20]);
    expect(result.rejected).toEqual([{ index: 20, code: 'PROOF_UNKNOWN_SUITE' }]);
  });

  it('refuses work when stopped', async () => {
    const stopped = new BatchVerifierPool(
      VerifyingKey.fromSnarkjs((await loadCircuitArtifacts()).verifyingKey),
    );
    await expect(stopped.verifyBatch(items)).rejects.toMatchObject({ code: 'VERIFIER_NOT_STARTED' });
  });
});
