/**
 * The process that runs the shared cohort for one vitest run (started detached by the first test
 * file that asks for it, see test/helpers/shared-cohort.ts): starts the devnet, writes the
 * descriptor when every validator has finalized height 2, and stops the devnet on SIGTERM/SIGINT
 * from the run's teardown, or by itself once the vitest process that owns the run is gone.
 * Usage: node --import tsx shared-cohort-process.ts <run dir> <owner pid>
 */
import { writeFileSync } from 'node:fs';
import { Devnet } from '../../src/devnet/index.js';
import {
  FAULTY_EXECUTOR,
  isAlive,
  NON_RELAYER,
  runFiles,
  SHARED_VALIDATORS,
  type SharedCohortDescriptor,
  writeAtomically,
} from './shared-cohort-files.js';

const OWNER_CHECK_MS = 2_000;

const [dir, owner] = process.argv.slice(2);
if (!dir || !owner) {
  console.error('usage: shared-cohort-process.ts <run dir> <owner pid>');
  process.exit(2);
}
const files = runFiles(dir);
const ownerPid = Number(owner);
const say = (msg: string) => console.log(`${new Date().toISOString()} ${msg}`);

const devnet = new Devnet({
  dir: files.devnet,
  validators: SHARED_VALIDATORS,
  // 150 ms slots: a withdrawal's 150-slot minimum validity passes in ~25 s (l2-cohort's expiry case).
  slotMs: 150,
  // Nobody kills this cohort's validators, so a slow round-0 timeout costs nothing; fewer empty
  // blocks (0.5/s instead of 1.4/s) take a little less CPU from the other tests of the run.
  idleBlockMs: 2_000,
  dashboard: false,
  env: (i): Record<string, string> => ({
    ...(i === FAULTY_EXECUTOR ? { PARALOOM_FAULT_COMPUTE_WRONG_OUTPUT: '1' } : {}),
    ...(i === NON_RELAYER ? { PARALOOM_COORDINATOR_RELAY: 'false' } : {}),
  }),
  onStep: say,
});

let stopping: Promise<void> | undefined;
function stop(why: string, code: number): Promise<void> {
  stopping ??= (async () => {
    clearInterval(ownerWatch);
    say(`stopping (${why})`);
    try {
      await devnet.stop();
    } catch (e) {
      console.error('stopping the devnet failed', e);
      code = 1;
    }
    say('stopped');
    process.exit(code);
  })();
  return stopping;
}

process.on('SIGTERM', () => void stop('SIGTERM', 0));
process.on('SIGINT', () => void stop('SIGINT', 0));
// A run killed before its teardown must not leave validators behind.
const ownerWatch = setInterval(() => {
  if (!isAlive(ownerPid)) void stop(`the vitest process ${ownerPid} is gone`, 0);
}, OWNER_CHECK_MS);

try {
  await devnet.start();
  await devnet.waitHeight(2n, 120_000);
  const descriptor: SharedCohortDescriptor = {
    rpcUrl: devnet.rpcUrl,
    faultyExecutor: FAULTY_EXECUTOR,
    validators: devnet.validators.map((v) => ({
      index: v.index,
      address: v.address,
      peerId: v.peerId,
      dir: v.dir,
      ingress: v.ingress!,
      health: v.health!,
      pid: v.node!.child.pid!,
    })),
  };
  if (!stopping) {
    writeAtomically(files.descriptor, JSON.stringify(descriptor, null, 2));
    say('ready');
  }
} catch (e) {
  console.error('the shared cohort failed to start', e);
  writeFileSync(files.failure, e instanceof Error ? e.message : String(e));
  await stop('failed to start', 1);
}
