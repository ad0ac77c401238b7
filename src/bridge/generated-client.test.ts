// The client generated from the IDL must describe the program the hand-kept constants (and the C program,
// test/program-idl.test.ts) describe: PDA seeds, account sizes, discriminators and error numbers.
import { address } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../common/index.js';
import {
  accountDiscriminator,
  INSTRUCTION_NAMES,
  instructionDiscriminator,
  PARALOOM_DEV_PROGRAM_ID,
  SIZES,
} from './constants.js';
import { PROGRAM_ERROR_BASE, PROGRAM_ERROR_CODES } from './errors.js';
import * as client from './generated/index.js';
import {
  findBridgeStatePda,
  findValidatorPda,
  findValidatorRegistryPda,
  findVaultPda,
  findVerifyingKeyPda,
} from './pda.js';

const OTHER_DEPLOYMENT = address('Evi1111111111111111111111111111111111111111');
const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

describe('generated program client', () => {
  it('derives every PDA the IDL declares as the program does, for the dev id and another deployment', async () => {
    const validator = address('Va1idator1111111111111111111111111111111111');
    for (const programAddress of [PARALOOM_DEV_PROGRAM_ID, OTHER_DEPLOYMENT]) {
      const cfg = { programAddress };
      expect(await client.findBridgeStatePda(cfg)).toEqual(await findBridgeStatePda(programAddress));
      expect(await client.findVaultPda(cfg)).toEqual(await findVaultPda(programAddress));
      expect(await client.findValidatorRegistryPda(cfg)).toEqual(
        await findValidatorRegistryPda(programAddress),
      );
      expect(await client.findVerifyingKeyPda(cfg)).toEqual(await findVerifyingKeyPda(programAddress));
      expect(await client.findValidatorAccountPda({ validator }, cfg)).toEqual(
        await findValidatorPda(programAddress, validator),
      );
    }
  });

  it('has the account sizes and discriminators of the program', () => {
    const accounts = [
      ['BridgeState', client.getBridgeStateSize(), SIZES.bridgeState, client.BRIDGE_STATE_DISCRIMINATOR],
      ['Vault', client.getVaultSize(), SIZES.vault, client.VAULT_DISCRIMINATOR],
      [
        'ValidatorRegistry',
        client.getValidatorRegistrySize(),
        SIZES.validatorRegistry,
        client.VALIDATOR_REGISTRY_DISCRIMINATOR,
      ],
      [
        'ValidatorAccount',
        client.getValidatorAccountSize(),
        SIZES.validatorAccount,
        client.VALIDATOR_ACCOUNT_DISCRIMINATOR,
      ],
      [
        'NullifierRecord',
        client.getNullifierRecordSize(),
        SIZES.nullifierRecord,
        client.NULLIFIER_RECORD_DISCRIMINATOR,
      ],
      ['SlashRecord', client.getSlashRecordSize(), SIZES.slashRecord, client.SLASH_RECORD_DISCRIMINATOR],
    ] as const;
    for (const [name, generated, program, disc] of accounts) {
      expect(generated, name).toBe(program);
      expect(bytesToHex(disc), name).toBe(bytesToHex(accountDiscriminator(name)));
    }
    expect(bytesToHex(client.VERIFYING_KEY_DISCRIMINATOR)).toBe(
      bytesToHex(accountDiscriminator('VerifyingKey')),
    );
  });

  it('identifies every instruction by its discriminator', () => {
    for (const name of INSTRUCTION_NAMES) {
      const data = new Uint8Array([...instructionDiscriminator(name), 0]);
      const kind = client.identifyParaloomInstruction(data);
      expect(client.ParaloomInstruction[kind].toLowerCase()).toBe(camel(name).toLowerCase());
    }
  });

  it('numbers the program errors as the client codes do', () => {
    const generated = Object.entries(client)
      .filter(([k]) => k.startsWith('PARALOOM_ERROR__'))
      .map(([k, v]) => [k.slice('PARALOOM_ERROR__'.length), v])
      .sort((a, b) => Number(a[1]) - Number(b[1]));
    expect(generated).toEqual(PROGRAM_ERROR_CODES.map((code, i) => [code, PROGRAM_ERROR_BASE + i]));
  });
});
