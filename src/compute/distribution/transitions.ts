import { bytesEqual, bytesToHex } from '../../common/index.js';
import type { Field } from '../../privacy/index.js';
import { type AgreementOutcome, type RejectedResult, tallyResults } from '../agreement.js';
import type { SignedResult } from '../result.js';
import { currentExecutors, everAssigned, type JobChain } from './chain-state.js';

// Pure state transitions of a job on the chain: what a block's results do to it and what a
// timeout does. Inputs are block contents only, so every validator computes the same states.

/**
 * Blocks after the start of an attempt at which, if the job has no final result, the next attempt
 * begins (applied with the block at attempt_height + COMPUTE_RETRY_BLOCKS). A protocol constant:
 * every validator must retry at the same height.
 */
export const COMPUTE_RETRY_BLOCKS = 20n;

/** Tally of a job's recorded results plus `extra` (a block's, in block order). */
export function tallyChain(
  jobId: Field,
  chain: JobChain,
  extra: readonly SignedResult[] = [],
): AgreementOutcome {
  return tallyResults({
    jobId,
    assigned: everAssigned(chain),
    results: [...chain.results, ...extra],
    k: chain.k,
    countAfterFinal: true,
  });
}

/**
 * Why `candidate` may not follow `pending` (earlier results for the same job in the same block):
 * the job is finished, the executor is not in the current attempt, or tallyResults rejects it
 * (wrong job, bad signature, duplicate). Undefined when it may.
 */
export function judgeResult(
  jobId: Field,
  chain: JobChain,
  pending: readonly SignedResult[],
  candidate: SignedResult,
): RejectedResult['code'] | undefined {
  if (chain.status !== 'admitted') return 'RESULT_JOB_FINISHED';
  if (!currentExecutors(chain).some((k) => bytesEqual(k, candidate.executor))) return 'RESULT_NOT_ASSIGNED';
  const index = chain.results.length + pending.length;
  return tallyChain(jobId, chain, [...pending, candidate]).rejected.find((r) => r.index === index)?.code;
}

export interface RetryOutcome {
  readonly chain: JobChain;
  /** Current-attempt executors with no recorded result: each gets a fault. */
  readonly silent: readonly Uint8Array[];
  readonly failed: boolean;
}

/**
 * The timeout rule: at attempt_height + COMPUTE_RETRY_BLOCKS without a final result, the silent
 * executors of the attempt are replaced by the next unused backups in rank order (one backup is
 * added when nobody is silent but there is no majority). With no backup left the job fails.
 */
export function retryIfDue(chain: JobChain, height: bigint): RetryOutcome | undefined {
  if (chain.status !== 'admitted' || height - chain.attemptHeight < COMPUTE_RETRY_BLOCKS) return undefined;
  const answered = new Set(chain.results.map((r) => bytesToHex(r.executor)));
  const silentIdx = chain.current.filter((i) => !answered.has(bytesToHex(chain.ranked[i]!)));
  const silent = silentIdx.map((i) => chain.ranked[i]!);
  const available = chain.ranked.length - chain.used;
  if (available === 0) return { chain: { ...chain, status: 'failed' }, silent, failed: true };
  const take = Math.min(Math.max(silentIdx.length, 1), available);
  const replaced = new Set(silentIdx.slice(0, take));
  const added = Array.from({ length: take }, (_, i) => chain.used + i);
  return {
    chain: {
      ...chain,
      attempt: chain.attempt + 1,
      attemptHeight: height,
      used: chain.used + take,
      current: [...chain.current.filter((i) => !replaced.has(i)), ...added],
    },
    silent,
    failed: false,
  };
}
