/**
 * `paraloom devnet`: the whole network on this machine. The localnet with the program loaded and
 * initialized, N validator processes (node 0 the coordinator), finality awaited; with `--demo` two
 * wallets shield, pay privately and withdraw; then it runs until Ctrl-C (or, with `--exit`, stops
 * and exits 0 only if every step succeeded).
 */
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Devnet, runDemo } from '../../devnet/index.js';

interface DevnetFlags {
  validators: string;
  dir?: string;
  demo?: boolean;
  exit?: boolean;
  slotMs: string;
  dashboard: boolean;
  json?: boolean;
}

export function registerDevnetCommand(program: Command): void {
  program
    .command('devnet')
    .description('run a local Paraloom network: localnet + validator processes (+ a demo)')
    .option('--validators <n>', 'validator processes (the first is the coordinator)', '4')
    .option('--dir <dir>', 'configs, keys, data and demo wallets (default: a fresh temporary directory)')
    .option('--demo', 'run two wallets through deposit, private transfer and withdrawal')
    .option('--exit', 'stop after startup (and the demo) instead of running until Ctrl-C')
    .option('--slot-ms <ms>', 'localnet slot time', '400')
    .option('--no-dashboard', 'do not serve the dashboard on the coordinator')
    .option('--json', 'print the demo report as one JSON line at the end')
    .action(async (flags: DevnetFlags) => {
      const n = Number(flags.validators);
      if (!Number.isInteger(n) || n < 1 || n > 10) throw new Error('--validators must be 1 to 10');
      const temporary = !flags.dir;
      const dir = flags.dir ?? join(tmpdir(), `paraloom-devnet-${process.pid}`);
      const started = Date.now();
      const print = (line: string) => console.log(line);
      const devnet = new Devnet({
        dir,
        validators: n,
        slotMs: Number(flags.slotMs),
        dashboard: flags.dashboard,
        onStep: (m) => print(`[devnet] ${m}`),
      });
      let stopping = false;
      const stop = async () => {
        if (stopping) return;
        stopping = true;
        print('[devnet] stopping validators and the localnet');
        await devnet.stop();
        if (temporary) await rm(dir, { recursive: true, force: true });
      };
      const interrupted = new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      try {
        await devnet.start();
        await devnet.waitHeight(2n, 120_000);
        print(
          `[devnet] ${n} validators finalize L2 blocks (height ${await devnet.height(0)}) in ${((Date.now() - started) / 1000).toFixed(1)} s`,
        );
        if (devnet.coordinator.dashboard) print(`[devnet] dashboard ${devnet.coordinator.dashboard}`);
        if (flags.demo) {
          const report = await runDemo(devnet, dir, print);
          if (flags.json) print(JSON.stringify(report));
          print('[devnet] demo finished: every step succeeded');
        }
        if (!flags.exit) {
          print(
            `[devnet] running; wallets can use --ingress ${devnet.coordinator.ingress} (Solana RPC ${devnet.rpcUrl}). Ctrl-C stops.`,
          );
          await interrupted;
        }
      } finally {
        await stop();
      }
    });
}
