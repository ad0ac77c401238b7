import { createLogger, type Logger } from '../common/index.js';
import type { Component } from './component.js';
import { NodeError } from './errors.js';
import { startOrder } from './order.js';

export type NodeState = 'new' | 'starting' | 'running' | 'stopping' | 'stopped';

export interface NodeOptions {
  /** Deadline of the whole stop sequence. Default 10 000 ms. */
  readonly stopTimeoutMs?: number;
  /**
   * After the deadline, each component still to stop gets this long anyway: storage stops last and
   * should get a chance to close even when a component before it hung. Default 500 ms.
   */
  readonly stopGraceMs?: number;
  readonly logger?: Logger;
}

export interface StopReport {
  /** Every component stopped, without error, within the deadline. */
  readonly clean: boolean;
  /** Components whose stop() did not return in time (abandoned). */
  readonly timedOut: readonly string[];
  /** Components whose stop() threw. */
  readonly failed: readonly string[];
  readonly ms: number;
}

/**
 * The node's one start/stop lifecycle: components start in dependency order; stop (or a failed
 * start) runs in reverse over those that started, under one deadline. A component that does not
 * stop in time is logged and abandoned, and the report says the stop was not clean: the caller
 * exits non-zero.
 */
export class Node {
  private readonly ordered: Component[];
  private readonly started: Component[] = [];
  private readonly logger: Logger;
  private stopping: Promise<StopReport> | undefined;
  /** The start() in progress, so a stop during startup waits for it and then stops that one too. */
  private inflight: { readonly name: string; readonly done: Promise<void> } | undefined;
  private current: NodeState = 'new';

  constructor(
    components: readonly Component[],
    private readonly options: NodeOptions = {},
  ) {
    this.ordered = startOrder(components);
    this.logger = options.logger ?? createLogger('node');
  }

  get state(): NodeState {
    return this.current;
  }

  /** Component names in start order. */
  get components(): string[] {
    return this.ordered.map((c) => c.name);
  }

  async start(): Promise<void> {
    if (this.current !== 'new') {
      throw new NodeError('INVALID_STATE', `cannot start a node that is ${this.current}`, {
        state: this.current,
      });
    }
    this.current = 'starting';
    for (const c of this.ordered) {
      // A signal during start: stop() is running; do not start anything more.
      if (this.current !== 'starting') break;
      const t0 = performance.now();
      const starting = c.start();
      this.inflight = { name: c.name, done: starting.catch(() => undefined) };
      try {
        await starting;
        // Synchronously after the await: a concurrent stop() sees this component as started.
        this.started.push(c);
      } catch (err) {
        this.logger.error({ err, component: c.name }, 'component failed to start; stopping the others');
        await this.stop();
        throw err;
      } finally {
        this.inflight = undefined;
      }
      this.logger.info({ component: c.name, ms: Math.round(performance.now() - t0) }, 'component started');
    }
    if (this.current === 'starting') {
      this.current = 'running';
      this.logger.info({ components: this.components }, 'node running');
    }
  }

  /** Stops what started, in reverse order. Idempotent: a second call returns the first one's report. */
  stop(): Promise<StopReport> {
    this.stopping ??= this.runStop();
    return this.stopping;
  }

  private async runStop(): Promise<StopReport> {
    this.current = 'stopping';
    const timeoutMs = this.options.stopTimeoutMs ?? 10_000;
    const graceMs = this.options.stopGraceMs ?? 500;
    const t0 = performance.now();
    const deadline = t0 + timeoutMs;
    const timedOut: string[] = [];
    const failed: string[] = [];
    if (this.inflight) {
      const { name, done } = this.inflight;
      if ((await withDeadline(done, timeoutMs)).kind === 'timeout') {
        this.logger.error(
          { component: name, waitedMs: timeoutMs },
          'component did not finish starting in time',
        );
        timedOut.push(name);
      }
    }
    this.logger.info({ components: this.started.map((c) => c.name).reverse(), timeoutMs }, 'node stopping');
    for (const c of [...this.started].reverse()) {
      const budget = Math.max(deadline - performance.now(), graceMs);
      const outcome = await withDeadline(c.stop(), budget);
      if (outcome.kind === 'timeout') {
        timedOut.push(c.name);
        this.logger.error(
          { component: c.name, waitedMs: Math.round(budget) },
          'component did not stop in time',
        );
      } else if (outcome.kind === 'error') {
        failed.push(c.name);
        this.logger.error({ err: outcome.error, component: c.name }, 'component failed to stop');
      } else {
        this.logger.info({ component: c.name }, 'component stopped');
      }
    }
    this.started.length = 0;
    this.current = 'stopped';
    const ms = Math.round(performance.now() - t0);
    const clean = timedOut.length === 0 && failed.length === 0 && ms <= timeoutMs;
    const report: StopReport = { clean, timedOut, failed, ms };
    if (clean) this.logger.info({ ms }, 'node stopped');
    else this.logger.error(report, 'node stopped uncleanly');
    return report;
  }
}

type Outcome = { kind: 'ok' } | { kind: 'timeout' } | { kind: 'error'; error: unknown };

async function withDeadline(p: Promise<void>, ms: number): Promise<Outcome> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome>((resolve) => {
    timer = setTimeout(() => resolve({ kind: 'timeout' }), ms);
  });
  try {
    return await Promise.race([
      p.then(
        (): Outcome => ({ kind: 'ok' }),
        (error: unknown): Outcome => ({ kind: 'error', error }),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
