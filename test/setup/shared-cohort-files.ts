/**
 * The shared cohort's run directory, its descriptor and the small file helpers used by the three
 * parties: the test files that ask for it (test/helpers/shared-cohort.ts), the detached process that
 * runs it (shared-cohort-process.ts) and the run's global setup that stops it (shared-cohort-run.ts).
 * No vitest import here: the cohort process is plain Node.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The run's directory for the shared cohort and the pid of the vitest process that owns it. */
    sharedCohortRun: { readonly dir: string; readonly ownerPid: number };
  }
}

export const REPO = join(import.meta.dirname, '..', '..');

/** Its compute results are corrupted (PARALOOM_FAULT_COMPUTE_WRONG_OUTPUT); transfers are not. */
export const FAULTY_EXECUTOR = 3;
export const SHARED_VALIDATORS = 4;
/**
 * Registered and voting, but `coordinator.relay = false`: withdrawals naming it are never settled by a
 * node (tests settle them themselves, or let them expire into refunds). Not a coordinator candidate.
 */
export const NON_RELAYER = 3;

export interface SharedValidator {
  readonly index: number;
  readonly address: string;
  readonly peerId: string;
  readonly dir: string;
  readonly ingress: string;
  readonly health: string;
  readonly pid: number;
}

/** What the cohort process writes once every validator has finalized height 2. */
export interface SharedCohortDescriptor {
  readonly rpcUrl: string;
  readonly faultyExecutor: number;
  readonly validators: readonly SharedValidator[];
}

export const COHORT_PROCESS = join(REPO, 'test', 'setup', 'shared-cohort-process.ts');

/** Files in the run directory. */
export const runFiles = (dir: string) => ({
  lock: join(dir, 'start.lock'),
  pid: join(dir, 'cohort.pid'),
  descriptor: join(dir, 'cohort.json'),
  failure: join(dir, 'cohort-failed.txt'),
  log: join(dir, 'cohort-process.log'),
  devnet: join(dir, 'devnet'),
});

/** Written to a temporary name and renamed, so a reader never sees half a file. */
export function writeAtomically(file: string, text: string): void {
  writeFileSync(`${file}.tmp`, text);
  renameSync(`${file}.tmp`, file);
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
