import type { Command } from 'commander';

/**
 * The compute module loads binaryen (megabytes of JavaScript, seconds to load through tsx), so it is
 * imported only when a compute command runs: every other `paraloom` command starts without it.
 */
const loadCompute = () => import('../../compute/index.js');

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
        await sandbox.close();
      }
    });
}
