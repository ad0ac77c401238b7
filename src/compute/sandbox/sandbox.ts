import { Worker } from 'node:worker_threads';
import type { Lifecycle } from '../../common/index.js';
import { ComputeError } from '../errors.js';
import { DEFAULT_WALL_CLOCK_MS, MAX_MEMORY_PAGES } from '../limits.js';
import type { RunOutcome, RunRequest } from './protocol.js';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

export interface SandboxOptions {
  /** Wall-clock budget per run; fuel is the real limit, this only catches what fuel cannot. */
  readonly wallClockMs?: number;
}

// V8 heap limits for the worker: the job's linear memory lives outside the JS heap (it is capped
// by the module's declared maximum), so these only bound the worker's own bookkeeping.
const RESOURCE_LIMITS = {
  maxOldGenerationSizeMb: 64 + (MAX_MEMORY_PAGES * 64) / 1024,
  maxYoungGenerationSizeMb: 16,
  codeRangeSizeMb: 64,
  stackSizeMb: 8,
};

interface Pending {
  readonly resolve: (outcome: RunOutcome) => void;
  readonly reject: (error: unknown) => void;
  readonly timer: NodeJS.Timeout;
}

/**
 * One sandbox worker thread, reused across jobs (each job gets a fresh instance inside it) and
 * replaced after a wall-clock kill or a crash. Runs are serial: one job at a time per sandbox.
 */
export class Sandbox implements Lifecycle {
  private worker: Worker | undefined;
  private ready: Promise<void> | undefined;
  private pending: Pending | undefined;
  private nextId = 1;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly wallClockMs: number;

  constructor(options: SandboxOptions = {}) {
    this.wallClockMs = options.wallClockMs ?? DEFAULT_WALL_CLOCK_MS;
  }

  /** Runs one request; the wall clock starts when the worker receives it. */
  run(request: Omit<RunRequest, 'id'>): Promise<RunOutcome> {
    const next = this.queue.then(() => this.runNow(request));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Spawns the worker ahead of the first run (run spawns it on demand otherwise). */
  async start(): Promise<void> {
    await this.spawn();
  }

  async stop(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    this.ready = undefined;
    if (worker) await worker.terminate();
  }

  private spawn(): Promise<void> {
    if (this.ready) return this.ready;
    const worker = new Worker(ENTRY, { resourceLimits: RESOURCE_LIMITS });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      const onMessage = (message: unknown) => {
        if ((message as { ready?: boolean }).ready) {
          resolve();
          return;
        }
        const p = this.pending;
        if (!p) return;
        this.pending = undefined;
        clearTimeout(p.timer);
        p.resolve(message as RunOutcome);
      };
      const onFailure = (error: unknown) => {
        reject(error);
        this.fail(worker, new ComputeError('SANDBOX_FAILED', 'sandbox worker died', {}, { cause: error }));
      };
      worker.on('message', onMessage);
      worker.on('error', onFailure);
      worker.on('exit', (code) => onFailure(new Error(`worker exited with code ${code}`)));
    });
    return this.ready;
  }

  private fail(worker: Worker, error: ComputeError): void {
    if (this.worker !== worker) return;
    this.worker = undefined;
    this.ready = undefined;
    const p = this.pending;
    this.pending = undefined;
    if (p) {
      clearTimeout(p.timer);
      p.reject(error);
    }
  }

  private async runNow(request: Omit<RunRequest, 'id'>): Promise<RunOutcome> {
    await this.spawn();
    const worker = this.worker!;
    const id = this.nextId++;
    return new Promise<RunOutcome>((resolve, reject) => {
      const timer = setTimeout(() => {
        // The job is still inside synchronous WebAssembly: only terminating the thread stops it.
        this.fail(
          worker,
          new ComputeError('SANDBOX_TIMEOUT', `job exceeded its wall clock of ${this.wallClockMs} ms`, {
            wallClockMs: this.wallClockMs,
          }),
        );
        void worker.terminate();
      }, this.wallClockMs);
      this.pending = { resolve, reject, timer };
      worker.postMessage({ ...request, id } satisfies RunRequest);
    });
  }
}
