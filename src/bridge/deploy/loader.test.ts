import { AccountRole, address, generateKeyPairSigner } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { loadParaloomProgram } from '../genesis.js';
import {
  CLOCK_SYSVAR_ID,
  closeInstruction,
  decodeLoaderState,
  deployedElf,
  deployWithMaxDataLenInstruction,
  elfLength,
  encodeProgramAccount,
  encodeProgramData,
  findProgramDataAddress,
  initializeBufferInstruction,
  LOADER_V3_ID,
  RENT_SYSVAR_ID,
  setAuthorityInstruction,
  upgradeInstruction,
  writeInstruction,
} from './loader.js';

const hex = (b: ArrayLike<number> | undefined) => Buffer.from(Uint8Array.from(b ?? [])).toString('hex');
const SYSTEM = address('11111111111111111111111111111111');

describe('upgradeable loader instructions (bincode: u32 LE tag, then the fields)', () => {
  it('encodes each instruction to its known bytes', async () => {
    const a = await generateKeyPairSigner();
    const b = address('11111111111111111111111111111112');
    expect(hex(initializeBufferInstruction(b, a.address).data)).toBe('00000000');
    // Write { offset: u32 0x01020304, bytes: Vec<u8> [aa bb] with a u64 length }
    expect(hex(writeInstruction(b, a, 0x01020304, new Uint8Array([0xaa, 0xbb])).data)).toBe(
      '01000000' + '04030201' + '0200000000000000' + 'aabb',
    );
    // DeployWithMaxDataLen { max_data_len: u64 75184 = 0x125b0 }
    const accounts = { payer: a, programData: b, program: b, buffer: b, authority: a };
    expect(hex(deployWithMaxDataLenInstruction(accounts, 75_184).data)).toBe('02000000' + 'b025010000000000');
    expect(hex(upgradeInstruction({ ...accounts, spill: b }).data)).toBe('03000000');
    expect(hex(setAuthorityInstruction(b, a, undefined).data)).toBe('04000000');
    expect(hex(closeInstruction(b, b, a).data)).toBe('05000000');
  });

  it('lists the accounts in the loader order, with their roles', async () => {
    const [payer, auth] = await Promise.all([generateKeyPairSigner(), generateKeyPairSigner()]);
    const [pd, prog, buf] = [
      address('11111111111111111111111111111112'),
      address('11111111111111111111111111111113'),
      address('11111111111111111111111111111114'),
    ];
    const deploy = deployWithMaxDataLenInstruction(
      { payer, programData: pd, program: prog, buffer: buf, authority: auth },
      100,
    );
    expect(deploy.programAddress).toBe(LOADER_V3_ID);
    expect(deploy.accounts!.map((m) => [m.address, m.role])).toEqual([
      [payer.address, AccountRole.WRITABLE_SIGNER],
      [pd, AccountRole.WRITABLE],
      [prog, AccountRole.WRITABLE],
      [buf, AccountRole.WRITABLE],
      [RENT_SYSVAR_ID, AccountRole.READONLY],
      [CLOCK_SYSVAR_ID, AccountRole.READONLY],
      [SYSTEM, AccountRole.READONLY],
      [auth.address, AccountRole.READONLY_SIGNER],
    ]);
    const up = upgradeInstruction({
      programData: pd,
      program: prog,
      buffer: buf,
      spill: payer.address,
      authority: auth,
    });
    expect(up.accounts!.map((m) => [m.address, m.role])).toEqual([
      [pd, AccountRole.WRITABLE],
      [prog, AccountRole.WRITABLE],
      [buf, AccountRole.WRITABLE],
      [payer.address, AccountRole.WRITABLE],
      [RENT_SYSVAR_ID, AccountRole.READONLY],
      [CLOCK_SYSVAR_ID, AccountRole.READONLY],
      [auth.address, AccountRole.READONLY_SIGNER],
    ]);
    expect(setAuthorityInstruction(pd, auth, buf).accounts!.map((m) => m.role)).toEqual([
      AccountRole.WRITABLE,
      AccountRole.READONLY_SIGNER,
      AccountRole.READONLY,
    ]);
  });

  it('refuses arguments the encoding cannot carry, with a typed error', async () => {
    const a = await generateKeyPairSigner();
    expect(() => writeInstruction(a.address, a, 2 ** 32, new Uint8Array(1))).toThrow(
      expect.objectContaining({ code: 'ARGUMENT_INVALID' }),
    );
    const accounts = {
      payer: a,
      programData: a.address,
      program: a.address,
      buffer: a.address,
      authority: a,
    };
    expect(() => deployWithMaxDataLenInstruction(accounts, 0)).toThrow(
      expect.objectContaining({ code: 'ARGUMENT_INVALID' }),
    );
    expect(() => deployWithMaxDataLenInstruction(accounts, 10 * 1024 * 1024 + 1)).toThrow(
      expect.objectContaining({ code: 'ARGUMENT_INVALID' }),
    );
  });
});

describe('loader account states', () => {
  it('decodes what it encodes: ProgramData (slot, authority, padded ELF) and Program', async () => {
    const auth = (await generateKeyPairSigner()).address;
    const elf = loadParaloomProgram();
    const data = encodeProgramData(7n, auth, elf, 2 * elf.length);
    expect(data.length).toBe(45 + 2 * elf.length);
    const s = decodeLoaderState(data);
    expect(s).toMatchObject({ kind: 'programData', slot: 7n, authority: auth });
    if (s.kind !== 'programData') throw new Error('unreachable');
    expect(hex(deployedElf(s.bytes))).toBe(hex(elf));
    const immutable = decodeLoaderState(encodeProgramData(1n, null, elf, elf.length));
    expect(immutable).toMatchObject({ kind: 'programData', authority: null });
    const pd = await findProgramDataAddress(auth);
    expect(decodeLoaderState(encodeProgramAccount(pd))).toEqual({ kind: 'program', programData: pd });
    expect(decodeLoaderState(new Uint8Array(4))).toEqual({ kind: 'uninitialized' });
  });

  it('refuses data that is no loader state', () => {
    for (const bad of [new Uint8Array(2), new Uint8Array([9, 0, 0, 0]), new Uint8Array([3, 0, 0, 0, 1])]) {
      expect(() => decodeLoaderState(bad)).toThrow(
        expect.objectContaining({ code: 'ACCOUNT_DECODE_FAILED' }),
      );
    }
    const badFlag = encodeProgramData(0n, null, new Uint8Array(8), 8);
    badFlag[12] = 2;
    expect(() => decodeLoaderState(badFlag)).toThrow(
      expect.objectContaining({ code: 'ACCOUNT_DECODE_FAILED' }),
    );
  });

  it('measures the ELF from its headers, keeping its own trailing zero bytes', () => {
    const elf = loadParaloomProgram();
    expect(elf.at(-1)).toBe(0); // the committed .so ends in zeros: stripping them would cut it
    expect(elfLength(elf)).toBe(elf.length);
    const padded = new Uint8Array(2 * elf.length);
    padded.set(elf);
    expect(elfLength(padded)).toBe(elf.length);
    expect(deployedElf(padded).length).toBe(elf.length);
    expect(elfLength(new Uint8Array(100))).toBeUndefined();
    expect(elfLength(elf.subarray(0, 1000))).toBeUndefined();
  });
});
