import { Command } from 'commander';

const program = new Command();
program.name('paraloom').description('Paraloom: a privacy Layer 2 for Solana').version('0.1.0');

await program.parseAsync(process.argv);
