/**
 * Private compute end to end, as users and operators run it, on the cohort the multi-process tests
 * share (test/helpers/shared-cohort.ts: `paraloom localnet` and four `paraloom node` validators, one
 * of them started with PARALOOM_FAULT_COMPUTE_WRONG_OUTPUT=1). Other files act on the same cohort
 * meanwhile, so fault counts are measured before and after this file's job.
 * A wallet deposits a note, `paraloom compute submit` builds the mean job for the executors the
 * validator set assigns (the scope is chosen so the faulty validator is one of the k), the job and
 * its results go through blocks, the honest majority is final, `paraloom compute result` decrypts
 * the mean, and the status names the faulty executor as disagreeing with one agreed fault. Jobs with
 * a bad ownership proof, a wrong executor list or an oversized body are refused with typed errors.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { x25519 } from '@noble/curves/ed25519.js';
import { address, getAddressEncoder } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BridgeRpc } from '../src/bridge/index.js';
import { bytesToHex, createLogger, hexToBytes } from '../src/common/index.js';
import {
  assignExecutors,
  buildJob,
  COMPUTE_K,
  encodeInput,
  encodeJob,
  executorX25519,
  loadJobDir,
  ownershipTag,
  withProof,
} from '../src/compute/index.js';
import { meanJobFixture } from '../src/compute/testing/index.js';
import { runParaloomOk } from '../src/devnet/index.js';
import { parsePrometheusText } from '../src/health/testing/index.js';
import { diversifiedKey, type Field, NATIVE_ASSET, toField } from '../src/privacy/index.js';
import { generateKeypair, writeKeypairFile } from '../src/validator/index.js';
import { IngressClient, Wallet } from '../src/wallet/index.js';
import { until } from './helpers/paraloom-child.js';
import { FAULTY_EXECUTOR, type SharedCohort, sharedCohort } from './helpers/shared-cohort.js';

const SOL = 1_000_000_000n;
const FAULTY = FAULTY_EXECUTOR;
const JOB_DIR = 'examples/compute/mean';
const logger = createLogger('test', 'silent');

describe('private compute on a four-validator cohort (multi-process)', () => {
  let dir: string;
  let cohort: SharedCohort;
  let ingress: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paraloom-compute-cohort-'));
    cohort = await sharedCohort();
    ingress = cohort.validators[0]!.ingress;
  }, 300_000);

  afterAll(async () => {
    // The cohort is the run's: its global teardown stops it and keeps the validators' logs
    // (test-artifacts/shared-cohort/).
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('runs a job on the assigned executors, finalizes the honest result and penalises the faulty one', async () => {
    const rpc = new BridgeRpc({ rpcUrl: cohort.rpcUrl, logger });
    const wallet = join(dir, 'wallet');
    const common = ['--wallet', wallet, '--ingress', ingress, '--json'];
    await runParaloomOk(['wallet', 'new', '--wallet', wallet, '--json']);
    const payerFile = join(dir, 'payer.json');
    const kp = generateKeypair();
    await writeKeypairFile(payerFile, kp);
    await rpc.airdrop(kp.address, 2n * SOL);
    await runParaloomOk([
      'wallet',
      'deposit',
      '--amount',
      '1',
      '--payer',
      payerFile,
      '--rpc',
      cohort.rpcUrl,
      ...common,
    ]);
    await until(
      'the deposit spendable',
      async () => {
        const b = await runParaloomOk(['wallet', 'balance', ...common]);
        return (JSON.parse(b.stdout.at(-1)!) as { spendable: string }).spendable === `${SOL}`
          ? true
          : undefined;
      },
      90_000,
    );

    // The executors the node advertises are the validators' keys with their derived X25519 keys.
    const executors = (await (await fetch(`${ingress}/v1/compute/executors`)).json()) as {
      k: number;
      validators: { ed25519: string; x25519: string }[];
    };
    expect(executors.k).toBe(COMPUTE_K);
    const keyOf = (i: number) =>
      bytesToHex(Uint8Array.from(getAddressEncoder().encode(address(cohort.validators[i]!.address))));
    expect(executors.validators.map((v) => v.ed25519).sort()).toEqual([0, 1, 2, 3].map(keyOf).sort());
    for (const v of executors.validators)
      expect(bytesToHex(executorX25519(hexToBytes(v.ed25519)))).toBe(v.x25519);
    const validators = executors.validators.map((v) => hexToBytes(v.ed25519));

    // Pick the scope whose assignment puts the faulty validator among the k (deterministic search:
    // the assignment is a function of the job, the note's root included).
    const w = Wallet.open(wallet);
    const client = new IngressClient(ingress);
    await w.sync(client);
    const owned = w.store.unspent(NATIVE_ASSET)[0]!;
    const rootNow = async () => (await client.path(owned.leafIndex)).root;
    const note = {
      amount: owned.amount,
      pkD: diversifiedKey(w.keys.ak, owned.diversifier),
      blinding: owned.blinding,
      asset: owned.asset,
    };
    const keyFile = join(dir, 'output.key');
    const outputSecret = x25519.utils.randomSecretKey();
    await writeFile(keyFile, `${bytesToHex(outputSecret)}\n`, { mode: 0o600 });
    const { manifest, wasm } = await loadJobDir(JOB_DIR);
    const spec = {
      wasm,
      fuelLimit: manifest.fuelLimit,
      memoryPages: manifest.memoryPages,
      outputCap: manifest.outputCap,
      fee: manifest.fee,
      outputKey: x25519.getPublicKey(outputSecret),
    };
    const assignment = (scope: bigint, root: Field) => {
      const ownership = {
        root,
        scope: toField(scope),
        minAmount: 0n,
        tag: ownershipTag(w.keys.sk, note, toField(scope)),
      };
      return { ownership, ranked: assignExecutors({ ...spec, ownership }, validators) };
    };
    const faultyScope = (root: Field, from: bigint) => {
      let scope = from;
      while (
        !assignment(scope, root)
          .ranked.slice(0, COMPUTE_K)
          .some((k) => bytesToHex(k) === keyOf(FAULTY))
      )
        scope++;
      return scope;
    };
    const root0 = await rootNow();
    let scope = faultyScope(root0, 1n);

    // Refusals first (they leave the note's tag unused): a proof for another statement, a job
    // sealed to the wrong executors, an oversized body.
    const { ownership, ranked } = assignment(scope, root0);
    const post = (body: Uint8Array) =>
      fetch(`${ingress}/v1/compute/jobs`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/octet-stream' },
      });
    const foreignProof = (await meanJobFixture(3)).job.proof!;
    const forged = buildJob(spec, ownership, ranked.map(executorX25519), encodeInput(manifest.input));
    const badProof = await post(encodeJob(withProof(forged.job, foreignProof)));
    expect(badProof.status).toBe(400);
    expect(((await badProof.json()) as { error: { code: string } }).error.code).toBe('OWNERSHIP_INVALID');
    const reversed = buildJob(spec, ownership, [...ranked].reverse().map(executorX25519), Uint8Array.of(1));
    const wrongExecutors = await post(encodeJob(withProof(reversed.job, foreignProof)));
    expect(wrongExecutors.status).toBe(400);
    expect(((await wrongExecutors.json()) as { error: { code: string } }).error.code).toBe(
      'ASSIGNMENT_MISMATCH',
    );
    const oversized = await post(new Uint8Array(300 * 1024));
    expect(oversized.status).toBe(413);

    // The faulty executor's agreed faults on every validator before this job (other files' jobs may add theirs).
    const faultsOn = async (health: string) => {
      const families = parsePrometheusText(await (await fetch(`${health}/metrics`)).text());
      const faults = families.get('paraloom_compute_executor_faults')?.samples ?? [];
      return faults.find((f) => f.labels.executor === keyOf(FAULTY))?.value ?? 0;
    };
    const faultsBefore = await Promise.all(cohort.validators.map((v) => faultsOn(v.health)));

    // Submit through the CLI, wait until final. The CLI reads the note's root when it submits: if
    // another file's deposit moved the root since the search, the assignment moved with it, so the
    // job may run without the faulty executor; then search again from the new root.
    type Submitted = { id: string; executors: string[]; keyCreated: boolean };
    const submit = async (at: bigint) =>
      JSON.parse(
        (
          await runParaloomOk(['compute', 'submit', JOB_DIR, '--scope', `${at}`, '--key', keyFile, ...common])
        ).stdout.at(-1)!,
      ) as Submitted;
    let submitted = await submit(scope);
    for (let attempt = 2; !submitted.executors.includes(keyOf(FAULTY)) && attempt <= 3; attempt++) {
      scope = faultyScope(await rootNow(), scope + 1n);
      submitted = await submit(scope);
    }
    expect(submitted.keyCreated).toBe(false);
    expect(submitted.executors).toContain(keyOf(FAULTY));
    type Status = {
      state: string;
      executors: string[];
      faults: Record<string, string>;
      final: { status: string; agreeing: string[]; disagreeing: string[] } | null;
    };
    const status = await until(
      'the job final',
      async () => {
        const r = await fetch(`${ingress}/v1/compute/jobs/${submitted.id}`);
        const s = r.ok ? ((await r.json()) as Status) : undefined;
        return s?.state === 'final' ? s : undefined;
      },
      120_000,
    );
    expect(status.final?.status).toBe('ok');
    expect(status.executors).toContain(keyOf(FAULTY));
    expect(status.final?.agreeing).toHaveLength(2);
    expect(status.final?.agreeing).not.toContain(keyOf(FAULTY));
    expect(status.final?.disagreeing).toEqual([keyOf(FAULTY)]);
    expect(status.faults[keyOf(FAULTY)]).toBe(String(faultsBefore[0]! + 1));

    // Every validator recorded the same verdict; the CLI decrypts the mean.
    for (const v of cohort.validators) {
      const s = (await (await fetch(`${v.ingress}/v1/compute/jobs/${submitted.id}`)).json()) as Status;
      expect(s.final?.disagreeing).toEqual([keyOf(FAULTY)]);
    }
    const result = JSON.parse(
      (
        await runParaloomOk([
          'compute',
          'result',
          submitted.id,
          '--ingress',
          ingress,
          '--key',
          keyFile,
          '--json',
        ])
      ).stdout.at(-1)!,
    ) as { status: string; u64: string[] };
    const values = [12n, 30n, 7n, 1_000_000n, 41n];
    const sum = values.reduce((a, b) => a + b, 0n);
    expect(result.status).toBe('ok');
    expect(result.u64.slice(0, 3)).toEqual([`${sum}`, `${values.length}`, `${sum / BigInt(values.length)}`]);

    // The job's agreed fault is on every validator's /metrics.
    for (const v of cohort.validators) expect(await faultsOn(v.health)).toBe(faultsBefore[v.index]! + 1);

    // The same note cannot back a second job in the same scope (sealed to the executors the job's
    // current root assigns, so only the reused tag refuses it).
    const reuse = assignment(scope, await rootNow());
    const reused = buildJob(
      spec,
      reuse.ownership,
      reuse.ranked.map(executorX25519),
      encodeInput(manifest.input),
    );
    const again = await post(encodeJob(withProof(reused.job, foreignProof)));
    expect(again.status).toBe(409);
  }, 240_000);
});
