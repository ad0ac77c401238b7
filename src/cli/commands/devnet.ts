/**
 * `paraloom devnet`: the whole network on this machine. The localnet with the program loaded and
 * initialized, N validator processes (the first three stand for coordinator), finality awaited;
 * with `--demo` two wallets shield, pay privately and withdraw; then it runs until Ctrl-C (or, with
 * `--exit`, stops and exits 0 only if every step succeeded).
 *
 * Stopping: the first Ctrl-C (or SIGTERM), at any point, stops the validators and then the
 * localnet, exits 0 within 5 s; a second Ctrl-C kills them all and exits 130 at once.
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import type { Devnet } from '../../devnet/index.js';
import type { StopSignal } from '../../node/index.js';
import { exitWhenDrained } from './exit-when-drained.js';

/** The devnet, node and privacy stacks load when the command runs, not for `--help` or other commands. */
const loadDevnet = () => import('../../devnet/index.js');
const loadNode = () => import('../../node/index.js');
const loadPrivacy = () => import('../../privacy/index.js');

interface DevnetFlags {
  validators: string;
  dir?: string;
  demo?: boolean;
  exit?: boolean;
  slotMs: string;
  dashboard: boolean;
  json?: boolean;
  deploy?: boolean;
}

/** Validators still running this long after the stop began are killed: one Ctrl-C ends all in 5 s. */
const VALIDATOR_STOP_DEADLINE_MS = 3_500;
/** How long a demo step in flight gets to notice the stop before snarkjs' workers are ended. */
const DEMO_SETTLE_MS = 500;

type Print = (line: string) => void;

/** Starts the network, waits for finality and runs the demo; an aborted `signal` abandons it. */
async function bringUp(
  devnet: Devnet,
  flags: DevnetFlags,
  dir: string,
  print: Print,
  signal: AbortSignal,
): Promise<void> {
  const started = Date.now();
  await devnet.start();
  await devnet.waitHeight(2n, 120_000);
  print(
    `[devnet] ${devnet.validators.length} validators finalize L2 blocks (height ${await devnet.height(0)}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  if (devnet.coordinator.dashboard) print(`[devnet] dashboard ${devnet.coordinator.dashboard}`);
  if (flags.demo) {
    const { runDemo } = await loadDevnet();
    const report = await runDemo(devnet, dir, print, signal);
    if (flags.json) print(JSON.stringify(report));
    print('[devnet] demo finished: every step succeeded');
  }
}

export function registerDevnetCommand(program: Command): void {
  program
    .command('devnet')
    .description('run a local Paraloom network: localnet + validator processes (+ a demo)')
    .option(
      '--validators <n>',
      'validator processes, 1 to 10; the first three stand for coordinator: one is elected and holds it by a lease, and when it fails the next candidate (lowest index first) takes over',
      '4',
    )
    .option('--dir <dir>', 'configs, keys, data and demo wallets (default: a fresh temporary directory)')
    .option('--demo', 'run two wallets through deposit, private transfer and withdrawal')
    .option('--exit', 'stop after startup (and the demo) instead of running until Ctrl-C')
    .option('--slot-ms <ms>', 'localnet slot time', '400')
    .option('--no-dashboard', 'do not serve the dashboard (on validator 0)')
    .option('--json', 'print the demo report as one JSON line at the end')
    .option(
      '--deploy',
      'deploy and initialize the program through transactions (paraloom program deploy/initialize) instead of loading it into the localnet',
    )
    .action(async (flags: DevnetFlags) => {
      const n = Number(flags.validators);
      if (!Number.isInteger(n) || n < 1 || n > 10) throw new Error('--validators must be 1 to 10');
      const temporary = !flags.dir;
      const dir = flags.dir ?? join(tmpdir(), `paraloom-devnet-${process.pid}`);
      const print: Print = (line) => console.log(line);
      const [{ Devnet }, { onStopSignals }] = await Promise.all([loadDevnet(), loadNode()]);
      const devnet = new Devnet({
        dir,
        validators: n,
        slotMs: Number(flags.slotMs),
        dashboard: flags.dashboard,
        deploy: Boolean(flags.deploy),
        onStep: (m) => print(`[devnet] ${m}`),
      });
      // However this process ends, no validator or localnet outlives it.
      process.once('exit', () => devnet.kill());
      const stopping = new AbortController();
      const interrupted = new Promise<StopSignal>((resolve) => {
        onStopSignals({
          stop: (signal) => {
            stopping.abort();
            resolve(signal);
          },
          force: () => {
            print('[devnet] second Ctrl-C: killing the validators and the localnet now');
            devnet.kill();
            process.exit(130);
          },
        });
      });

      let failure: unknown;
      const work = bringUp(devnet, flags, dir, print, stopping.signal).then(
        () => true,
        (err: unknown) => {
          failure = err;
          return false;
        },
      );
      let signal = await Promise.race([work.then(() => undefined), interrupted]);
      if (signal && failure === undefined)
        print('[devnet] interrupted before the end of startup or the demo');
      if (!signal && failure === undefined && !flags.exit) {
        print(
          `[devnet] running; wallets can use --ingress ${devnet.coordinator.ingress} (Solana RPC ${devnet.rpcUrl}). Ctrl-C stops.`,
        );
        signal = await interrupted;
      }

      const t0 = performance.now();
      print(`[devnet] ${signal ? `${signal}: ` : ''}stopping the validators, then the localnet`);
      const report = await devnet.stop(VALIDATOR_STOP_DEADLINE_MS);
      for (const index of report.killed)
        print(`[devnet] validator ${index} did not stop within ${VALIDATOR_STOP_DEADLINE_MS} ms: killed`);
      // An interrupted demo step fails fast once the validators are gone; then its proving ends.
      await Promise.race([work, new Promise((r) => setTimeout(r, DEMO_SETTLE_MS).unref())]);
      await (await loadPrivacy()).shutdownProver();
      if (temporary) await rm(dir, { recursive: true, force: true });
      print(`[devnet] stopped in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      if (report.killed.length) process.exitCode = 1;
      exitWhenDrained((line) => print(`[devnet] ${line}`));
      if (failure === undefined) return;
      if (!signal) throw failure;
      // After a signal, the step in flight failed because of the stop, not on its own.
      print(
        `[devnet] abandoned by the stop: ${failure instanceof Error ? failure.message : String(failure)}`,
      );
    });
}
