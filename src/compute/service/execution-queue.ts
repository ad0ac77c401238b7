import type { Counter } from 'prom-client';
import { bytesToHex, type Logger } from '../../common/index.js';
import type { ComputeStore } from '../../storage/index.js';
import type { ActiveJob } from '../distribution/block-apply.js';
import { fieldFromHex } from '../distribution/chain.js';
import { currentExecutors } from '../distribution/chain-state.js';
import { ComputeError } from '../errors.js';
import { type ExecutorKeys, executeJob } from '../executor.js';
import { corruptedResult } from '../fault.js';
import { decodeJob } from '../job/codec.js';
import { jobIdBytes, jobIdHex } from '../job/job-id.js';
import type { SignedResult } from '../result.js';
import type { Sandbox } from '../sandbox/sandbox.js';

/** Jobs waiting for this executor's sandbox; more are left to the retry on other executors. */
export const MAX_EXECUTION_QUEUE = 32;

export interface ExecutionQueueOptions {
  readonly keys: ExecutorKeys & { readonly publicKey: Uint8Array };
  readonly sandbox: Sandbox;
  readonly store: Pick<ComputeStore, 'getJob'>;
  /** A result made here: pooled locally (gossip does not echo our own messages) and published. */
  readonly emit: (result: SignedResult) => void;
  readonly executions: Counter<'outcome'>;
  readonly logger: Logger;
  /** PARALOOM_FAULT_COMPUTE_WRONG_OUTPUT: sign results over a corrupted output (tests only). */
  readonly faultWrongOutput: boolean;
}

/**
 * This validator as an executor: after each block, the jobs whose current attempt names it and
 * that have no result of its own on chain are run one at a time in the sandbox; its results are
 * emitted until a block records them (`pending`, for republishing).
 */
export class ExecutionQueue {
  private readonly queue: string[] = [];
  private readonly taken = new Set<string>();
  private readonly mine = new Map<string, SignedResult>();
  private draining: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: ExecutionQueueOptions) {}

  get queued(): number {
    return this.queue.length;
  }

  /** Own results no block has recorded yet. */
  pending(): SignedResult[] {
    return [...this.mine.values()];
  }

  afterBlock(active: readonly ActiveJob[]): void {
    if (this.stopped) return;
    const me = bytesToHex(this.o.keys.publicKey);
    const live = new Set<string>();
    for (const { id, chain } of active) {
      const idHex = jobIdHex(id);
      live.add(idHex);
      if (!currentExecutors(chain).some((k) => bytesToHex(k) === me)) continue;
      if (chain.results.some((r) => bytesToHex(r.executor) === me)) {
        this.mine.delete(idHex);
        continue;
      }
      if (this.taken.has(idHex)) continue;
      if (this.queue.length >= MAX_EXECUTION_QUEUE) {
        this.o.executions.inc({ outcome: 'queue_full' });
        this.o.logger.warn({ job: idHex }, 'compute execution queue full: job left to the retry');
        continue;
      }
      this.taken.add(idHex);
      this.queue.push(idHex);
    }
    for (const idHex of [...this.mine.keys()]) if (!live.has(idHex)) this.mine.delete(idHex);
    for (const idHex of [...this.taken]) if (!live.has(idHex)) this.taken.delete(idHex);
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  /**
   * Drops what is queued. A job in the sandbox is not waited for: it ends when its owner closes the
   * sandbox, which stop must not wait behind (a job may run for the whole wall-clock limit).
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.queue.length = 0;
  }

  private async drain(): Promise<void> {
    for (let idHex = this.queue.shift(); idHex !== undefined && !this.stopped; idHex = this.queue.shift()) {
      await this.execute(idHex);
    }
  }

  private async execute(idHex: string): Promise<void> {
    const { keys } = this.o;
    try {
      const stored = await this.o.store.getJob(jobIdBytes(fieldFromHex(idHex)));
      if (!stored)
        throw new ComputeError('JOB_UNKNOWN', 'an admitted job has no stored record', { job: idHex });
      const started = performance.now();
      const { signed } = await executeJob(decodeJob(stored.payload), keys, this.o.sandbox);
      const result = this.o.faultWrongOutput ? corruptedResult(signed.result, keys.signingSecret) : signed;
      this.o.executions.inc({ outcome: result.result.status });
      this.o.logger.info(
        {
          job: idHex,
          status: result.result.status,
          fuel: `${result.result.fuelUsed}`,
          ms: Math.round(performance.now() - started),
        },
        'compute job executed',
      );
      this.mine.set(idHex, result);
      this.o.emit(result);
    } catch (err) {
      // Not a result (sandbox timeout or crash, an envelope that does not open): nothing is signed;
      // the job's retry moves on without this executor.
      this.o.executions.inc({ outcome: 'error' });
      this.o.logger.warn({ err, job: idHex }, 'compute job execution failed');
    }
  }
}
