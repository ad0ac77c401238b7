/**
 * Readiness is the conjunction of checks that components register while they start (storage open,
 * enough peers, chain handshake done, caught up, ...). A check that throws or does not answer in
 * time counts as failed, so one stuck dependency cannot hang /ready.
 */
import { HealthError } from './errors.js';

export interface CheckResult {
  readonly ok: boolean;
  /** Short human-readable state, shown by /ready ("3 peers, need 1"). */
  readonly detail?: string;
}

export type ReadinessCheck = () => CheckResult | Promise<CheckResult>;

export interface CheckReport extends CheckResult {
  readonly name: string;
  readonly ms: number;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: readonly CheckReport[];
}

export class Readiness {
  private readonly checks = new Map<string, ReadinessCheck>();

  /** Registers a check; returns the function that removes it (call it when the component stops). */
  register(name: string, check: ReadinessCheck): () => void {
    if (this.checks.has(name)) {
      throw new HealthError('CHECK_DUPLICATE', `readiness check ${name} is already registered`, { name });
    }
    this.checks.set(name, check);
    return () => {
      if (this.checks.get(name) === check) this.checks.delete(name);
    };
  }

  get names(): string[] {
    return [...this.checks.keys()];
  }

  /** Runs every check concurrently. With no checks registered the node is not ready. */
  async evaluate(timeoutMs: number): Promise<ReadinessReport> {
    const checks = await Promise.all(
      [...this.checks].map(([name, check]) => runCheck(name, check, timeoutMs)),
    );
    return { ready: checks.length > 0 && checks.every((c) => c.ok), checks };
  }
}

async function runCheck(name: string, check: ReadinessCheck, timeoutMs: number): Promise<CheckReport> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<CheckResult>((resolve) => {
    timer = setTimeout(() => resolve({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
  });
  let result: CheckResult;
  try {
    result = await Promise.race([Promise.resolve().then(check), timeout]);
  } catch (err) {
    result = { ok: false, detail: err instanceof Error ? err.message : String(err) };
  } finally {
    clearTimeout(timer);
  }
  const ms = Math.round((performance.now() - started) * 10) / 10;
  return {
    name,
    ok: result.ok === true,
    ...(result.detail === undefined ? {} : { detail: result.detail }),
    ms,
  };
}
