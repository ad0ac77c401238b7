/**
 * sbf-link: `tsx tools/sbf-link/cli.ts -o out.so a.o b.o ...` links clang BPF objects into a Solana
 * SBPFv0 program. Inputs are linked in the order given, so the output is a pure function of them.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { LinkError, linkSharedObject, readObject } from './index.js';

function main(argv: string[]): number {
  let out: string | undefined;
  let entry = 'entrypoint';
  const inputs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '-o') out = argv[++i];
    else if (a === '--entry') entry = argv[++i] ?? entry;
    else inputs.push(a);
  }
  if (!out || inputs.length === 0) {
    process.stderr.write('usage: sbf-link -o out.so [--entry name] input.o...\n');
    return 2;
  }
  try {
    const objects = inputs.map((p) => readObject(basename(p), new Uint8Array(readFileSync(p))));
    writeFileSync(out, linkSharedObject(objects, entry));
    return 0;
  } catch (e) {
    if (e instanceof LinkError) {
      process.stderr.write(`sbf-link: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

process.exitCode = main(process.argv.slice(2));
