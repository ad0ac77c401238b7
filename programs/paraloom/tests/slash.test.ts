import { describe, expect, it } from 'vitest';
import {
  buildEd25519Instruction,
  claimRewardsInstruction,
  decodeBridgeState,
  decodeValidatorAccount,
  decodeValidatorRegistry,
  encodeVoteMessage,
  findValidatorPda,
  LAMPORTS_PER_SOL,
  slashInstruction,
  type VoteFields,
  voteSlotKey,
} from '../../../src/bridge/index.js';
import type { ProgramHarness, TestKey } from '../../../src/bridge/testing/index.js';
import { bytes32, deploy, registerValidators, TEST_PARAMS } from '../../../src/bridge/testing/index.js';

const vote = (blockFill: number, over: Partial<VoteFields> = {}): VoteFields => ({
  height: 7n,
  round: 2,
  voteType: 'precommit',
  blockHash: bytes32(blockFill),
  ...over,
});

async function evidence(
  h: ProgramHarness,
  signer: TestKey,
  a: VoteFields,
  b: VoteFields,
  reporter: TestKey,
  credit = false,
) {
  const ma = encodeVoteMessage(h.addresses.programId, TEST_PARAMS.cluster, a);
  const mb = encodeVoteMessage(h.addresses.programId, TEST_PARAMS.cluster, b);
  return [
    buildEd25519Instruction([
      { publicKey: signer.publicKey, signature: signer.sign(ma), message: ma },
      { publicKey: signer.publicKey, signature: signer.sign(mb), message: mb },
    ]),
    await slashInstruction(h.addresses, reporter.signer, {
      validator: signer.address,
      voteSlot: voteSlotKey(a),
      signatureA: 0,
      signatureB: 1,
      creditToValidatorAccount: credit,
    }),
  ];
}

describe('slash', () => {
  it('slashes an equivocating validator once, rewards the reporter, and needs no admin', async () => {
    const { h } = await deploy({ withVerifyingKey: false });
    // The offender stakes exactly the minimum, so any slash takes it below and deactivates it.
    const [offender] = await registerValidators(h, 1, 1n);
    const [reporterValidator] = await registerValidators(h, 1, 10n);
    const reporter = await h.fundedKey();
    const p = h.addresses;
    const [pda] = await findValidatorPda(p.programId, offender!.address);
    const stake = LAMPORTS_PER_SOL;
    const slashed = (stake * 1000n) / 10000n;
    const reward = (slashed * 5000n) / 10000n;

    // Rejections first: none of them may change anything.
    const bad: [string, Awaited<ReturnType<typeof evidence>>][] = [
      ['same vote twice', await evidence(h, offender!, vote(1), vote(1), reporter)],
      ['different rounds', await evidence(h, offender!, vote(1), vote(2, { round: 3 }), reporter)],
      ['different types', await evidence(h, offender!, vote(1), vote(2, { voteType: 'prevote' }), reporter)],
      ['signed by someone else', await evidence(h, reporter, vote(1), vote(2), reporter)],
    ];
    for (const [name, ixs] of bad) {
      // 'signed by someone else' names the offender's PDA while the votes carry another key.
      if (name === 'signed by someone else') {
        const slash = await slashInstruction(p, reporter.signer, {
          validator: offender!.address,
          voteSlot: voteSlotKey(vote(1)),
          signatureA: 0,
          signatureB: 1,
        });
        ixs[1] = slash;
      }
      const r = await h.send(ixs, reporter);
      expect(r.error?.code, name).toBe('EVIDENCE_INVALID');
    }
    expect(decodeValidatorAccount(h.accountData(pda)!).stake).toBe(stake);

    const reporter0 = h.balance(reporter.address);
    const ok = await h.send(await evidence(h, offender!, vote(1), vote(2), reporter), reporter);
    expect(ok.ok, ok.logs.join('\n')).toBe(true);
    const v = decodeValidatorAccount(h.accountData(pda)!);
    expect(v).toMatchObject({
      stake: stake - slashed,
      totalSlashed: slashed,
      slashCount: 1,
      reputation: 5000,
      active: false,
    });
    const reg = decodeValidatorRegistry(h.accountData(p.validatorRegistry)!);
    expect(reg.active).toBe(1);
    expect(reg.totalActiveStake).toBe(10n * LAMPORTS_PER_SOL);
    expect(v.unbondingUntil).toBeGreaterThan(0n);
    expect(decodeBridgeState(h.accountData(p.bridgeState)!).totalSlashed).toBe(slashed);
    // reward minus the fee and the SlashRecord's rent, both paid by the reporter
    expect(h.balance(reporter.address)).toBeGreaterThan(reporter0 + reward - 2_000_000n);
    expect(h.balance(reporter.address)).toBeLessThan(reporter0 + reward);

    const replay = await h.send(await evidence(h, offender!, vote(1), vote(2), reporter), reporter);
    expect(replay.error?.code).toBe('EVIDENCE_USED');
    const swapped = await h.send(await evidence(h, offender!, vote(3), vote(1), reporter), reporter);
    expect(swapped.error?.code).toBe('EVIDENCE_USED');

    // A validator reporting can have the reward accrue to its account and claim it.
    const second = await evidence(
      h,
      offender!,
      vote(1, { height: 8n }),
      vote(2, { height: 8n }),
      reporterValidator!,
      true,
    );
    expect((await h.send(second, reporterValidator!)).ok).toBe(true);
    const [rpda] = await findValidatorPda(p.programId, reporterValidator!.address);
    const pending = decodeValidatorAccount(h.accountData(rpda)!).pendingRewards;
    expect(pending).toBeGreaterThan(0n);
    const before = h.balance(reporterValidator!.address);
    expect(
      (await h.send([await claimRewardsInstruction(p, reporterValidator!.signer)], reporterValidator!)).ok,
    ).toBe(true);
    expect(h.balance(reporterValidator!.address)).toBe(before + pending - 5000n);
    expect(decodeValidatorAccount(h.accountData(rpda)!).pendingRewards).toBe(0n);
  });
});
