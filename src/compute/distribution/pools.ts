import { bytesToHex } from '../../common/index.js';
import type { Field } from '../../privacy/index.js';
import { ComputeError } from '../errors.js';
import type { Job } from '../job/job.js';
import { jobIdHex } from '../job/job-id.js';
import type { SignedResult } from '../result.js';

// What this validator has heard but no block holds yet: admitted jobs waiting for a block, and
// results waiting for a block. Both bounded; both rebuilt from gossip after a restart.

export interface PendingJob {
  readonly jobId: Field;
  readonly job: Job;
  /** The kind-2 section entry (ranked executors | job bytes). */
  readonly entry: Uint8Array;
  /** The last applied height when it was pooled (pooled jobs no block takes expire). */
  readonly pooledAt: bigint;
}

export class JobPool {
  private readonly jobs = new Map<string, PendingJob>();
  constructor(readonly capacity = 64) {}

  get size(): number {
    return this.jobs.size;
  }

  has(idHex: string): boolean {
    return this.jobs.has(idHex);
  }

  get(idHex: string): PendingJob | undefined {
    return this.jobs.get(idHex);
  }

  /** False when already pooled; POOL_FULL when at capacity. */
  add(idHex: string, job: PendingJob): boolean {
    if (this.jobs.has(idHex)) return false;
    if (this.jobs.size >= this.capacity) throw new ComputeError('POOL_FULL', 'the compute job pool is full');
    this.jobs.set(idHex, job);
    return true;
  }

  remove(idHex: string): void {
    this.jobs.delete(idHex);
  }

  /** Drops jobs pooled at or before `height` (a leader would have taken them by now if it could). */
  expire(height: bigint): string[] {
    const gone: string[] = [];
    for (const [idHex, p] of this.jobs) {
      if (p.pooledAt <= height) {
        this.jobs.delete(idHex);
        gone.push(idHex);
      }
    }
    return gone;
  }

  /** Oldest first. */
  all(): [string, PendingJob][] {
    return [...this.jobs.entries()];
  }

  /** A tag (scope | tag hex) some pooled job uses: a second job with it would be refused on chain. */
  usesTag(scope: Field, tag: Field): boolean {
    for (const p of this.jobs.values()) {
      if (p.job.ownership.scope === scope && p.job.ownership.tag === tag) return true;
    }
    return false;
  }
}

export class ResultPool {
  private readonly byJob = new Map<string, Map<string, SignedResult>>();
  private count = 0;
  constructor(readonly capacity = 1024) {}

  get size(): number {
    return this.count;
  }

  /** False when this executor's result for the job is already pooled or the pool is full. */
  add(result: SignedResult): boolean {
    const job = jobIdHex(result.result.jobId);
    const who = bytesToHex(result.executor);
    const forJob = this.byJob.get(job) ?? new Map<string, SignedResult>();
    if (forJob.has(who) || this.count >= this.capacity) return false;
    forJob.set(who, result);
    this.byJob.set(job, forJob);
    this.count++;
    return true;
  }

  /** Pooled results of one job, in arrival order. */
  forJob(jobIdHex: string): SignedResult[] {
    return [...(this.byJob.get(jobIdHex)?.values() ?? [])];
  }

  jobs(): string[] {
    return [...this.byJob.keys()];
  }

  dropJob(jobIdHex: string): void {
    this.count -= this.byJob.get(jobIdHex)?.size ?? 0;
    this.byJob.delete(jobIdHex);
  }

  dropResult(jobIdHex: string, executorHex: string): void {
    const forJob = this.byJob.get(jobIdHex);
    if (forJob?.delete(executorHex)) this.count--;
    if (forJob?.size === 0) this.byJob.delete(jobIdHex);
  }
}
