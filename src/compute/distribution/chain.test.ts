import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../../common/index.js';
import type { BlockSection } from '../../ledger/index.js';
import type { Field } from '../../privacy/index.js';
import { ComputeStore, Database } from '../../storage/index.js';
import { admitJob } from '../admission.js';
import { executeJob } from '../executor.js';
import { corruptedResult } from '../fault.js';
import { buildJob } from '../job/build.js';
import { encodeJob } from '../job/codec.js';
import { openOutput } from '../job/envelope.js';
import type { Job } from '../job/job.js';
import { jobId, jobIdBytes, jobIdHex } from '../job/job-id.js';
import { loadOwnershipVerifier, type OwnershipVerifier } from '../ownership/verifier.js';
import { decodeFinalRecord, encodeSignedResult } from '../record.js';
import type { SignedResult } from '../result.js';
import { Sandbox } from '../sandbox/sandbox.js';
import { assignedJobFixture, OUTPUT_SECRET, validatorSeed } from '../testing/index.js';
import {
  assignExecutors,
  assignmentSeed,
  executorX25519,
  executorX25519Secret,
  rankExecutors,
} from './assignment.js';
import { ComputeChain } from './chain.js';
import { currentExecutors } from './chain-state.js';
import { encodeJobEntry, JOBS_SECTION_KIND, RESULTS_SECTION_KIND } from './entries.js';
import { JobPool, ResultPool } from './pools.js';

/** A block's sections as the ledger hands them to `apply` (empty kinds left out). */
const sectionsOf = (jobs: readonly Uint8Array[], results: readonly Uint8Array[]): BlockSection[] => [
  ...(jobs.length ? [{ kind: JOBS_SECTION_KIND, entries: jobs }] : []),
  ...(results.length ? [{ kind: RESULTS_SECTION_KIND, entries: results }] : []),
];

import { COMPUTE_RETRY_BLOCKS } from './transitions.js';

const seeds = [0, 1, 2, 3].map(validatorSeed);
const validators = seeds.map((s) => ed25519.getPublicKey(s));
const seedOf = (key: Uint8Array) => seeds[validators.findIndex((v) => bytesToHex(v) === bytesToHex(key))]!;
const keysOf = (key: Uint8Array) => ({
  encryptionSecret: executorX25519Secret(seedOf(key)),
  signingSecret: seedOf(key),
});

let dir: string;
let db: Database;
let verifier: OwnershipVerifier;
const sandbox = new Sandbox();
const fixtures: Awaited<ReturnType<typeof assignedJobFixture>>[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paraloom-compute-chain-'));
  db = await Database.open(dir, { logger: pino({ level: 'silent' }) });
  verifier = await loadOwnershipVerifier();
  for (const v of [0, 1, 2]) fixtures.push(await assignedJobFixture(validators, v));
}, 120_000);
afterAll(async () => {
  verifier?.destroy();
  await sandbox.stop();
  await db?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function openChain(
  store?: ComputeStore,
  set: readonly Uint8Array[] = validators,
  roots: () => Field[] = () => fixtures.map((f) => f.root),
) {
  const s = store ?? (await ComputeStore.open(db));
  const jobs = new JobPool();
  const results = new ResultPool();
  const chain = await ComputeChain.open({
    store: s,
    verifier,
    validators: () => set,
    recentRoots: async () => new Set<Field>(roots()),
    jobs,
    results,
    logger: pino({ level: 'silent' }),
  });
  const exts = { jobs: chain.jobsExtension(), results: chain.resultsExtension() };
  /** One block as the ledger runs it: propose (leader), check (everyone), apply. */
  async function block(h: bigint, override?: { jobs?: Uint8Array[]; results?: Uint8Array[] }) {
    const j = override?.jobs ?? (await exts.jobs.propose(h)).slice();
    const r = override?.results ?? (await exts.results.propose(h)).slice();
    expect(await exts.jobs.check(h, j, 'proposal')).toBeUndefined();
    expect(await exts.results.check(h, r, 'proposal')).toBeUndefined();
    await exts.jobs.apply(h, j, sectionsOf(j, r));
    await exts.results.apply(h, r, sectionsOf(j, r));
    return { jobs: j, results: r };
  }
  return { chain, store: s, jobs, results, exts, block };
}

async function run(job: Job, key: Uint8Array): Promise<SignedResult> {
  return (await executeJob(job, keysOf(key), sandbox)).signed;
}

describe('assignment', () => {
  it('is deterministic and independent of the envelope', () => {
    const f = fixtures[0]!;
    const { job } = f;
    const other = buildJob(
      job,
      job.ownership,
      [x25519.getPublicKey(x25519.utils.randomSecretKey())],
      Uint8Array.of(1),
    );
    expect(bytesToHex(assignmentSeed(other.job))).toBe(bytesToHex(assignmentSeed(job)));
    expect(jobId(other.job)).not.toBe(jobId(job));
    const ranked = assignExecutors(job, validators);
    expect(ranked).toHaveLength(4);
    expect(assignExecutors(job, [...validators].reverse()).map(bytesToHex)).toEqual(ranked.map(bytesToHex));
    expect(rankExecutors(assignmentSeed(fixtures[1]!.job), validators).map(bytesToHex)).not.toEqual(
      ranked.map(bytesToHex),
    );
    // A validator's X25519 secret opens what was sealed to its derived public key.
    expect(bytesToHex(x25519.getPublicKey(executorX25519Secret(seeds[2]!)))).toBe(
      bytesToHex(executorX25519(validators[2]!)),
    );
  });

  it('admission refuses an envelope sealed to other executors or in another order', () => {
    const f = fixtures[0]!;
    const ranked = assignExecutors(f.job, validators);
    const swapped = [ranked[1]!, ranked[0]!, ...ranked.slice(2)];
    const wrong = buildJob(f.job, f.job.ownership, swapped.map(executorX25519), Uint8Array.of(1, 2));
    const ctx = { verifier, isKnownRoot: () => true, validators };
    expect(() => admitJob(encodeJobWithProof(wrong.job, f.job), ctx)).toThrowError(
      expect.objectContaining({ code: 'ASSIGNMENT_MISMATCH' }),
    );
    expect(admitJob(f.jobBytes, ctx).executors?.map(bytesToHex)).toEqual(ranked.map(bytesToHex));
  });
});

function encodeJobWithProof(job: Job, proven: Job): Uint8Array {
  return encodeJob({ ...job, proof: proven.proof });
}

describe('compute jobs and results through blocks', () => {
  it('admits a job, records results, finalizes the honest majority and penalises the faulty executor', async () => {
    const { chain, store, block, exts, results: pool } = await openChain();
    const f = fixtures[0]!;
    const id = jobId(f.job);
    expect((await chain.admit(f.jobBytes)).added).toBe(true);
    const b1 = await block(1n);
    expect(b1.jobs).toHaveLength(1);
    expect(chain.activeJobs().map((a) => jobIdHex(a.id))).toEqual([jobIdHex(id)]);
    await expect(chain.admit(f.jobBytes)).rejects.toMatchObject({ code: 'JOB_KNOWN' });

    const live = chain.activeJobs()[0]!.chain;
    const [a, b, faulty] = currentExecutors(live);
    const honestA = await run(f.job, a!);
    const honestB = await run(f.job, b!);
    const wrong = corruptedResult((await run(f.job, faulty!)).result, seedOf(faulty!));
    const outsider = assignExecutors(f.job, validators)[3]!;
    const notAssigned = corruptedResult(honestA.result, seedOf(outsider));
    const badSig = { ...honestB, signature: Uint8Array.from(honestB.signature).fill(7, 0, 4) };

    // Refusals a validator's check makes, each a reason for refusing the whole block.
    const check = (entries: SignedResult[]) =>
      exts.results.check(2n, entries.map(encodeSignedResult), 'proposal');
    expect(await check([notAssigned])).toMatch(/RESULT_NOT_ASSIGNED/);
    expect(await check([honestA, honestA])).toMatch(/RESULT_DUPLICATE/);
    expect(await check([badSig])).toMatch(/RESULT_BAD_SIGNATURE/);

    // Only two results pooled: the proposer lingers for the third (RESULT_LINGER_BLOCKS).
    expect(chain.offerResult(honestA)).toBe(true);
    expect(chain.offerResult(wrong)).toBe(true);
    expect(chain.offerResult(notAssigned)).toBe(false);
    expect((await block(2n)).results).toHaveLength(0);
    expect(chain.offerResult(honestB)).toBe(true);
    const b3 = await block(3n);
    expect(b3.results).toHaveLength(3);
    expect(pool.size).toBe(0);
    expect(chain.activeJobs()).toHaveLength(0);

    const record = decodeFinalRecord((await store.getResult(jobIdBytes(id)))!);
    expect(record.agreeing.map(bytesToHex).sort()).toEqual([a!, b!].map(bytesToHex).sort());
    expect(record.disagreeing.map(bytesToHex)).toEqual([bytesToHex(faulty!)]);
    expect(await store.faults(faulty!)).toBe(1n);
    expect(await store.faults(a!)).toBe(0n);
    const out = openOutput(record.result.result.outputCiphertext, jobIdBytes(id), OUTPUT_SECRET);
    expect(new DataView(out.buffer, out.byteOffset).getBigUint64(0, true)).toBe(
      12n + 30n + 7n + 1_000_000n + 41n,
    );

    // A result for the finished job is refused; replaying applied heights changes nothing.
    expect(await check([honestA])).toMatch(/RESULT_JOB_FINISHED/);
    const auditBefore = (await store.audit(0n, 100)).length;
    await exts.jobs.apply(1n, b1.jobs, sectionsOf(b1.jobs, []));
    await exts.results.apply(1n, [], sectionsOf(b1.jobs, []));
    await exts.jobs.apply(3n, [], sectionsOf([], b3.results));
    await exts.results.apply(3n, b3.results, sectionsOf([], b3.results));
    const reopened = await openChain(await ComputeStore.open(db));
    await reopened.exts.jobs.apply(3n, [], sectionsOf([], b3.results));
    await reopened.exts.results.apply(3n, b3.results, sectionsOf([], b3.results));
    expect((await store.audit(0n, 100)).length).toBe(auditBefore);
    expect(await store.faults(faulty!)).toBe(1n);
    expect(await reopened.exts.results.appliedHeight()).toBe(3n);
    expect((await reopened.chain.chainOf(jobIdHex(id)))?.status).toBe('final');
  }, 60_000);

  it('moves a silent attempt to the backups after the timeout, then fails the job', async () => {
    const { chain, store, block } = await openChain();
    const f = fixtures[1]!;
    let h = (await store.appliedHeight()) + 1n;
    await chain.admit(f.jobBytes);
    await block(h);
    const admittedAt = h;
    const first = chain.activeJobs()[0]!.chain;
    const ranked = first.ranked;
    // One executor answers; the other two stay silent.
    expect(chain.offerResult(await run(f.job, ranked[0]!))).toBe(true);
    for (h = h + 1n; h < admittedAt + COMPUTE_RETRY_BLOCKS; h++) await block(h);
    expect(chain.activeJobs()[0]!.chain.attempt).toBe(0);
    expect(chain.activeJobs()[0]!.chain.results).toHaveLength(1);
    await block(h); // admittedAt + T: the retry
    const second = chain.activeJobs()[0]!.chain;
    expect(second.attempt).toBe(1);
    // Four validators: one backup, replacing the first silent executor in rank order.
    expect(currentExecutors(second).map(bytesToHex)).toEqual(
      [ranked[0], ranked[2], ranked[3]].map((k) => bytesToHex(k!)),
    );
    expect(await store.faults(ranked[1]!)).toBe(1n);
    expect(await store.faults(ranked[2]!)).toBe(1n);
    expect(await store.faults(ranked[0]!)).toBe(0n);
    // The replaced executor can no longer add a result.
    expect(chain.offerResult(await run(f.job, ranked[1]!))).toBe(false);
    const retryAt = h;
    for (h = h + 1n; h <= retryAt + COMPUTE_RETRY_BLOCKS; h++) await block(h);
    expect(chain.activeJobs()).toHaveLength(0);
    expect((await chain.chainOf(jobIdHex(jobId(f.job))))?.status).toBe('failed');
    expect(await store.faults(ranked[2]!)).toBe(2n);
    expect(await store.getResult(jobIdBytes(jobId(f.job)))).toBeUndefined();
  }, 60_000);

  it('check refuses job entries the chain would not admit', async () => {
    const { exts } = await openChain();
    const f = fixtures[2]!;
    const ranked = assignExecutors(f.job, validators);
    const h = 1000n;
    const entry = (r: readonly Uint8Array[], bytes = f.jobBytes) =>
      encodeJobEntry({ ranked: r, jobBytes: bytes });
    const check = (entries: Uint8Array[]) => exts.jobs.check(h, entries, 'proposal');
    expect(await check([entry(ranked)])).toBeUndefined();
    // The entry's executor list must be the ranking (the envelope is right, the list is not).
    expect(await check([entry([ranked[1]!, ranked[0]!, ...ranked.slice(2)])])).toMatch(/ASSIGNMENT_MISMATCH/);
    expect(await check([entry(ranked), entry(ranked)])).toMatch(/JOB_KNOWN/);
    expect(await check([entry(ranked), entry(ranked), entry(ranked)])).toMatch(/more than 2 jobs/);
    // Jobs a block already admitted (earlier tests), a proof bound to another job, a garbled entry.
    expect(
      await check([entry(assignExecutors(fixtures[0]!.job, validators), fixtures[0]!.jobBytes)]),
    ).toMatch(/JOB_KNOWN/);
    const otherFee = encodeJob({ ...f.job, fee: f.job.fee + 1n });
    expect(
      await check([entry(assignExecutors({ ...f.job, fee: f.job.fee + 1n }, validators), otherFee)]),
    ).toMatch(/ASSIGNMENT_MISMATCH|OWNERSHIP_INVALID/);
    expect(await check([Uint8Array.of(9, 9)])).toMatch(/JOB_MALFORMED/);
    // Another validator set at that height: the envelope no longer matches its ranking.
    const otherSet = [...validators.slice(0, 3), ed25519.getPublicKey(validatorSeed(9))];
    const elsewhere = await openChain(undefined, otherSet);
    expect(await elsewhere.exts.jobs.check(h, [entry(ranked)], 'proposal')).toMatch(/ASSIGNMENT_MISMATCH/);
    // A root that left the window.
    const stale = await openChain(undefined, validators, () => []);
    expect(await stale.exts.jobs.check(h, [entry(ranked)], 'final')).toMatch(/OWNERSHIP_ROOT_UNKNOWN/);
    // Ingress admission refuses the same things with typed errors.
    await expect(stale.chain.admit(f.jobBytes)).rejects.toMatchObject({ code: 'OWNERSHIP_ROOT_UNKNOWN' });
    await expect(elsewhere.chain.admit(f.jobBytes)).rejects.toMatchObject({ code: 'ASSIGNMENT_MISMATCH' });
  }, 60_000);
});
