import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PARALOOM_DEV_PROGRAM_ID } from '../../../src/bridge/index.js';
import { ProgramHarness } from '../../../src/bridge/testing/index.js';
import { LinkError, linkSharedObject, type ObjectFile, readObject } from '../../../tools/sbf-link/index.js';

const fixture = (name: string): ObjectFile =>
  readObject(
    name,
    new Uint8Array(
      readFileSync(fileURLToPath(new URL(`../../../tools/sbf-link/fixtures/${name}`, import.meta.url))),
    ),
  );

async function run(so: Uint8Array) {
  const h = await ProgramHarness.create({ so });
  return h.send([{ programAddress: PARALOOM_DEV_PROGRAM_ID, accounts: [], data: new Uint8Array([1]) }]);
}

describe('sbf-link', () => {
  it('links two objects (cross-object calls, rodata tables, a pointer table, syscalls) into a program LiteSVM runs', async () => {
    const so = linkSharedObject([fixture('main.o'), fixture('tables.o')]);
    const res = await run(so);
    expect(res.ok, `${res.runtimeError} ${res.logs.join('\n')}`).toBe(true);
    expect(res.logs).toContain('Program log: linked across objects');
  });

  it('is deterministic: the same inputs give the same bytes', () => {
    const a = linkSharedObject([fixture('main.o'), fixture('tables.o')]);
    const b = linkSharedObject([fixture('main.o'), fixture('tables.o')]);
    expect(a).toEqual(b);
  });

  it('puts every section at an address equal to its file offset and marks syscalls for the loader', () => {
    const so = linkSharedObject([fixture('main.o'), fixture('tables.o')]);
    const v = new DataView(so.buffer);
    expect(v.getUint16(16, true)).toBe(3); // ET_DYN
    const shoff = Number(v.getBigUint64(40, true));
    const shnum = v.getUint16(60, true);
    for (let i = 1; i < shnum; i++) {
      const h = shoff + i * 64;
      const addr = v.getBigUint64(h + 16, true);
      if (addr !== 0n) expect(addr).toBe(v.getBigUint64(h + 24, true));
    }
    expect(new TextDecoder().decode(so)).toContain('sol_log_\0');
  });

  it('rejects writable globals, unknown symbols, a missing entry point and non-objects with clear errors', () => {
    expect(() => linkSharedObject([fixture('writable.o')])).toThrow(/writable/);
    expect(() => linkSharedObject([fixture('undefined.o')])).toThrow(/undefined symbol not_a_syscall/);
    expect(() => linkSharedObject([fixture('tables.o')])).toThrow(/entry symbol entrypoint is not defined/);
    expect(() => linkSharedObject([fixture('main.o')])).toThrow(/undefined symbol greeting/);
    expect(() => linkSharedObject([fixture('main.o'), fixture('tables.o'), fixture('tables.o')])).toThrow(
      /duplicate symbol/,
    );
    expect(() => readObject('x.o', new Uint8Array(100))).toThrow(LinkError);
  });

  it('rejects an unknown relocation type and an unknown allocated section', () => {
    const main = fixture('main.o');
    const [target, relocs] = [...main.relocations][0]!;
    const badReloc: ObjectFile = {
      ...main,
      relocations: new Map([[target, relocs.map((r, i) => (i === 0 ? { ...r, type: 99 } : r))]]),
    };
    expect(() => linkSharedObject([badReloc, fixture('tables.o')])).toThrow(/unsupported relocation type 99/);
    const tables = fixture('tables.o');
    const badSection: ObjectFile = {
      ...tables,
      sections: tables.sections.map((s) => (s.name === '.rodata' ? { ...s, name: '.mystery' } : s)),
    };
    expect(() => linkSharedObject([main, badSection])).toThrow(/not a recognised section/);
  });
});
