import { Command } from 'commander';
import { isParaloomError } from '../common/index.js';
import { registerCeremonyCommand } from './commands/ceremony.js';
import { registerComputeCommand } from './commands/compute.js';
import { registerConfigCommand } from './commands/config.js';
import { registerDevnetCommand } from './commands/devnet.js';
import { registerKeygenCommand } from './commands/keygen.js';
import { registerLocalnetCommand } from './commands/localnet.js';
import { registerNodeCommand } from './commands/node.js';
import { registerProgramCommand } from './commands/program.js';
import { registerValidatorCommand } from './commands/validator.js';
import { registerWalletCommand } from './commands/wallet.js';
import { registerVerifyDisclosureCommand } from './commands/wallet-disclose.js';

const program = new Command();
program.name('paraloom').description('Paraloom: a privacy Layer 2 for Solana').version('0.1.0');

program
  .command('demo')
  .description('prove and verify a private transfer end to end with the committed dev keys')
  .option('--json', 'print one JSON object instead of a narrative')
  .action(async (opts: { json?: boolean }) => {
    // Every command's heavy stack (snarkjs here) loads in its action: `--help` and the others start without it.
    const { runDemo } = await import('./commands/demo.js');
    const report = await runDemo({ json: Boolean(opts.json), log: (line) => console.log(line) });
    if (opts.json) console.log(JSON.stringify(report));
  });

registerCeremonyCommand(program);

registerComputeCommand(program);

registerLocalnetCommand(program);

registerDevnetCommand(program);

registerConfigCommand(program);

registerValidatorCommand(program);

registerNodeCommand(program);

registerProgramCommand(program);

registerWalletCommand(program);

registerVerifyDisclosureCommand(program);

registerKeygenCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  if (isParaloomError(e)) {
    console.error(`error [${e.code}]: ${e.message}`);
    if (Object.keys(e.context).length) console.error(JSON.stringify(e.context));
  } else {
    console.error(e instanceof Error ? e.stack : String(e));
  }
  process.exitCode = 1;
}
