import { bytesEqual } from '../common/index.js';
import type { Field } from '../privacy/index.js';
import { assignExecutors, executorX25519 } from './distribution/assignment.js';
import { ComputeError } from './errors.js';
import { decodeJob } from './job/codec.js';
import type { Job } from './job/job.js';
import { jobId } from './job/job-id.js';
import type { OwnershipVerifier } from './ownership/verifier.js';
import { parseAndValidate } from './wasm/validate.js';

export interface AdmissionContext {
  readonly verifier: Pick<OwnershipVerifier, 'verify'>;
  /** True for commitment-tree roots recent enough to back a job (the L2's root history). */
  readonly isKnownRoot: (root: Field) => boolean;
  /**
   * True when a job with this (scope, tag) was already admitted: one note backs one job per scope.
   * Optional until the distribution layer keeps the index; without it every tag is accepted.
   */
  readonly isTagUsed?: (scope: Field, tag: Field) => boolean;
  /**
   * Ed25519 keys of the validator set the job is assigned from. When given, the envelope must be
   * sealed to exactly the ranked executors (assignExecutors), in rank order [ASSIGNMENT_MISMATCH].
   */
  readonly validators?: readonly Uint8Array[];
}

export interface AdmittedJob {
  readonly job: Job;
  readonly jobId: Field;
  /** The ranked executors' Ed25519 keys, when admission checked the assignment. */
  readonly executors?: readonly Uint8Array[];
}

/** The ranked executors' Ed25519 keys, or ASSIGNMENT_MISMATCH when the envelope names others. */
export function checkAssignment(job: Job, validators: readonly Uint8Array[]): Uint8Array[] {
  const ranked = assignExecutors(job, validators);
  const named = job.input.executors;
  if (
    named.length !== ranked.length ||
    ranked.some((key, i) => !bytesEqual(executorX25519(key), named[i]!))
  ) {
    throw new ComputeError(
      'ASSIGNMENT_MISMATCH',
      'the input is not sealed to the executors the validator set assigns to this job',
      { expected: ranked.length, named: named.length },
    );
  }
  return ranked;
}

/**
 * What a validator checks before it accepts a job: the codec and its caps, the module (validated,
 * nothing run), and the ownership proof against the job id it derives itself. The cheap checks go
 * first so a flood of malformed jobs costs no pairings.
 */
export function admitJob(bytes: Uint8Array, ctx: AdmissionContext): AdmittedJob {
  const job = decodeJob(bytes);
  parseAndValidate(job.wasm, { memoryPages: job.memoryPages }).dispose();
  const executors = ctx.validators ? checkAssignment(job, ctx.validators) : undefined;
  if (!job.proof) throw new ComputeError('OWNERSHIP_MISSING', 'job carries no ownership proof');
  if (!ctx.isKnownRoot(job.ownership.root)) {
    throw new ComputeError('OWNERSHIP_ROOT_UNKNOWN', 'ownership proof is against an unknown or stale root');
  }
  if (ctx.isTagUsed?.(job.ownership.scope, job.ownership.tag)) {
    throw new ComputeError('OWNERSHIP_TAG_REUSED', 'this note already backs a job in this scope');
  }
  const id = jobId(job);
  const statement = { ...job.ownership, jobId: id };
  if (!ctx.verifier.verify(job.proof, statement)) {
    throw new ComputeError('OWNERSHIP_INVALID', 'ownership proof does not verify for this job');
  }
  return executors ? { job, jobId: id, executors } : { job, jobId: id };
}
