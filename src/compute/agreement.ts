import { bytesToHex } from '../common/index.js';
import type { Field } from '../privacy/index.js';
import type { ComputeErrorCode } from './errors.js';
import { checkSignedResult, type SignedResult } from './result.js';

// Result agreement for one job, as a pure function of the assignment and the results in arrival
// order, so the distribution layer (and a replaying validator) reach the same verdict.
//
// Threshold: a strict majority of the k assigned executors, floor(k/2) + 1. Executions are
// deterministic, so honest executors always agree with each other; k = 2f + 1 executors tolerate
// f faulty ones. (Ordering the result is the job of the BFT chain, which records it in a block.)

export interface AgreementInput {
  readonly jobId: Field;
  /** Ed25519 keys of the assigned executors. */
  readonly assigned: readonly Uint8Array[];
  /** Results in the order they arrived. */
  readonly results: readonly SignedResult[];
  /**
   * Executors per attempt, when `assigned` is larger (after retries it holds every executor any
   * attempt used); the threshold is always a majority of k. Default: assigned.length.
   */
  readonly k?: number;
  /**
   * Results are judged as one batch (a block): those after the majority was reached still count,
   * as agreeing or disagreeing, instead of being refused as RESULT_JOB_FINISHED. Set by the chain,
   * where every result of the block that makes a job final is evidence about its executor.
   */
  readonly countAfterFinal?: boolean;
}

export interface RejectedResult {
  readonly index: number;
  readonly code: Extract<
    ComputeErrorCode,
    | 'RESULT_NOT_ASSIGNED'
    | 'RESULT_DUPLICATE'
    | 'RESULT_JOB_FINISHED'
    | 'RESULT_BAD_SIGNATURE'
    | 'RESULT_WRONG_JOB'
  >;
}

export interface AgreementOutcome {
  /** The agreed result once a majority signed the same commitment. */
  readonly final: SignedResult | undefined;
  /** Executors whose signed commitments formed the majority (hex Ed25519 keys). */
  readonly agreeing: readonly string[];
  /** Assigned executors that signed a different commitment than the final one: to be penalised. */
  readonly disagreeing: readonly string[];
  /** Executors that signed two different commitments for this job: self-proving evidence. */
  readonly equivocating: readonly string[];
  /** Assigned executors with no accepted result (silent so far). */
  readonly silent: readonly string[];
  readonly rejected: readonly RejectedResult[];
}

export function agreementThreshold(k: number): number {
  return Math.floor(k / 2) + 1;
}

export function tallyResults(input: AgreementInput): AgreementOutcome {
  const assigned = new Set(input.assigned.map(bytesToHex));
  const threshold = agreementThreshold(input.k ?? assigned.size);
  const accepted = new Map<string, SignedResult>();
  const firstCommitment = new Map<string, string>();
  const equivocating = new Set<string>();
  const votes = new Map<string, string[]>();
  const rejected: RejectedResult[] = [];
  let final: SignedResult | undefined;

  for (const [index, signed] of input.results.entries()) {
    const code = judge(signed);
    if (code) rejected.push({ index, code });
  }

  function judge(signed: SignedResult): RejectedResult['code'] | undefined {
    const who = bytesToHex(signed.executor);
    const reject = (code: RejectedResult['code']) => code;
    if (!assigned.has(who)) return reject('RESULT_NOT_ASSIGNED');
    if (signed.result.jobId !== input.jobId) return reject('RESULT_WRONG_JOB');
    if (!checkSignedResult(signed)) return reject('RESULT_BAD_SIGNATURE');
    const commitment = bytesToHex(signed.commitment);
    const earlier = firstCommitment.get(who);
    if (earlier !== undefined) {
      if (earlier !== commitment) equivocating.add(who);
      return reject('RESULT_DUPLICATE');
    }
    firstCommitment.set(who, commitment);
    if (final && !input.countAfterFinal) return reject('RESULT_JOB_FINISHED');
    accepted.set(who, signed);
    const voters = [...(votes.get(commitment) ?? []), who];
    votes.set(commitment, voters);
    if (!final && voters.length >= threshold) final = signed;
    return undefined;
  }

  if (!final) {
    return {
      final: undefined,
      agreeing: [],
      disagreeing: [],
      equivocating: [...equivocating],
      silent: [...assigned].filter((a) => !accepted.has(a)),
      rejected,
    };
  }
  const winning = bytesToHex(final.commitment);
  const agreeing = votes.get(winning) ?? [];
  const disagreeing = [...accepted.entries()]
    .filter(([, s]) => bytesToHex(s.commitment) !== winning)
    .map(([who]) => who);
  return {
    final,
    agreeing,
    disagreeing: [...new Set([...disagreeing, ...equivocating])],
    equivocating: [...equivocating],
    silent: [...assigned].filter((a) => !accepted.has(a) && !firstCommitment.has(a)),
    rejected,
  };
}
