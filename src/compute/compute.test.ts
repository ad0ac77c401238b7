import { ed25519 } from '@noble/curves/ed25519.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../common/index.js';
import {
  admitJob,
  ComputeError,
  type ComputeErrorCode,
  encodeJob,
  executeJob,
  jobId,
  jobIdBytes,
  loadOwnershipVerifier,
  type OwnershipVerifier,
  openOutput,
  Sandbox,
  type SignedResult,
  signResult,
  tallyResults,
} from './index.js';
import {
  type ComputeFixture,
  executorId,
  executorKeys,
  meanJobFixture,
  OUTPUT_SECRET,
} from './testing/index.js';

let fixture: ComputeFixture;
let verifier: OwnershipVerifier;
const sandboxes = [new Sandbox(), new Sandbox(), new Sandbox()];

beforeAll(async () => {
  fixture = await meanJobFixture(3);
  verifier = await loadOwnershipVerifier();
});
afterAll(async () => {
  verifier?.destroy();
  await Promise.all(sandboxes.map((s) => s.stop()));
});

function refusal(bytes: Uint8Array, known = true): ComputeErrorCode | undefined {
  try {
    admitJob(bytes, { verifier, isKnownRoot: (r) => known && r === fixture.root });
    return undefined;
  } catch (e) {
    expect(e).toBeInstanceOf(ComputeError);
    return (e as ComputeError).code;
  }
}

describe('job admission (ownership proof)', () => {
  it('accepts a job with a valid ownership proof', () => {
    expect(refusal(fixture.jobBytes)).toBeUndefined();
  });
  it('refuses a job without a proof', () => {
    expect(refusal(encodeJob({ ...fixture.job, proof: undefined }))).toBe('OWNERSHIP_MISSING');
  });
  it('refuses a proof made for another job', () => {
    // Same proof, different fee: the derived job id changes, so the proof no longer verifies.
    expect(refusal(encodeJob({ ...fixture.job, fee: fixture.job.fee + 1n }))).toBe('OWNERSHIP_INVALID');
  });
  it('refuses a proof with a tampered tag, and one against an unknown root', () => {
    const tag = fixture.job.ownership.tag;
    const other = { ...fixture.job.ownership, tag: ((tag + 1n) % 2n ** 250n) as typeof tag };
    expect(refusal(encodeJob({ ...fixture.job, ownership: other }))).toBe('OWNERSHIP_INVALID');
    expect(refusal(fixture.jobBytes, false)).toBe('OWNERSHIP_ROOT_UNKNOWN');
  });
  it('refuses a second job backed by the same note in the same scope', () => {
    const used = new Set<string>();
    const ctx = {
      verifier,
      isKnownRoot: (r: bigint) => r === fixture.root,
      isTagUsed: (scope: bigint, tag: bigint) => used.has(`${scope}:${tag}`),
    };
    const { job } = admitJob(fixture.jobBytes, ctx);
    used.add(`${job.ownership.scope}:${job.ownership.tag}`);
    expect(() => admitJob(fixture.jobBytes, ctx)).toThrowError(
      expect.objectContaining({ code: 'OWNERSHIP_TAG_REUSED' }),
    );
  });
});

describe('execution and agreement', () => {
  let signed: SignedResult[];

  beforeAll(async () => {
    const runs = await Promise.all(
      [0, 1, 2].map((i) => executeJob(fixture.job, executorKeys(i), sandboxes[i]!)),
    );
    signed = runs.map((r) => r.signed);
  });

  it('every executor reaches byte-identical results and fuel, and the owner decrypts the output', () => {
    const [a, b, c] = signed;
    for (const s of [b!, c!]) {
      expect(bytesToHex(s.commitment)).toBe(bytesToHex(a!.commitment));
      expect(bytesToHex(s.result.outputCiphertext)).toBe(bytesToHex(a!.result.outputCiphertext));
      expect(s.result.fuelUsed).toBe(a!.result.fuelUsed);
    }
    expect(a!.result.status).toBe('ok');
    const out = openOutput(a!.result.outputCiphertext, jobIdBytes(jobId(fixture.job)), OUTPUT_SECRET);
    const view = new DataView(out.buffer, out.byteOffset);
    const sum = 12n + 30n + 7n + 1_000_000n + 41n;
    expect([view.getBigUint64(0, true), view.getBigUint64(8, true), view.getBigUint64(16, true)]).toEqual([
      sum,
      5n,
      sum / 5n,
    ]);
  });

  it('with one faulty executor of three, the honest result wins and the faulty one is named', () => {
    const id = jobId(fixture.job);
    const honest = signed[0]!.result;
    const forged = signResult({ ...honest, fuelUsed: honest.fuelUsed + 1n }, executorKeys(1).signingSecret);
    const outcome = tallyResults({
      jobId: id,
      assigned: [0, 1, 2].map(executorId),
      results: [forged, signed[0]!, signed[2]!],
    });
    expect(outcome.final && bytesToHex(outcome.final.commitment)).toBe(bytesToHex(signed[0]!.commitment));
    expect(outcome.disagreeing).toEqual([bytesToHex(executorId(1))]);
    expect([...outcome.agreeing].sort()).toEqual([executorId(0), executorId(2)].map(bytesToHex).sort());
  });

  it('rejects results from non-assigned executors, duplicates, late results and bad signatures', () => {
    const id = jobId(fixture.job);
    const outsider = signResult(signed[0]!.result, ed25519.utils.randomSecretKey());
    const tampered = { ...signed[2]!, signature: new Uint8Array(64) };
    const outcome = tallyResults({
      jobId: id,
      assigned: [0, 1, 2].map(executorId),
      results: [outsider, signed[0]!, tampered, signed[0]!, signed[1]!, signed[2]!],
    });
    expect(outcome.rejected).toEqual([
      { index: 0, code: 'RESULT_NOT_ASSIGNED' },
      { index: 2, code: 'RESULT_BAD_SIGNATURE' },
      { index: 3, code: 'RESULT_DUPLICATE' },
      { index: 5, code: 'RESULT_JOB_FINISHED' },
    ]);
    expect(outcome.final).toBeDefined();
  });

  it('is not final without a majority, and names the silent executors', () => {
    const outcome = tallyResults({
      jobId: jobId(fixture.job),
      assigned: [0, 1, 2].map(executorId),
      results: [signed[0]!],
    });
    expect(outcome.final).toBeUndefined();
    expect([...outcome.silent].sort()).toEqual([executorId(1), executorId(2)].map(bytesToHex).sort());
  });

  it('refuses to run for a key that is not among the executors', async () => {
    const err = await executeJob(fixture.job, executorKeys(7), sandboxes[0]!).catch((e: unknown) => e);
    expect((err as ComputeError).code).toBe('NOT_AN_EXECUTOR');
  });
});
