import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes } from '../../common/index.js';
import { ComputeError } from '../errors.js';
import { encodeParams } from '../job/codec.js';
import type { Job } from '../job/job.js';
import { MAX_EXECUTORS } from '../limits.js';

// Deterministic assignment (docs/protocol.md §Compute jobs, "Distribution"). The seed cannot be the
// job id: the id covers the input envelope, which names the executors. It covers everything else a
// job fixes before the envelope is sealed (module, limits, fee, output key, ownership statement), so
// the submitter can compute its executors first and every validator can recompute them from the job.

const ASSIGN_DOMAIN = new TextEncoder().encode('paraloom/v1/compute-assign');

/** Executors per attempt: min(COMPUTE_K, n). k = 3 tolerates one faulty executor (2f + 1). */
export const COMPUTE_K = 3;

/** Executors of one attempt for a validator set of n. */
export function executorsPerAttempt(n: number): number {
  return Math.min(COMPUTE_K, n);
}

/** Ranked executors a job's envelope must name: the k of attempt 0, then up to k backups. */
export function rankedCount(n: number): number {
  return Math.min(n, 2 * executorsPerAttempt(n), MAX_EXECUTORS);
}

/** The parts of a job the assignment depends on: everything but the envelope and the proof. */
export type AssignmentParams = Omit<Job, 'input' | 'proof'>;

/** SHA-256("paraloom/v1/compute-assign" | params with an empty executor list). */
export function assignmentSeed(job: AssignmentParams): Uint8Array {
  return sha256(concatBytes(ASSIGN_DOMAIN, encodeParams({ ...job, input: { executors: [] } })));
}

/**
 * The validator set's Ed25519 keys ranked for a seed: by SHA-256(seed | key), ties (impossible in
 * practice) by key. Duplicates and malformed keys are refused: the set comes from the chain.
 */
export function rankExecutors(seed: Uint8Array, validators: readonly Uint8Array[]): Uint8Array[] {
  const seen = new Set<string>();
  const scored = validators.map((key) => {
    const hex = bytesToHex(key);
    if (key.length !== 32 || seen.has(hex)) {
      throw new ComputeError('ASSIGNMENT_INVALID', 'validator keys must be distinct 32-byte keys');
    }
    seen.add(hex);
    return { key: Uint8Array.from(key), score: bytesToHex(sha256(concatBytes(seed, key))), hex };
  });
  scored.sort((a, b) => (a.score < b.score ? -1 : a.score > b.score ? 1 : a.hex < b.hex ? -1 : 1));
  return scored.map((s) => s.key);
}

/** The ranked Ed25519 keys a job's envelope must be sealed to, first attempt first. */
export function assignExecutors(job: AssignmentParams, validators: readonly Uint8Array[]): Uint8Array[] {
  if (validators.length === 0) throw new ComputeError('ASSIGNMENT_INVALID', 'the validator set is empty');
  return rankExecutors(assignmentSeed(job), validators).slice(0, rankedCount(validators.length));
}

/** An executor's X25519 encryption key, derived from its Ed25519 validator key (birational map). */
export function executorX25519(validatorKey: Uint8Array): Uint8Array {
  try {
    return ed25519.utils.toMontgomery(validatorKey);
  } catch (e) {
    throw new ComputeError('ASSIGNMENT_INVALID', 'not an Ed25519 public key', {}, { cause: e });
  }
}

/** The X25519 secret matching executorX25519(public key of `seed`), from the validator's 32-byte seed. */
export function executorX25519Secret(validatorSeed: Uint8Array): Uint8Array {
  return ed25519.utils.toMontgomerySecret(validatorSeed);
}
