import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  ACCOUNT_NAMES,
  accountDiscriminator,
  EVENT_NAMES,
  eventDiscriminator,
  INSTRUCTION_NAMES,
  instructionDiscriminator,
  PARALOOM_DEV_PROGRAM_ID,
  PROGRAM_ERROR_BASE,
  PROGRAM_ERROR_CODES,
} from '../../../src/bridge/index.js';
import { bytesToHex } from '../../../src/common/index.js';
import { buildIdl } from '../../../tools/idl.js';

const read = (p: string): string =>
  readFileSync(fileURLToPath(new URL(`../../../${p}`, import.meta.url)), 'utf8');
const snake = (s: string): string => s.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
/** The C header stores each discriminator as a little-endian u64 literal. */
const cValue = (header: string, name: string): string => {
  const m = header.match(new RegExp(`#define ${name} 0x([0-9a-f]{16})ULL`));
  if (!m) throw new Error(`${name} missing from discriminators.h`);
  return bytesToHex(Uint8Array.from(Buffer.from(m[1]!, 'hex')).reverse());
};

describe('program interface description', () => {
  const header = read('programs/paraloom/src/discriminators.h');

  it('C discriminators are sha256("global:|account:|event:<name>")[..8]', () => {
    for (const n of INSTRUCTION_NAMES)
      expect(cValue(header, `IX_${n.toUpperCase()}`)).toBe(bytesToHex(instructionDiscriminator(n)));
    for (const n of ACCOUNT_NAMES)
      expect(cValue(header, `DISC_${snake(n)}`)).toBe(bytesToHex(accountDiscriminator(n)));
    for (const n of EVENT_NAMES)
      expect(cValue(header, `EVENT_${snake(n)}`)).toBe(bytesToHex(eventDiscriminator(n)));
  });

  it('error numbers in the C program match the client codes one for one', () => {
    const h = read('programs/paraloom/src/paraloom.h');
    const found = [...h.matchAll(/ERR_([A-Z0-9_]+) = (\d+),/g)].map((m) => [m[1], Number(m[2])]);
    expect(found).toEqual(PROGRAM_ERROR_CODES.map((c, i) => [c, PROGRAM_ERROR_BASE + i]));
  });

  it('the committed IDL is the generated one (npx tsx tools/gen-idl.ts)', () => {
    const committed: unknown = JSON.parse(read('programs/paraloom/idl/paraloom.json'));
    expect(committed).toEqual(
      JSON.parse(JSON.stringify(buildIdl(PARALOOM_DEV_PROGRAM_ID, PROGRAM_ERROR_BASE, PROGRAM_ERROR_CODES))),
    );
  });
});
