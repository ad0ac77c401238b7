/**
 * `paraloom keygen [--out <file>]`: a Solana keypair file in the Solana CLI's format (a JSON array
 * of the 64 keypair bytes, mode 0600, never over an existing file), to pay deposits on clusters
 * where `wallet deposit --airdrop` does not exist. The file works with `solana` and `solana-keygen`.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';

/** Where the Solana CLI keeps its default keypair; `paraloom keygen` writes there unless told. */
export const DEFAULT_KEYPAIR_PATH = join(homedir(), '.config', 'solana', 'id.json');

/** Writes a fresh keypair to `path` and returns its address (base58 public key). */
export async function writeFreshKeypair(path: string): Promise<string> {
  const { generateKeypair, writeKeypairFile } = await import('../../validator/index.js');
  const keypair = generateKeypair();
  await writeKeypairFile(path, keypair);
  return keypair.address;
}

export function registerKeygenCommand(program: Command): void {
  program
    .command('keygen')
    .description('write a new Solana keypair file (JSON array of 64 bytes, mode 0600; never overwrites)')
    .option('--out <file>', 'where to write it', DEFAULT_KEYPAIR_PATH)
    .option('--json', 'print one JSON object')
    .action(async (o: { out: string; json?: boolean }) => {
      const address = await writeFreshKeypair(o.out);
      console.log(o.json ? JSON.stringify({ path: o.out, address }) : `wrote ${o.out}\naddress ${address}`);
    });
}
