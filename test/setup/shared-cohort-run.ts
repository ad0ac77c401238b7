/**
 * vitest globalSetup: gives the run a directory for the shared cohort (cheap: it starts nothing;
 * the first test file that needs the cohort starts it) and, at the end of the run, stops the cohort
 * process (SIGTERM, then SIGKILL of its whole process group after a deadline), checks that none of
 * its processes is left, and keeps the validators' logs in test-artifacts/shared-cohort/.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { isAlive, REPO, runFiles, type SharedCohortDescriptor } from './shared-cohort-files.js';

/** Validators get 10 s each to stop (in parallel) before the devnet kills them; then the localnet. */
const STOP_DEADLINE_MS = 30_000;
const GROUP_GONE_MS = 5_000;
const ARTIFACTS = join(REPO, 'test-artifacts', 'shared-cohort');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Whether any process of group `pgid` is still alive. */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function waitUntil(cond: () => boolean, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(100);
  }
  return true;
}

async function keepLogs(dir: string): Promise<void> {
  const files = runFiles(dir);
  await mkdir(ARTIFACTS, { recursive: true });
  await cp(files.log, join(ARTIFACTS, 'cohort-process.log')).catch(() => undefined);
  if (!existsSync(files.descriptor)) return;
  const d = JSON.parse(readFileSync(files.descriptor, 'utf8')) as SharedCohortDescriptor;
  for (const v of d.validators)
    await cp(join(v.dir, 'node.log'), join(ARTIFACTS, `validator-${v.index}.log`)).catch((e: unknown) =>
      console.warn(`shared cohort: no log of validator ${v.index}`, e),
    );
}

/** Stops the cohort process of run `dir`, if one was started; throws if processes are left. */
async function stopSharedCohort(dir: string): Promise<void> {
  const files = runFiles(dir);
  if (!existsSync(files.pid)) return;
  const pid = Number(readFileSync(files.pid, 'utf8'));
  if (isAlive(pid)) {
    process.kill(pid, 'SIGTERM');
    if (!(await waitUntil(() => !isAlive(pid), STOP_DEADLINE_MS)))
      console.warn(`shared cohort: process ${pid} did not stop within ${STOP_DEADLINE_MS} ms; killing it`);
  }
  // Its group holds the localnet and the validators: anything left there was not stopped.
  if (groupAlive(pid) && !(await waitUntil(() => !groupAlive(pid), GROUP_GONE_MS))) {
    process.kill(-pid, 'SIGKILL');
    await keepLogs(dir);
    throw new Error(`shared cohort: processes of group ${pid} were left running and had to be killed`);
  }
  await keepLogs(dir);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'paraloom-run-'));
  project.provide('sharedCohortRun', { dir, ownerPid: process.pid });
  return async () => {
    try {
      await stopSharedCohort(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}
