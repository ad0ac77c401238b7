import type { Field } from '../privacy/index.js';
import { ComputeError } from './errors.js';
import { decodeJob } from './job/codec.js';
import type { Job } from './job/job.js';
import { jobId } from './job/job-id.js';
import type { OwnershipVerifier } from './ownership/verifier.js';
import { parseAndValidate } from './wasm/validate.js';

export interface AdmissionContext {
  readonly verifier: OwnershipVerifier;
  /** True for commitment-tree roots recent enough to back a job (the L2's root history). */
  readonly isKnownRoot: (root: Field) => boolean;
  /**
   * True when a job with this (scope, tag) was already admitted: one note backs one job per scope.
   * Optional until the distribution layer keeps the index; without it every tag is accepted.
   */
  readonly isTagUsed?: (scope: Field, tag: Field) => boolean;
}

export interface AdmittedJob {
  readonly job: Job;
  readonly jobId: Field;
}

/**
 * What a validator checks before it accepts a job: the codec and its caps, the module (validated,
 * nothing run), and the ownership proof against the job id it derives itself. The cheap checks go
 * first so a flood of malformed jobs costs no pairings.
 */
export function admitJob(bytes: Uint8Array, ctx: AdmissionContext): AdmittedJob {
  const job = decodeJob(bytes);
  parseAndValidate(job.wasm, { memoryPages: job.memoryPages }).dispose();
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
  return { job, jobId: id };
}
