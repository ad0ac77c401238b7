import { describe, expect, it } from 'vitest';
import {
  claimRewardsInstruction,
  decodeValidatorAccount,
  decodeValidatorRegistry,
  findValidatorPda,
  LAMPORTS_PER_SOL,
  registerValidatorInstruction,
  unregisterValidatorInstruction,
  updateValidatorEndpointsInstruction,
  withdrawUnbondedInstruction,
} from '../../../src/bridge/index.js';
import { deploy, TEST_PARAMS } from '../../../src/bridge/testing/index.js';

describe('validator lifecycle', () => {
  it('registers with stake, updates endpoints, unbonds, and withdraws only after the window', async () => {
    const { h } = await deploy({ withVerifyingKey: false });
    const p = h.addresses;
    const v = await h.fundedKey(20n);
    const peerId = new Uint8Array(38).fill(7);
    const addrs = new TextEncoder().encode('/ip4/127.0.0.1/tcp/9000');

    const low = await h.send([await registerValidatorInstruction(p, v.signer, LAMPORTS_PER_SOL - 1n)]);
    expect(low.error?.code).toBe('STAKE_TOO_LOW');
    const tooLong = registerValidatorInstruction(p, v.signer, LAMPORTS_PER_SOL, new Uint8Array(65));
    await expect(tooLong).rejects.toMatchObject({ code: 'ARGUMENT_INVALID' });

    const before = h.balance(v.address);
    const ok = await h.send([
      await registerValidatorInstruction(p, v.signer, 5n * LAMPORTS_PER_SOL, peerId, addrs),
    ]);
    expect(ok.ok, ok.logs.join('\n')).toBe(true);
    const [pda] = await findValidatorPda(p.programId, v.address);
    const acc = decodeValidatorAccount(h.accountData(pda)!);
    expect(acc).toMatchObject({
      key: v.address,
      stake: 5n * LAMPORTS_PER_SOL,
      active: true,
      reputation: 10000,
    });
    expect(acc.peerId).toEqual(peerId);
    expect(acc.multiaddrs).toEqual(addrs);
    expect(before - h.balance(v.address)).toBeGreaterThan(5n * LAMPORTS_PER_SOL);
    let reg = decodeValidatorRegistry(h.accountData(p.validatorRegistry)!);
    expect(reg).toMatchObject({ total: 1, active: 1, totalActiveStake: 5n * LAMPORTS_PER_SOL });

    const again = await h.send([await registerValidatorInstruction(p, v.signer, 5n * LAMPORTS_PER_SOL)]);
    expect(again.error?.code).toBe('ALREADY_REGISTERED');

    const newAddrs = new TextEncoder().encode('/dns4/v1.example/tcp/9000');
    expect(
      (await h.send([await updateValidatorEndpointsInstruction(p, v.signer, peerId, newAddrs)])).ok,
    ).toBe(true);
    expect(decodeValidatorAccount(h.accountData(pda)!).multiaddrs).toEqual(newAddrs);
    // Another key cannot touch this validator's account: its own PDA does not exist.
    const stranger = await h.fundedKey();
    const foreign = await updateValidatorEndpointsInstruction(p, stranger.signer, peerId, newAddrs);
    const accounts = [foreign.accounts![0]!, { ...foreign.accounts![1]!, address: pda }];
    expect((await h.send([{ ...foreign, accounts }])).error?.code).toBe('ACCOUNT_MISMATCH');

    expect((await h.send([await claimRewardsInstruction(p, v.signer)])).error?.code).toBe('NO_REWARDS');
    expect((await h.send([await withdrawUnbondedInstruction(p, v.signer)])).error?.code).toBe(
      'VALIDATOR_NOT_ACTIVE',
    );

    const start = h.slot();
    expect((await h.send([await unregisterValidatorInstruction(p, v.signer)])).ok).toBe(true);
    expect((await h.send([await unregisterValidatorInstruction(p, v.signer)])).error?.code).toBe(
      'VALIDATOR_NOT_ACTIVE',
    );
    reg = decodeValidatorRegistry(h.accountData(p.validatorRegistry)!);
    expect(reg).toMatchObject({ total: 1, active: 0, totalActiveStake: 0n });
    expect(decodeValidatorAccount(h.accountData(pda)!).unbondingUntil).toBe(
      start + TEST_PARAMS.unbondingSlots,
    );

    h.warpTo(start + TEST_PARAMS.unbondingSlots - 1n);
    expect((await h.send([await withdrawUnbondedInstruction(p, v.signer)])).error?.code).toBe(
      'UNBONDING_NOT_FINISHED',
    );
    h.warpTo(start + TEST_PARAMS.unbondingSlots);
    const pdaLamports = h.balance(pda);
    const beforeClose = h.balance(v.address);
    expect((await h.send([await withdrawUnbondedInstruction(p, v.signer)], v)).ok).toBe(true);
    expect(h.accountData(pda)).toBeNull();
    expect(h.balance(v.address)).toBe(beforeClose + pdaLamports - 5000n);
    expect(decodeValidatorRegistry(h.accountData(p.validatorRegistry)!).total).toBe(0);
  });
});
