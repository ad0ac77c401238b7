import type { Field, Groth16Proof } from '../../privacy/index.js';
import { checkJobLimits, encodeParams } from './codec.js';
import { sealInput } from './envelope.js';
import type { Job, JobOwnership, JobSpec } from './job.js';
import { jobId } from './job-id.js';

export interface UnprovenJob {
  readonly job: Job;
  /** The id the ownership proof must be bound to. */
  readonly jobId: Field;
}

/**
 * Submitter side, step 1: encrypt the input for the executors and fix the job id. Step 2 proves
 * ownership for that id (proveOwnership) and attaches it with withProof.
 */
export function buildJob(
  spec: JobSpec,
  ownership: JobOwnership,
  executors: readonly Uint8Array[],
  input: Uint8Array,
): UnprovenJob {
  const params = encodeParams({ ...spec, ownership, input: { executors } });
  const { envelope } = sealInput(input, executors, params);
  const job: Job = { ...spec, ownership, input: envelope, proof: undefined };
  checkJobLimits(job);
  return { job, jobId: jobId(job) };
}

export function withProof(job: Job, proof: Groth16Proof): Job {
  return { ...job, proof };
}
