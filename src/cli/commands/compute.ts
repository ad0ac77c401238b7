import type { Command } from 'commander';

const DEFAULT_INGRESS = 'http://127.0.0.1:9500';

/**
 * The compute module loads binaryen (megabytes of JavaScript, seconds to load through tsx), so it is
 * imported only when a compute command runs: every other `paraloom` command starts without it.
 */
const loadCompute = () => import('../../compute/index.js');
/** The remote commands need the wallet and privacy stacks (snarkjs): loaded when they run. */
const loadRemote = () => import('./compute-remote.js');

export function registerComputeCommand(program: Command): void {
  const compute = program.command('compute').description('private compute jobs (metered WASM)');
  compute
    .command('run-local')
    .description('validate, meter and run a job directory (job.json + module) in the local sandbox')
    .argument('<dir>', 'job directory, e.g. examples/compute/mean')
    .option('--wall-clock-ms <ms>', 'wall-clock kill, the second line of defence behind fuel', '10000')
    .option('--json', 'print one JSON object')
    .action(async (dir: string, opts: { wallClockMs: string; json?: boolean }) => {
      const { runLocalJob, Sandbox } = await loadCompute();
      const sandbox = new Sandbox({ wallClockMs: Number(opts.wallClockMs) });
      try {
        const report = await runLocalJob(dir, sandbox);
        if (opts.json) {
          console.log(JSON.stringify(report));
          return;
        }
        console.log(`job ${report.jobId}`);
        console.log(
          `status ${report.status}${report.status === 'abort' ? ` (code ${report.abortCode})` : ''}`,
        );
        console.log(`fuel used ${report.fuelUsed}, ${report.elapsedMs} ms`);
        console.log(`output hash ${report.outputHash}`);
        if (report.decoded) for (const [k, v] of Object.entries(report.decoded)) console.log(`  ${k} = ${v}`);
        else console.log(`output ${report.outputHex || '(empty)'}`);
      } finally {
        await sandbox.stop();
      }
    });

  compute
    .command('submit')
    .description("encrypt a job directory's input to its executors, prove note ownership, submit it")
    .argument('<dir>', 'job directory (job.json + module), e.g. examples/compute/mean')
    .option('--ingress <url>', "a validator's ingress URL", DEFAULT_INGRESS)
    .option('--wallet <dir>', 'wallet whose note backs the job', '.paraloom/wallet')
    .requiredOption('--key <file>', 'output key secret: read if it exists, else created (mode 0600)')
    .option('--scope <n>', 'ownership scope (default: hours since the Unix epoch)')
    .option('--min-amount <lamports>', 'note amount the proof reveals a lower bound of', '0')
    .option('--json', 'print one JSON object')
    .action(
      async (
        dir: string,
        opts: {
          ingress: string;
          wallet: string;
          key: string;
          scope?: string;
          minAmount: string;
          json?: boolean;
        },
      ) => {
        const { submitJob } = await loadRemote();
        const r = await submitJob(dir, opts);
        if (opts.json) return console.log(JSON.stringify(r));
        console.log(`job ${String(r.id)} ${String(r.status)}`);
        console.log(`executors ${(r.executors as string[]).join(', ')}`);
        console.log(
          `output key secret ${r.keyCreated ? 'written to' : 'read from'} ${opts.key} (keep it: it decrypts the result)`,
        );
      },
    );
  compute
    .command('status')
    .description("a job's state, executors, recorded results and final record")
    .argument('<id>', 'job id (64 hex digits)')
    .option('--ingress <url>', "a validator's ingress URL", DEFAULT_INGRESS)
    .action(async (id: string, opts: { ingress: string }) => {
      const { jobStatus } = await loadRemote();
      console.log(JSON.stringify(await jobStatus(id, opts.ingress), null, 2));
    });
  compute
    .command('result')
    .description("decrypt a final job's output with the output key secret")
    .argument('<id>', 'job id (64 hex digits)')
    .option('--ingress <url>', "a validator's ingress URL", DEFAULT_INGRESS)
    .requiredOption('--key <file>', 'the output key secret file given to submit')
    .option('--json', 'print one JSON object')
    .action(async (id: string, opts: { ingress: string; key: string; json?: boolean }) => {
      const { jobResult } = await loadRemote();
      const r = await jobResult(id, opts.ingress, opts.key);
      if (opts.json) return console.log(JSON.stringify(r));
      console.log(`status ${r.status}, fuel used ${r.fuelUsed}`);
      console.log(`output ${r.outputHex || '(empty)'}`);
      if (r.u64.length) console.log(`as u64 ${r.u64.join(' ')}`);
    });
}
