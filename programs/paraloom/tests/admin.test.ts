import { describe, expect, it } from 'vitest';
import {
  decodeBridgeState,
  decodeValidatorRegistry,
  type InitializeParams,
  initializeInstruction,
  LAMPORTS_PER_SOL,
  PROGRAM_VERSION,
  pauseInstruction,
  unpauseInstruction,
} from '../../../src/bridge/index.js';
import { newTestKey, ProgramHarness } from '../../../src/bridge/testing/index.js';

const PARAMS: InitializeParams = {
  cluster: 0,
  minStake: LAMPORTS_PER_SOL,
  depositCap: 100n * LAMPORTS_PER_SOL,
  unbondingSlots: 100n,
  slashBps: 1000,
  reporterBps: 5000,
  icCount: 9,
};

describe('initialize', () => {
  it('lets the upgrade authority initialize once and records every parameter', async () => {
    const admin = await newTestKey();
    const h = await ProgramHarness.create({ upgradeAuthority: admin.address });
    h.fund(admin.address, 10n);
    const pd = await h.programDataAddress();
    const res = await h.send([initializeInstruction(h.addresses, admin.signer, pd, PARAMS)]);
    expect(res.error?.code, res.logs.join('\n')).toBeUndefined();
    expect(res.ok).toBe(true);
    const s = decodeBridgeState(h.accountData(h.addresses.bridgeState)!);
    expect(s.programVersion).toBe(PROGRAM_VERSION);
    expect(s.admin).toBe(admin.address);
    expect(s.minStake).toBe(PARAMS.minStake);
    expect([s.quorumNum, s.quorumDen]).toEqual([2, 3]);
    expect(decodeValidatorRegistry(h.accountData(h.addresses.validatorRegistry)!).active).toBe(0);

    const again = await h.send([initializeInstruction(h.addresses, admin.signer, pd, PARAMS)]);
    expect(again.error?.code).toBe('ALREADY_INITIALIZED');
  });

  it('refuses a front-runner who is not the upgrade authority', async () => {
    const admin = await newTestKey();
    const h = await ProgramHarness.create({ upgradeAuthority: admin.address });
    const attacker = await h.fundedKey();
    const res = await h.send([
      initializeInstruction(h.addresses, attacker.signer, await h.programDataAddress(), PARAMS),
    ]);
    expect(res.error?.code).toBe('UNAUTHORIZED');
    expect(h.accountData(h.addresses.bridgeState)).toBeNull();
  });
});

describe('pause / unpause', () => {
  it('admin only, and only as a change of state', async () => {
    const admin = await newTestKey();
    const h = await ProgramHarness.create({ upgradeAuthority: admin.address });
    h.fund(admin.address, 10n);
    expect(
      (await h.send([initializeInstruction(h.addresses, admin.signer, await h.programDataAddress(), PARAMS)]))
        .ok,
    ).toBe(true);
    const other = await h.fundedKey();
    expect((await h.send([pauseInstruction(h.addresses, other.signer)])).error?.code).toBe('UNAUTHORIZED');
    expect((await h.send([unpauseInstruction(h.addresses, admin.signer)])).error?.code).toBe(
      'PAUSE_STATE_UNCHANGED',
    );
    expect((await h.send([pauseInstruction(h.addresses, admin.signer)])).ok).toBe(true);
    expect(decodeBridgeState(h.accountData(h.addresses.bridgeState)!).paused).toBe(true);
    expect((await h.send([unpauseInstruction(h.addresses, admin.signer)])).ok).toBe(true);
    expect(decodeBridgeState(h.accountData(h.addresses.bridgeState)!).paused).toBe(false);
  });
});
