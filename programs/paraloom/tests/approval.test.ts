import { sha256 } from '@noble/hashes/sha2.js';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ANCHOR_RING,
  type AnchorFields,
  closeApprovalInstruction,
  decodeApproval,
  findApprovalPda,
  SIZES,
  withdrawInstruction,
} from '../../../src/bridge/index.js';
import {
  anchorInstructions,
  type Deployment,
  deploy,
  prepareWithdrawal,
  registerValidators,
  type TestKey,
  type WithdrawScenario,
} from '../../../src/bridge/testing/index.js';
import { bigintToBytesBE } from '../../../src/common/index.js';
import { fieldToBytesBE, randomField, shutdownProver } from '../../../src/privacy/index.js';

/** q, BN254's base field modulus: the bound of a canonical point coordinate. */
const Q = 21888242871839275222246405745257275088696311157297823662689037894645226208583n;

afterAll(() => shutdownProver());

async function setUp(opts: Parameters<typeof prepareWithdrawal>[2] = {}): Promise<{
  d: Deployment;
  vals: TestKey[];
  sc: WithdrawScenario;
}> {
  const d = await deploy();
  const vals = await registerValidators(d.h, 4);
  const sc = await prepareWithdrawal(d, vals, opts);
  return { d, vals, sc };
}

const withdraw = (d: Deployment, sc: WithdrawScenario, over: Partial<WithdrawScenario['args']> = {}) =>
  withdrawInstruction(d.h.addresses, d.h.payer.signer, { ...sc.args, ...over });

describe('approvals', () => {
  it('live in their own account, paid by the submitter, and outlive the 64-anchor ring', async () => {
    const { d, vals, sc } = await setUp();
    const { h } = d;
    const submitter = vals[0]!;
    const before = h.balance(submitter.address);
    const anchored = await sc.approvalAnchor();
    expect(anchored.ok, anchored.logs.join('\n')).toBe(true);
    const [pda] = await findApprovalPda(h.addresses.programId, sc.approvalFields.height);
    const approval = decodeApproval(h.accountData(pda)!);
    expect(approval).toEqual({
      height: sc.approvalFields.height,
      withdrawalsRoot: sc.approvalFields.withdrawalsRoot,
      maxExpirationSlot: sc.args.expirationSlot,
      payer: submitter.address,
    });
    const rent = h.balance(pda);
    expect(rent).toBe(h.svm.minimumBalanceForRentExemption(BigInt(SIZES.approval)));
    expect(before - h.balance(submitter.address)).toBeGreaterThanOrEqual(rent);

    // 64 more anchors rotate the ring past the approving one (and past the root the proof spends from).
    const fields = (height: bigint): AnchorFields => ({
      ...sc.approvalFields,
      height,
      root: fieldToBytesBE(randomField()),
      withdrawalsRoot: new Uint8Array(32),
      blockHash: sha256(Uint8Array.of(Number(height % 251n))),
      maxExpirationSlot: 0n,
    });
    for (let i = 1n; i <= BigInt(ANCHOR_RING); i++) {
      const height = sc.approvalFields.height + i;
      const r = await h.send(
        await anchorInstructions(h, submitter, vals.slice(1), fields(height)),
        submitter,
      );
      expect(r.ok, r.logs.join('\n')).toBe(true);
    }
    const settled = await h.send([await withdraw(d, sc)]);
    expect(settled.ok, settled.logs.join('\n')).toBe(true);
  }, 120_000);

  it('close only after their withdrawals expired, pay the rent back, and approve nothing after', async () => {
    // An approval that expires before the withdrawal does (the cohort signed an earlier maximum):
    // once closed, the still-unexpired withdrawal is refused for want of an approval.
    const { d, vals, sc } = await setUp();
    const { h } = d;
    const submitter = vals[0]!;
    const early: AnchorFields = { ...sc.approvalFields, maxExpirationSlot: h.slot() + 10n };
    const anchored = await h.send(await anchorInstructions(h, submitter, vals.slice(1), early), submitter);
    expect(anchored.ok, anchored.logs.join('\n')).toBe(true);
    const [pda] = await findApprovalPda(h.addresses.programId, early.height);
    const close = (payer = submitter.address) => closeApprovalInstruction(h.addresses, early.height, payer);

    const notYet = await h.send([await close()]);
    expect(notYet.error?.code, notYet.logs.join('\n')).toBe('APPROVAL_NOT_EXPIRED');
    h.warpTo(early.maxExpirationSlot + 1n);
    const wrongPayer = await h.send([await close(vals[1]!.address)]);
    expect(wrongPayer.error?.code).toBe('ACCOUNT_MISMATCH');

    const rent = h.balance(pda);
    const before = h.balance(submitter.address);
    const closed = await h.send([await close()]);
    expect(closed.ok, closed.logs.join('\n')).toBe(true);
    expect(h.balance(submitter.address)).toBe(before + rent);
    expect(h.accountData(pda)).toBeNull();
    expect((await h.send([await close()])).error?.code).toBe('INVALID_ACCOUNT_DATA');

    expect(h.slot()).toBeLessThanOrEqual(sc.args.expirationSlot);
    const refused = await h.send([await withdraw(d, sc)]);
    expect(refused.error?.code, refused.logs.join('\n')).toBe('UNKNOWN_APPROVAL_HEIGHT');
  }, 120_000);

  it('an anchor approving nothing creates no approval and must sign a zero max_expiration_slot', async () => {
    const { d, vals, sc } = await setUp();
    const { h } = d;
    const none: AnchorFields = { ...sc.approvalFields, withdrawalsRoot: new Uint8Array(32) };
    const r = await h.send(await anchorInstructions(h, vals[0]!, vals.slice(1), none), vals[0]!);
    expect(r.error?.code).toBe('INVALID_PARAMETER');
    const ok = await h.send(
      await anchorInstructions(h, vals[0]!, vals.slice(1), { ...none, maxExpirationSlot: 0n }),
      vals[0]!,
    );
    expect(ok.ok, ok.logs.join('\n')).toBe(true);
    const [pda] = await findApprovalPda(h.addresses.programId, none.height);
    expect(h.accountData(pda)).toBeNull();
  }, 120_000);
});

describe('compressed proofs', () => {
  it('refuse a flipped bit, a non-canonical x, the infinity flag and an x off the curve', async () => {
    const { d, sc } = await setUp();
    const { h } = d;
    expect((await sc.approvalAnchor()).ok).toBe(true);
    const refused = async (proof: Uint8Array): Promise<string | undefined> =>
      (await h.send([await withdraw(d, sc, { proof })])).error?.code;

    // Any single flipped bit of any point: either no point decompresses, or the pairing fails.
    for (const bit of [0, 7, 40, 95 * 8 + 3, 127 * 8]) {
      const flipped = new Uint8Array(sc.args.proof);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(['PROOF_POINT_INVALID', 'PROOF_INVALID']).toContain(await refused(flipped));
    }
    const withX = (at: number, x: bigint, flags = 0): Uint8Array => {
      const p = new Uint8Array(sc.args.proof);
      const be = bigintToBytesBE(x, 32);
      be[0]! |= flags;
      p.set(be, at);
      return p;
    };
    // x = q: the same residue as 0, in a second encoding.
    expect(await refused(withX(96, Q))).toBe('PROOF_POINT_INVALID');
    expect(await refused(withX(32 + 32, Q))).toBe('PROOF_POINT_INVALID');
    expect(await refused(withX(0, 0n, 0x40))).toBe('PROOF_POINT_INVALID');
    expect(await refused(withX(0, 0n))).toBe('PROOF_POINT_INVALID');
    // x^3 + 3 is not a square mod q for x = 4, so no G1 point has that abscissa.
    expect(await refused(withX(96, 4n))).toBe('PROOF_POINT_INVALID');

    const settled = await h.send([await withdraw(d, sc)]);
    expect(settled.ok, settled.logs.join('\n')).toBe(true);
  }, 120_000);
});
