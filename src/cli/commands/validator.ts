import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { generateKeypair, writeKeypairFile } from '../../validator/index.js';

export function registerValidatorCommand(program: Command): void {
  const validator = program.command('validator').description("the validator's key and role");
  validator
    .command('keygen')
    .description('create a validator keypair file (Solana JSON format, mode 0600) and print its address')
    .option('--config <file>', 'node config; the key goes to its validator.key_file')
    .option('--out <file>', 'write here instead of validator.key_file')
    .option('--force', 'overwrite an existing key file (the old key is lost)')
    .action(async (opts: { config?: string; out?: string; force?: boolean }) => {
      const path = opts.out ?? (await loadConfig(opts.config)).validator.keyFile;
      const keypair = generateKeypair();
      await writeKeypairFile(path, keypair, { force: Boolean(opts.force) });
      console.log(`wrote ${path}`);
      console.log(`validator address: ${keypair.address}`);
    });
}
