import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Lifecycle } from '../../common/index.js';
import { PrivacyError } from '../errors.js';
import type { Field } from '../field.js';
import type { ChunkRequest, ChunkResult, WorkerInit } from './batch-protocol.js';
import type { VerifyingKey } from './verifying-key.js';

export interface WireVerificationItem {
  readonly wire: Uint8Array;
  /** In circuit order, derived by the caller (never taken from the submitter). */
  readonly publicInputs: readonly Field[];
}

export interface PoolBatchResult {
  readonly valid: boolean;
  /** Indexes of items that failed: undecodable proofs and proofs that do not verify, ascending. */
  readonly invalid: readonly number[];
  /** Why each undecodable item was refused (PrivacyError codes). */
  readonly rejected: ReadonlyArray<{ index: number; code: string }>;
}

interface WorkerSlot {
  readonly worker: Worker;
  readonly pending: Map<number, { resolve: (r: ChunkResult) => void; reject: (e: Error) => void }>;
}

/**
 * Batch verification spread over worker threads (Lodestar-style): each worker decodes its share of
 * wire proofs (all point checks) and verifies it as one random-linear-combination batch with its
 * own final exponentiation, bisecting in the worker to name bad proofs. The main thread only posts
 * wires and reads verdicts, so the event loop stays free of pairing work.
 */
export class BatchVerifierPool implements Lifecycle {
  private slots: WorkerSlot[] = [];
  private nextId = 1;
  private readonly threads: number;

  constructor(
    private readonly key: VerifyingKey,
    options: { threads?: number } = {},
  ) {
    this.threads = Math.max(1, options.threads ?? Math.min(4, availableParallelism()));
  }

  get size(): number {
    return this.slots.length;
  }

  async start(): Promise<void> {
    if (this.slots.length) return;
    const url = new URL('./batch-worker-entry.mjs', import.meta.url);
    const started = Array.from({ length: this.threads }, async () => {
      const init: WorkerInit = { verifyingKey: this.key.toChainBytes() };
      const worker = new Worker(url, { workerData: init });
      const slot: WorkerSlot = { worker, pending: new Map() };
      await new Promise<void>((resolve, reject) => {
        const onMessage = (m: { ready?: boolean }) => {
          if (m.ready) {
            worker.off('error', reject);
            resolve();
          }
        };
        worker.once('message', onMessage);
        worker.once('error', reject);
      });
      worker.on('message', (m: ChunkResult & { error?: string }) => {
        const p = slot.pending.get(m.id);
        if (!p) return;
        slot.pending.delete(m.id);
        if (m.error) p.reject(new PrivacyError('VERIFIER_WORKER_FAILED', m.error));
        else p.resolve(m);
      });
      const failAll = (err: unknown) => {
        for (const p of slot.pending.values()) {
          p.reject(new PrivacyError('VERIFIER_WORKER_FAILED', 'verifier worker died', {}, { cause: err }));
        }
        slot.pending.clear();
      };
      worker.on('error', failAll);
      worker.on('exit', (code) => failAll(new Error(`exit ${code}`)));
      return slot;
    });
    this.slots = await Promise.all(started);
  }

  async stop(): Promise<void> {
    const slots = this.slots;
    this.slots = [];
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  async verifyBatch(items: readonly WireVerificationItem[]): Promise<PoolBatchResult> {
    if (!this.slots.length)
      throw new PrivacyError('VERIFIER_NOT_STARTED', 'batch verifier pool is not started');
    if (items.length === 0) return { valid: true, invalid: [], rejected: [] };
    const inputCount = this.key.publicInputCount;
    for (const item of items) {
      if (item.publicInputs.length !== inputCount) {
        throw new PrivacyError('PROOF_INVALID', 'wrong number of public inputs', { expected: inputCount });
      }
    }
    const chunkCount = Math.min(this.slots.length, items.length);
    const chunkSize = Math.ceil(items.length / chunkCount);
    const jobs: Promise<ChunkResult>[] = [];
    for (let c = 0; c < chunkCount; c++) {
      const part = items.slice(c * chunkSize, (c + 1) * chunkSize);
      const slot = this.slots[c]!;
      const request: ChunkRequest = {
        id: this.nextId++,
        wires: part.map((p) => p.wire),
        publicInputs: part.map((p) => p.publicInputs),
      };
      jobs.push(
        new Promise<ChunkResult>((resolve, reject) => {
          slot.pending.set(request.id, { resolve, reject });
          slot.worker.postMessage(request);
        }),
      );
    }
    const results = await Promise.all(jobs);
    const rejected = results.flatMap((r, c) =>
      r.rejected.map((x) => ({ index: c * chunkSize + x.index, code: x.code })),
    );
    const invalid = results
      .flatMap((r, c) => [...r.rejected.map((x) => x.index), ...r.failed].map((i) => c * chunkSize + i))
      .sort((a, b) => a - b);
    return { valid: invalid.length === 0, invalid, rejected };
  }
}
