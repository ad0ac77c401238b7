import { concatBytes, u64ToBytesLE } from '../common/index.js';
import { fieldToBytesLE } from '../privacy/index.js';
import type { ComputeStore } from '../storage/index.js';
import type { AdmittedJob } from './admission.js';
import type { AgreementOutcome } from './agreement.js';
import { ComputeError } from './errors.js';
import { decodeJob, encodeJob } from './job/codec.js';
import type { Job } from './job/job.js';
import { jobIdBytes } from './job/job-id.js';
import { decodeFinalRecord, encodeFinalRecord, type FinalRecord } from './record.js';

// Audit entries (append-only, no clock so every validator can write the same log):
//   1 admitted:  kind u8 = 1 | job id [32] | fee u64 | scope [32] | tag [32]
//   2 finalized: kind u8 = 2 | job id [32] | result commitment [32] | n u8 | n x disagreeing key [32]
//   3 retried:   kind u8 = 3 | job id [32] | new attempt u8 | n u8 | n x silent key [32]
//   4 failed:    kind u8 = 4 | job id [32] | attempt u8 | n u8 | n x silent key [32]
export const AUDIT_ADMITTED = 1;
export const AUDIT_FINALIZED = 2;
export const AUDIT_RETRIED = 3;
export const AUDIT_FAILED = 4;

/** The compute layer's view of the storage module's compute store: its codecs on the opaque bytes. */
export class ComputeJournal {
  constructor(private readonly store: ComputeStore) {}

  /** Queues an admitted job and logs its admission. */
  async admit(admitted: AdmittedJob): Promise<bigint> {
    const id = jobIdBytes(admitted.jobId);
    const seq = await this.store.enqueue(id, encodeJob(admitted.job));
    const o = admitted.job.ownership;
    await this.store.appendAudit(
      concatBytes(
        Uint8Array.of(AUDIT_ADMITTED),
        id,
        u64ToBytesLE(admitted.job.fee),
        fieldToBytesLE(o.scope),
        fieldToBytesLE(o.tag),
      ),
    );
    return seq;
  }

  /** The oldest queued jobs, decoded. */
  async queued(limit: number): Promise<{ id: Uint8Array; job: Job }[]> {
    return (await this.store.peek(limit)).map((j) => ({ id: j.id, job: decodeJob(j.payload) }));
  }

  /** Stores a final result, dequeues the job and logs the outcome, in one synced batch. */
  async finalize(outcome: AgreementOutcome): Promise<void> {
    if (!outcome.final) throw new ComputeError('RESULT_WRONG_JOB', 'the job has no final result yet');
    const id = jobIdBytes(outcome.final.result.jobId);
    const disagreeing = outcome.disagreeing.map((h) => Uint8Array.from(Buffer.from(h, 'hex')));
    const audit = concatBytes(
      Uint8Array.of(AUDIT_FINALIZED),
      id,
      outcome.final.commitment,
      Uint8Array.of(disagreeing.length),
      ...disagreeing,
    );
    await this.store.complete(id, encodeFinalRecord(outcome), audit);
  }

  async result(id: Uint8Array): Promise<FinalRecord | undefined> {
    const raw = await this.store.getResult(id);
    return raw === undefined ? undefined : decodeFinalRecord(raw);
  }
}
