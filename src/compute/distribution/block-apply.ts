import { bytesToHex, concatBytes, u64ToBytesLE } from '../../common/index.js';
import { type Field, fieldToBytesLE } from '../../privacy/index.js';
import type { ComputeBlockChanges } from '../../storage/index.js';
import { ComputeError } from '../errors.js';
import { decodeJob } from '../job/codec.js';
import type { Job } from '../job/job.js';
import { jobId, jobIdBytes, jobIdHex } from '../job/job-id.js';
import { AUDIT_ADMITTED, AUDIT_FAILED, AUDIT_FINALIZED, AUDIT_RETRIED } from '../journal.js';
import { decodeSignedResult, encodeFinalRecord } from '../record.js';
import { executorsPerAttempt } from './assignment.js';
import { type JobChain, newJobChain } from './chain-state.js';
import { decodeJobEntry } from './entries.js';
import { retryIfDue, tallyChain } from './transitions.js';

// What one final block does to the compute state, as a pure function of the state before it and
// the block's entries (docs/protocol.md §Compute jobs, "Agreement through blocks", "Retries").

export interface ActiveJob {
  readonly id: Field;
  readonly chain: JobChain;
}

export interface BlockPlan {
  /** Every job the block touched or left alone, by id hex (finished ones with their final status). */
  readonly next: Map<string, ActiveJob>;
  /** Jobs whose chain state changed (results recorded, retried, finished). */
  readonly changed: Set<string>;
  readonly admitted: { id: Uint8Array; payload: Uint8Array; tagKey: Uint8Array; idHex: string }[];
  readonly finished: ComputeBlockChanges['finished'][number][];
  readonly audit: Uint8Array[];
  /** Faults this block adds, by executor key hex. */
  readonly faultDelta: Map<string, bigint>;
}

/**
 * Jobs admitted, then results recorded and tallied in block order, then timeouts at this height.
 * `fromWindow`: the state was rebuilt from a snapshot's window of blocks (replayComputeWindow), so a
 * result for a job it does not know belongs to a job admitted before the window, over by the
 * snapshot's height, and is skipped rather than refused.
 */
export function planBlock(
  height: bigint,
  active: ReadonlyMap<string, ActiveJob>,
  jobEntries: readonly Uint8Array[],
  resultEntries: readonly Uint8Array[],
  fromWindow = false,
): BlockPlan {
  const next = new Map<string, ActiveJob>(active);
  const changed = new Set<string>();
  const admitted: { id: Uint8Array; payload: Uint8Array; tagKey: Uint8Array; idHex: string }[] = [];
  const finished: ComputeBlockChanges['finished'][number][] = [];
  const audit: Uint8Array[] = [];
  const faultDelta = new Map<string, bigint>();
  const fault = (keys: readonly Uint8Array[] | readonly string[]) => {
    for (const k of keys) {
      const hex = typeof k === 'string' ? k : bytesToHex(k);
      faultDelta.set(hex, (faultDelta.get(hex) ?? 0n) + 1n);
    }
  };

  for (const entry of jobEntries) {
    const { ranked, jobBytes } = decodeJobEntry(entry);
    const job = decodeJob(jobBytes);
    const id = jobId(job);
    const idHex = jobIdHex(id);
    if (next.has(idHex)) continue;
    next.set(idHex, { id, chain: newJobChain(ranked, executorsPerAttempt(ranked.length), height) });
    admitted.push({ id: jobIdBytes(id), payload: jobBytes, tagKey: tagKey(job), idHex });
    audit.push(admittedAudit(id, job));
  }

  for (const entry of resultEntries) {
    const r = decodeSignedResult(entry);
    const idHex = jobIdHex(r.result.jobId);
    const live = next.get(idHex);
    if (!live && fromWindow) continue;
    if (!live) throw new ComputeError('JOB_UNKNOWN', 'a final block records a result for an unknown job');
    next.set(idHex, { id: live.id, chain: { ...live.chain, results: [...live.chain.results, r] } });
    changed.add(idHex);
  }

  for (const idHex of changed) {
    const live = next.get(idHex)!;
    const outcome = tallyChain(live.id, live.chain);
    if (!outcome.final) continue;
    next.set(idHex, { id: live.id, chain: { ...live.chain, status: 'final' } });
    finished.push({ id: jobIdBytes(live.id), result: encodeFinalRecord(outcome) });
    fault(outcome.disagreeing);
    const disagreeing = outcome.disagreeing.map((h) => Uint8Array.from(Buffer.from(h, 'hex')));
    audit.push(
      concatBytes(
        Uint8Array.of(AUDIT_FINALIZED),
        jobIdBytes(live.id),
        outcome.final.commitment,
        Uint8Array.of(disagreeing.length),
        ...disagreeing,
      ),
    );
  }

  for (const [idHex, live] of next) {
    const retry = retryIfDue(live.chain, height);
    if (!retry) continue;
    next.set(idHex, { id: live.id, chain: retry.chain });
    changed.add(idHex);
    fault(retry.silent);
    audit.push(
      concatBytes(
        Uint8Array.of(retry.failed ? AUDIT_FAILED : AUDIT_RETRIED),
        jobIdBytes(live.id),
        Uint8Array.of(retry.chain.attempt, retry.silent.length),
        ...retry.silent,
      ),
    );
    if (retry.failed) finished.push({ id: jobIdBytes(live.id), result: undefined });
  }
  return { next, changed, admitted, finished, audit, faultDelta };
}

export function tagKey(job: Job): Uint8Array {
  return concatBytes(fieldToBytesLE(job.ownership.scope), fieldToBytesLE(job.ownership.tag));
}

function admittedAudit(id: Field, job: Job): Uint8Array {
  return concatBytes(
    Uint8Array.of(AUDIT_ADMITTED),
    jobIdBytes(id),
    u64ToBytesLE(job.fee),
    fieldToBytesLE(job.ownership.scope),
    fieldToBytesLE(job.ownership.tag),
  );
}
