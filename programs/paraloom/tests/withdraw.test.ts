import type { Instruction } from '@solana/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  accountDiscriminator,
  findNullifierPda,
  pauseInstruction,
  unpauseInstruction,
  type WithdrawArgs,
  withdrawInstruction,
} from '../../../src/bridge/index.js';
import type { TestKey } from '../../../src/bridge/testing/index.js';
import {
  type Deployment,
  deploy,
  prepareWithdrawal,
  registerValidators,
  type WithdrawScenario,
} from '../../../src/bridge/testing/index.js';
import { bytesToHex } from '../../../src/common/index.js';
import {
  FIELD_MODULUS,
  fieldToBytesBE,
  randomField,
  shutdownProver,
  toField,
} from '../../../src/privacy/index.js';

let d: Deployment;
let vals: TestKey[];
let sc: WithdrawScenario;

beforeAll(async () => {
  d = await deploy();
  vals = await registerValidators(d.h, 4);
  sc = await prepareWithdrawal(d, vals);
  await shutdownProver();
}, 240_000);

const build = (over: Partial<WithdrawArgs> = {}): Promise<Instruction> =>
  withdrawInstruction(d.h.addresses, d.h.payer.signer, { ...sc.args, ...over });

function snapshot(): string[] {
  const p = d.h.addresses;
  return [
    bytesToHex(d.h.accountData(p.bridgeState)!),
    `${d.h.balance(p.vault)}`,
    `${d.h.balance(sc.recipient.address)}`,
  ];
}

async function expectRejected(ixs: Instruction[], code: string): Promise<void> {
  const before = snapshot();
  const r = await d.h.send(ixs);
  expect(r.error?.code ?? r.runtimeError, r.logs.join('\n')).toBe(code);
  expect(snapshot()).toEqual(before);
}

describe('withdraw', () => {
  it('needs the approving block to be anchored', async () => {
    await expectRejected([await build()], 'UNKNOWN_APPROVAL_HEIGHT');
    const r = await sc.approvalAnchor();
    expect(r.ok, r.logs.join('\n')).toBe(true);
  });

  it('rejects every malformed or unauthorised withdrawal without changing state', async () => {
    const { h } = d;
    // The approval leaf binds the root the cohort admitted the withdrawal against.
    await expectRejected([await build({ root: randomField() })], 'APPROVAL_PATH_INVALID');
    await expectRejected([await build({ fee: sc.args.fee + 1n })], 'APPROVAL_PATH_INVALID');
    await expectRejected([await build({ recipient: sc.relayer.address })], 'APPROVAL_PATH_INVALID');
    await expectRejected(
      [await build({ approval: { ...sc.args.approval, index: 1 } })],
      'APPROVAL_PATH_INVALID',
    );
    await expectRejected([await build({ fee: sc.amount + 1n })], 'FEE_TOO_HIGH');
    await expectRejected([await build({ extAmount: 0n, fee: 0n })], 'INVALID_EXT_AMOUNT');
    await expectRejected([await build({ extAmount: 5n, fee: 0n })], 'INVALID_EXT_AMOUNT');
    // Swapped outputs keep the approval leaf (it binds nullifiers and ext data) but break the proof.
    await expectRejected(
      [await build({ outputs: [sc.args.outputs[1], sc.args.outputs[0]] })],
      'PROOF_INVALID',
    );
    const tampered = new Uint8Array(sc.args.proof);
    tampered.set(sc.args.proof.subarray(96, 128), 0); // -A := C
    await expectRejected([await build({ proof: tampered })], 'PROOF_INVALID');

    // out0 = out0 + p: the same field element in non-canonical form.
    const ix = await build();
    const data = new Uint8Array(ix.data!);
    const big = BigInt(sc.args.outputs[0]) + FIELD_MODULUS;
    if (big < 1n << 256n) {
      const bytes = new Uint8Array(32);
      let v = big;
      for (let i = 31; i >= 0; i--, v >>= 8n) bytes[i] = Number(v & 0xffn);
      data.set(bytes, 8 + 224);
      await expectRejected([{ ...ix, data }], 'NON_CANONICAL_FIELD');
    }

    // The nullifier account must be the PDA of that nullifier.
    const [otherPda] = await findNullifierPda(h.addresses.programId, fieldToBytesBE(randomField()));
    const accounts = ix.accounts!.map((a, i) => (i === 5 ? { ...a, address: otherPda } : a));
    await expectRejected([{ ...ix, accounts }], 'ACCOUNT_MISMATCH');

    const slot = h.slot();
    h.warpTo(sc.args.expirationSlot + 1n);
    await expectRejected([await build()], 'EXPIRED');
    h.warpTo(slot);

    expect((await h.send([pauseInstruction(h.addresses, d.admin.signer)])).ok).toBe(true);
    await expectRejected([await build()], 'PAUSED');
    expect((await h.send([unpauseInstruction(h.addresses, d.admin.signer)])).ok).toBe(true);

    // The vault never pays below its rent-exempt minimum.
    const vault = h.svm.getAccount(h.addresses.vault);
    if (!vault.exists) throw new Error('vault missing');
    h.svm.setAccount({ ...vault, lamports: (vault.lamports - sc.amount + 1n) as typeof vault.lamports });
    await expectRejected([await build()], 'VAULT_INSUFFICIENT');
    h.svm.setAccount(vault);
  });

  it('pays recipient and relayer, creates both nullifier PDAs, and refuses a replay', async () => {
    const { h } = d;
    const p = h.addresses;
    // Someone pre-funds a nullifier PDA to block the withdrawal: it must still go through.
    const [pda0] = await findNullifierPda(p.programId, fieldToBytesBE(sc.args.nullifiers[0]));
    const [pda1] = await findNullifierPda(p.programId, fieldToBytesBE(sc.args.nullifiers[1]));
    h.fund(pda0, 1n);
    const vault0 = h.balance(p.vault);
    const rec0 = h.balance(sc.recipient.address);
    const rel0 = h.balance(sc.relayer.address);
    const r = await h.send([await build()]);
    expect(r.ok, r.logs.join('\n')).toBe(true);
    expect(r.computeUnits).toBeLessThanOrEqual(200_000n);
    expect(r.size).toBeLessThanOrEqual(1232);
    expect(h.balance(p.vault)).toBe(vault0 - sc.amount);
    expect(h.balance(sc.recipient.address)).toBe(rec0 + sc.amount - sc.args.fee);
    expect(h.balance(sc.relayer.address)).toBe(rel0 + sc.args.fee);
    for (const pda of [pda0, pda1]) {
      const acc = h.svm.getAccount(pda);
      expect(acc.exists && acc.programAddress).toBe(p.programId);
      expect(h.accountData(pda)).toEqual(accountDiscriminator('NullifierRecord'));
    }
    await expectRejected([await build()], 'NULLIFIER_SPENT');
  });
});

describe('withdraw before the verifying key is sealed', () => {
  it('is refused', async () => {
    const bare = await deploy({ withVerifyingKey: false });
    const ix = await withdrawInstruction(bare.h.addresses, bare.h.payer.signer, {
      ...sc.args,
      root: toField(1n),
    });
    const r = await bare.h.send([ix]);
    expect(r.error?.code).toBe('VK_NOT_READY');
  });
});
