import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { LocalnetProgram } from '../../localnet/index.js';

function parsePrograms(values: string[]): LocalnetProgram[] {
  return values.map((v) => {
    const i = v.indexOf('=');
    if (i <= 0) throw new Error(`--program expects <program id>=<path to .so>, got ${v}`);
    return { programId: v.slice(0, i), bytes: new Uint8Array(readFileSync(v.slice(i + 1))) };
  });
}

export function registerLocalnetCommand(program: Command): void {
  program
    .command('localnet')
    .description('run an embedded Solana (LiteSVM) behind Solana JSON-RPC over HTTP and WebSocket')
    .option('--host <host>', 'listen address (loopback by default)', '127.0.0.1')
    .option('--port <port>', 'RPC port (HTTP and WebSocket)', '8899')
    .option('--slot-ms <ms>', 'slot time in milliseconds', '400')
    .option('--confirmed-lag <slots>', 'slots between processed and confirmed', '1')
    .option('--finalized-lag <slots>', 'slots between processed and finalized', '4')
    .option('--ledger <dir>', 'keep the ledger snapshot in this directory across restarts')
    .option('--program <id=path...>', 'load an SBF program at genesis', [])
    .option(
      '--paraloom <mode>',
      'Paraloom program: init (load + initialize bridge), load, or off (deploy it with `paraloom program deploy`)',
      'init',
    )
    .action(
      async (opts: {
        host: string;
        port: string;
        slotMs: string;
        confirmedLag: string;
        finalizedLag: string;
        ledger?: string;
        program: string[];
        paraloom: string;
      }) => {
        if (!['init', 'load', 'off'].includes(opts.paraloom))
          throw new Error(`--paraloom expects init, load or off, got ${opts.paraloom}`);
        // LiteSVM and the node stack load only when the localnet runs.
        const [{ initializeParaloom, Localnet, paraloomProgram, shapeLoadedProgram }, { onStopSignals }] =
          await Promise.all([import('../../localnet/index.js'), import('../../node/index.js')]);
        const net = new Localnet({
          host: opts.host,
          port: Number(opts.port),
          slotMs: Number(opts.slotMs),
          confirmedLag: Number(opts.confirmedLag),
          finalizedLag: Number(opts.finalizedLag),
          programs: [...(opts.paraloom === 'off' ? [] : [paraloomProgram()]), ...parsePrograms(opts.program)],
          ...(opts.ledger ? { ledgerDir: opts.ledger } : {}),
        });
        if (opts.paraloom === 'init') {
          const { programId, admin } = await initializeParaloom(net.chain);
          console.log(`paraloom program ${programId} initialized (dev admin ${admin})`);
        } else if (opts.paraloom === 'load') {
          const { programId, admin } = await shapeLoadedProgram(net.chain);
          console.log(
            `paraloom program ${programId} loaded, not initialized (upgrade authority: dev admin ${admin})`,
          );
        } else {
          console.log('paraloom program not loaded: deploy it with `paraloom program deploy`');
        }
        await net.start();
        console.log(`localnet RPC ${net.rpcUrl}  WebSocket ${net.wsUrl}`);
        await new Promise<void>((resolve) => {
          onStopSignals({
            stop: () => resolve(),
            force: () => {
              console.error('localnet: second Ctrl-C while stopping: exiting now');
              process.exit(130);
            },
          });
        });
        await net.stop();
      },
    );
}
