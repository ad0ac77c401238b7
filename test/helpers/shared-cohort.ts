/**
 * One started cohort shared by the multi-process test files that only add their own activity to it
 * (deposits, transfers, withdrawals, compute jobs) and measure what they did relative to before:
 * four validators on a localnet, validator FAULTY_EXECUTOR started with wrong compute outputs, validator
 * NON_RELAYER with `coordinator.relay = false`. The
 * first file that asks starts it in a detached process (its own worker ends with the file); the
 * others wait for its descriptor; the run's global teardown (test/setup/shared-cohort-run.ts) stops
 * it. Files that kill, pause or reconfigure validators start a `Devnet` of their own instead.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { inject } from 'vitest';
import {
  COHORT_PROCESS,
  isAlive,
  REPO,
  runFiles,
  type SharedCohortDescriptor,
  type SharedValidator,
  writeAtomically,
} from '../setup/shared-cohort-files.js';
import { until } from './paraloom-child.js';

export { FAULTY_EXECUTOR, NON_RELAYER, type SharedValidator } from '../setup/shared-cohort-files.js';

/** Takes the start lock; false when another file holds it (and starts or started the cohort). */
function takeStartLock(lock: string): boolean {
  try {
    closeSync(openSync(lock, 'wx'));
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  }
}

function startCohortProcess(dir: string, ownerPid: number): ChildProcess {
  const files = runFiles(dir);
  const log = openSync(files.log, 'a');
  // Detached (its own process group): it outlives this worker, and the teardown can signal the
  // group, validators included.
  const child = spawn(process.execPath, ['--import', 'tsx', COHORT_PROCESS, dir, String(ownerPid)], {
    cwd: REPO,
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  writeAtomically(files.pid, String(child.pid));
  child.unref();
  return child;
}

function lastLines(file: string, n = 15): string {
  return existsSync(file) ? readFileSync(file, 'utf8').trimEnd().split('\n').slice(-n).join('\n  ') : '';
}

/** The shared cohort, started by this call if no other test file of the run started it yet. */
export async function sharedCohort(timeoutMs = 300_000): Promise<SharedCohort> {
  const { dir, ownerPid } = inject('sharedCohortRun');
  const files = runFiles(dir);
  if (takeStartLock(files.lock)) startCohortProcess(dir, ownerPid);
  const descriptor = await until(
    'the shared cohort',
    async () => {
      if (existsSync(files.descriptor))
        return JSON.parse(readFileSync(files.descriptor, 'utf8')) as SharedCohortDescriptor;
      const pid = existsSync(files.pid) ? Number(readFileSync(files.pid, 'utf8')) : undefined;
      if (existsSync(files.failure) || (pid !== undefined && !isAlive(pid))) return { failed: true as const };
      return undefined;
    },
    timeoutMs,
  ).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}; cohort process log:\n  ${lastLines(files.log)}`);
  });
  if ('failed' in descriptor)
    throw new Error(
      `the shared cohort did not start: ${existsSync(files.failure) ? readFileSync(files.failure, 'utf8') : 'its process exited'}; log:\n  ${lastLines(files.log)}`,
    );
  return new SharedCohort(descriptor);
}

export class SharedCohort {
  readonly rpcUrl: string;
  readonly validators: readonly SharedValidator[];
  readonly faultyExecutor: number;

  constructor(d: SharedCohortDescriptor) {
    this.rpcUrl = d.rpcUrl;
    this.validators = d.validators;
    this.faultyExecutor = d.faultyExecutor;
  }

  /** L2 height of validator `index` from its ingress. */
  async height(index: number): Promise<bigint> {
    const res = await fetch(`${this.validators[index]!.ingress}/v1/status`, {
      signal: AbortSignal.timeout(5_000),
    });
    return BigInt(((await res.json()) as { height: string }).height);
  }

  /** Waits until every validator reports at least `height`. */
  async waitHeight(height: bigint, timeoutMs = 60_000): Promise<void> {
    await until(
      `every validator at height ${height}`,
      async () => {
        const hs = await Promise.all(this.validators.map((v) => this.height(v.index)));
        return hs.every((h) => h >= height) ? true : undefined;
      },
      timeoutMs,
    );
  }
}
