import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '../../common/index.js';
import {
  deriveWalletKeys,
  type Field,
  generateWalletKeys,
  loadCircuitArtifacts,
  MemoryTreeStorage,
  MerkleTree,
  noteCommitment,
  privacyReady,
  randomField,
  shutdownProver,
  toField,
} from '../../privacy/index.js';
import {
  assignExecutors,
  buildJob,
  decodeJob,
  type ExecutorKeys,
  encodeJob,
  executorEncryptionKey,
  executorX25519,
  type Job,
  OWNERSHIP_DEV_KEYS_DIR,
  ownershipTag,
  proveOwnership,
  watToWasm,
  withProof,
} from '../index.js';
import { MEAN_WAT, u64Vector } from './jobs.js';

// A real ownership proof costs ~1 s on 2 cores; it is bound to the exact job bytes (the job id
// covers the randomly encrypted input), so the whole job is cached under .cache/fixtures, keyed
// by the proving key's hash like the transact fixtures.

const CACHE_DIR = fileURLToPath(new URL('../../../.cache/fixtures/', import.meta.url));

/** Deterministic test keys: executor i, the submitter's output key, the note owner. */
export function executorKeys(i: number): ExecutorKeys {
  const seed = (label: string) => sha256(new TextEncoder().encode(`paraloom test compute ${label} ${i}`));
  return { encryptionSecret: seed('x25519'), signingSecret: seed('ed25519') };
}
export function executorId(i: number): Uint8Array {
  return ed25519.getPublicKey(executorKeys(i).signingSecret);
}
export const OUTPUT_SECRET = sha256(new TextEncoder().encode('paraloom test compute output'));
export const MEAN_INPUT = u64Vector([12n, 30n, 7n, 1_000_000n, 41n]);

export interface ComputeFixture {
  readonly job: Job;
  readonly jobBytes: Uint8Array;
  readonly root: Field;
}

export async function meanJobFixture(executors = 3): Promise<ComputeFixture> {
  await privacyReady();
  const artifacts = await loadCircuitArtifacts(OWNERSHIP_DEV_KEYS_DIR, 'ownership');
  const keyHash = createHash('sha256').update(artifacts.zkey).digest('hex').slice(0, 16);
  const file = `${CACHE_DIR}ownership-mean-${keyHash}-${executors}.json`;
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { job: string; root: string };
    const jobBytes = hexToBytes(cached.job);
    return { job: decodeJob(jobBytes), jobBytes, root: toField(BigInt(cached.root)) };
  } catch {
    // not cached yet
  }
  const owner = generateWalletKeys();
  const note = { amount: 5_000_000_000n, pkD: owner.pkD0, blinding: randomField(), asset: toField(0n) };
  const tree = await MerkleTree.open(new MemoryTreeStorage());
  await tree.append(randomField());
  const leafIndex = await tree.append(noteCommitment(note));
  const path = await tree.path(leafIndex);
  const scope = toField(42n);
  const ownership = {
    root: tree.root,
    scope,
    minAmount: 1_000_000_000n,
    tag: ownershipTag(owner.sk, note, scope),
  };
  const spec = {
    wasm: watToWasm(MEAN_WAT),
    fuelLimit: 1_000_000n,
    memoryPages: 16,
    outputCap: 64,
    fee: 10_000n,
    outputKey: x25519.getPublicKey(OUTPUT_SECRET),
  };
  const execs = Array.from({ length: executors }, (_, i) => executorEncryptionKey(executorKeys(i)));
  const { job, jobId } = buildJob(spec, ownership, execs, MEAN_INPUT);
  const { proof } = await proveOwnership(
    {
      sk: owner.sk,
      diversifier: owner.d0,
      note,
      path,
      root: tree.root,
      jobId,
      scope,
      minAmount: ownership.minAmount,
    },
    artifacts,
  );
  await shutdownProver();
  const proven = withProof(job, proof);
  const jobBytes = encodeJob(proven);
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ job: bytesToHex(jobBytes), root: tree.root.toString() }));
  renameSync(tmp, file);
  return { job: proven, jobBytes, root: tree.root };
}

/** Deterministic validator Ed25519 seeds for the distribution tests. */
export function validatorSeed(i: number): Uint8Array {
  return sha256(new TextEncoder().encode(`paraloom test compute validator ${i}`));
}

export interface AssignedJobFixture {
  readonly job: Job;
  readonly jobBytes: Uint8Array;
  readonly root: Field;
}

/**
 * A proven mean job sealed to the executors `validators` (Ed25519 keys) assign it, for the
 * distribution tests. `variant` changes the scope (so the tag) and thus the job and its ranking.
 * Cached like meanJobFixture.
 */
export async function assignedJobFixture(
  validators: readonly Uint8Array[],
  variant: number,
): Promise<AssignedJobFixture> {
  await privacyReady();
  const artifacts = await loadCircuitArtifacts(OWNERSHIP_DEV_KEYS_DIR, 'ownership');
  const keyHash = createHash('sha256').update(artifacts.zkey).digest('hex').slice(0, 16);
  const setHash = createHash('sha256')
    .update(Buffer.concat(validators.map((v) => Buffer.from(v))))
    .digest('hex')
    .slice(0, 12);
  const file = `${CACHE_DIR}ownership-assigned-${keyHash}-${setHash}-${variant}.json`;
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as { job: string; root: string };
    const jobBytes = hexToBytes(cached.job);
    return { job: decodeJob(jobBytes), jobBytes, root: toField(BigInt(cached.root)) };
  } catch {
    // not cached yet
  }
  const owner = deriveWalletKeys(new Uint8Array(64).fill(0x6f));
  const note = { amount: 5_000_000_000n, pkD: owner.pkD0, blinding: toField(7n), asset: toField(0n) };
  const tree = await MerkleTree.open(new MemoryTreeStorage());
  await tree.append(toField(1n));
  const leafIndex = await tree.append(noteCommitment(note));
  const path = await tree.path(leafIndex);
  const scope = toField(BigInt(1000 + variant));
  const ownership = {
    root: tree.root,
    scope,
    minAmount: 1_000_000_000n,
    tag: ownershipTag(owner.sk, note, scope),
  };
  const spec = {
    wasm: watToWasm(MEAN_WAT),
    fuelLimit: 1_000_000n,
    memoryPages: 16,
    outputCap: 64,
    fee: 10_000n,
    outputKey: x25519.getPublicKey(OUTPUT_SECRET),
  };
  const ranked = assignExecutors({ ...spec, ownership }, validators);
  const { job, jobId } = buildJob(spec, ownership, ranked.map(executorX25519), MEAN_INPUT);
  const { proof } = await proveOwnership(
    {
      sk: owner.sk,
      diversifier: owner.d0,
      note,
      path,
      root: tree.root,
      jobId,
      scope,
      minAmount: ownership.minAmount,
    },
    artifacts,
  );
  await shutdownProver();
  const proven = withProof(job, proof);
  const jobBytes = encodeJob(proven);
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify({ job: bytesToHex(jobBytes), root: tree.root.toString() }));
  renameSync(tmp, file);
  return { job: proven, jobBytes, root: tree.root };
}
