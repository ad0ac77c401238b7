/**
 * Writes programs/paraloom/idl/paraloom.json: an Anchor-format (spec 0.1.0) IDL of the C program, so
 * Anchor's TS client and Codama can decode its accounts and build its instructions. The layouts here
 * must match programs/paraloom/src/paraloom.h; programs/paraloom/tests/idl.test.ts checks the sizes and
 * discriminators against the program and the client.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PARALOOM_DEV_PROGRAM_ID, PROGRAM_ERROR_BASE, PROGRAM_ERROR_CODES } from '../src/bridge/index.js';
import { buildIdl } from './idl.js';

const out = fileURLToPath(new URL('../programs/paraloom/idl/paraloom.json', import.meta.url));
writeFileSync(
  out,
  `${JSON.stringify(buildIdl(PARALOOM_DEV_PROGRAM_ID, PROGRAM_ERROR_BASE, PROGRAM_ERROR_CODES), null, 2)}\n`,
);
