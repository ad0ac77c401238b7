import { sha256 } from '@noble/hashes/sha2.js';
import { getAddressEncoder } from '@solana/kit';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  computeExtDataHash,
  computeOutputsDigest,
  type ExtData,
  FIELD_ZERO,
  type Field,
  fieldToBytesBE,
  Groth16Proof,
  randomField,
} from '../privacy/index.js';
import { INSTRUCTIONS_SYSVAR_ID, MAX_APPROVAL_DEPTH, SYSTEM_PROGRAM_ID } from './constants.js';
import { BridgeError } from './errors.js';
import {
  anchorRootInstruction,
  depositInstruction,
  initializeInstruction,
  registerValidatorInstruction,
  slashInstruction,
  type WithdrawArgs,
  withdrawInstruction,
  writeVerifyingKeyInstructions,
} from './instructions.js';
import { voteSlotKey } from './messages.js';
import {
  anchorInstructions,
  type Deployment,
  deploy,
  devVerifyingKeyBody,
  registerValidators,
  TEST_PARAMS,
} from './testing/fixture.js';
import type { TestKey } from './testing/litesvm-harness.js';
import { WithdrawalsTree, withdrawalLeaf } from './withdrawals-tree.js';

let d: Deployment;
let validators: TestKey[];
let user: TestKey;

beforeAll(async () => {
  d = await deploy();
  validators = await registerValidators(d.h, 4);
  user = await d.h.fundedKey(5n);
}, 120_000);

async function argumentInvalid(build: () => unknown): Promise<void> {
  const err = await (async () => build())().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(BridgeError);
  expect(err).toMatchObject({ code: 'ARGUMENT_INVALID' });
}

/** A withdrawal whose leaf sits at `index` of an approval tree of `leaves` leaves; its proof is not a proof. */
async function withdrawal(
  index: number,
  leaves: number,
): Promise<{ args: WithdrawArgs; tree: WithdrawalsTree }> {
  const [recipient, relayer] = [await d.h.fundedKey(1n), await d.h.fundedKey(1n)];
  const enc = getAddressEncoder();
  const ext: ExtData = {
    recipient: new Uint8Array(enc.encode(recipient.address)),
    relayer: new Uint8Array(enc.encode(relayer.address)),
    fee: 0n,
    extAmount: -1_000n,
    expirationSlot: (await d.h.slot()) + 1000n,
    encryptedOutput0: new Uint8Array(120).fill(1),
    encryptedOutput1: new Uint8Array(120).fill(2),
  };
  const nullifiers: [Field, Field] = [randomField(), randomField()];
  const leaf = withdrawalLeaf(nullifiers[0], nullifiers[1], computeExtDataHash(ext), FIELD_ZERO);
  const all = Array.from({ length: leaves }, (_, i) => (i === index ? leaf : randomField()));
  const tree = new WithdrawalsTree(all);
  // Valid curve points (the key's alpha and beta), so the program gets past decompression to the pairing.
  const vk = await devVerifyingKeyBody();
  const points = new Uint8Array(256);
  points.set(vk.subarray(0, 192), 0);
  points.set(vk.subarray(0, 64), 192);
  const args: WithdrawArgs = {
    proof: Groth16Proof.fromChain(points).toChainCompressed(),
    root: FIELD_ZERO,
    nullifiers,
    outputs: [randomField(), randomField()],
    extAmount: ext.extAmount,
    fee: ext.fee,
    expirationSlot: ext.expirationSlot,
    outputsDigest: computeOutputsDigest(ext),
    recipient: recipient.address,
    relayer: relayer.address,
    approval: { height: 0n, index, siblings: tree.path(index) },
  };
  return { args, tree };
}

describe('instruction builders over the generated client', () => {
  it('give a typed ARGUMENT_INVALID for every value the program could not receive as meant', async () => {
    const p = d.h.addresses;
    const admin = d.admin.signer;
    const programData = await d.h.programDataAddress();
    const { args } = await withdrawal(0, 1);
    await argumentInvalid(() =>
      initializeInstruction(p, admin, programData, { ...TEST_PARAMS, cluster: 256 }),
    );
    await argumentInvalid(() =>
      initializeInstruction(p, admin, programData, { ...TEST_PARAMS, slashBps: 1.5 }),
    );
    await argumentInvalid(() =>
      initializeInstruction(p, admin, programData, { ...TEST_PARAMS, minStake: -1n }),
    );
    await argumentInvalid(() =>
      initializeInstruction(p, admin, programData, { ...TEST_PARAMS, depositCap: 1n << 64n }),
    );
    await argumentInvalid(() => writeVerifyingKeyInstructions(p, admin, new Uint8Array(10), 0));
    await argumentInvalid(() => registerValidatorInstruction(p, user.signer, 1n, new Uint8Array(65)));
    await argumentInvalid(() =>
      registerValidatorInstruction(p, user.signer, 1n, new Uint8Array(1), new Uint8Array(257)),
    );
    await argumentInvalid(() => registerValidatorInstruction(p, user.signer, -5n));
    const field = randomField();
    await argumentInvalid(() =>
      depositInstruction(p, user.signer, {
        amount: 1n << 64n,
        ownerPk: field,
        blinding: field,
        asset: field,
      }),
    );
    const anchor = {
      height: 1n,
      root: new Uint8Array(32),
      depositsConsumed: 0n,
      depositAcc: new Uint8Array(32),
      withdrawalsRoot: new Uint8Array(32),
      blockHash: new Uint8Array(32),
      maxExpirationSlot: 0n,
    };
    await argumentInvalid(() =>
      anchorRootInstruction(p, user.signer, { ...anchor, root: new Uint8Array(31) }),
    );
    await argumentInvalid(() =>
      anchorRootInstruction(p, user.signer, { ...anchor, blockHash: new Uint8Array(33) }),
    );
    await argumentInvalid(() => anchorRootInstruction(p, user.signer, { ...anchor, height: -1n }));
    await argumentInvalid(() => withdrawInstruction(p, user.signer, { ...args, proof: new Uint8Array(256) }));
    await argumentInvalid(() =>
      withdrawInstruction(p, user.signer, { ...args, outputsDigest: new Uint8Array(31) }),
    );
    await argumentInvalid(() =>
      anchorRootInstruction(p, user.signer, { ...anchor, depositAcc: new Uint8Array(31) }),
    );
    await argumentInvalid(() =>
      withdrawInstruction(p, user.signer, { ...args, extAmount: -(1n << 63n) - 1n }),
    );
    await argumentInvalid(() => withdrawInstruction(p, user.signer, { ...args, fee: -1n }));
    const deep = Array.from({ length: MAX_APPROVAL_DEPTH + 1 }, () => randomField());
    await argumentInvalid(() =>
      withdrawInstruction(p, user.signer, { ...args, approval: { ...args.approval, siblings: deep } }),
    );
    await argumentInvalid(() =>
      withdrawInstruction(p, user.signer, { ...args, approval: { ...args.approval, index: 2 ** 32 } }),
    );
    const voteSlot = voteSlotKey({ height: 1n, round: 0, voteType: 'prevote' });
    await argumentInvalid(() =>
      slashInstruction(p, user.signer, { validator: user.address, voteSlot, signatureA: 256, signatureB: 1 }),
    );
  });

  it('lays out the accounts the program expects, with the fixed addresses from the IDL', async () => {
    const p = d.h.addresses;
    const voteSlot = voteSlotKey({ height: 1n, round: 0, voteType: 'prevote' });
    const a = { validator: validators[0]!.address, voteSlot, signatureA: 0, signatureB: 1 };
    const plain = await slashInstruction(p, user.signer, a);
    const credited = await slashInstruction(p, user.signer, { ...a, creditToValidatorAccount: true });
    expect(plain.accounts!.map((m) => m.address).slice(6, 8)).toEqual([
      INSTRUCTIONS_SYSVAR_ID,
      SYSTEM_PROGRAM_ID,
    ]);
    // The optional reporter account: the program id stands in when it is not passed (credited to the wallet).
    expect(plain.accounts![8]!.address).toBe(p.programId);
    expect(credited.accounts![8]!.address).not.toBe(p.programId);
    expect(plain.programAddress).toBe(p.programId);
  });

  it('encodes an approval path of any depth so the program walks it (u8 depth, then the siblings)', async () => {
    // Each withdrawal is approved by its own anchored block; the proof is junk, so a path the program
    // accepts shows up as PROOF_INVALID (checked after the path) and a broken one as APPROVAL_PATH_INVALID.
    const [submitter, ...signers] = validators;
    let height = 0n;
    for (const [index, leaves] of [
      [0, 1],
      [1, 2],
      [5, 7],
    ] as const) {
      const { args, tree } = await withdrawal(index, leaves);
      height += 1n;
      const anchored = await d.h.send(
        await anchorInstructions(d.h, submitter!, signers, {
          height,
          root: fieldToBytesBE(FIELD_ZERO),
          depositsConsumed: 0n,
          depositAcc: new Uint8Array(32),
          withdrawalsRoot: fieldToBytesBE(tree.root),
          blockHash: sha256(Uint8Array.of(Number(height))),
          maxExpirationSlot: args.expirationSlot,
        }),
        submitter,
      );
      expect(anchored.ok, anchored.logs.join('\n')).toBe(true);
      const withRoot = { ...args, approval: { ...args.approval, height } };
      const ix = await withdrawInstruction(d.h.addresses, user.signer, withRoot);
      // discriminator | proof 128 | root, 2 nullifiers, 2 outputs | 3 x u64 | outputs_digest | index | depth | path
      expect(ix.data!.length).toBe(8 + 128 + 32 * 5 + 8 * 3 + 32 + 4 + 1 + 32 * tree.depth);
      expect(ix.data![ix.data!.length - 1 - 32 * tree.depth]).toBe(tree.depth);
      const accepted = await d.h.send([ix], user);
      expect(accepted.error?.code, accepted.logs.join('\n')).toBe('PROOF_INVALID');
      if (tree.depth > 0) {
        const wrongSide = { ...withRoot, approval: { ...withRoot.approval, index: index ^ 1 } };
        const refused = await d.h.send(
          [await withdrawInstruction(d.h.addresses, user.signer, wrongSide)],
          user,
        );
        expect(refused.error?.code, refused.logs.join('\n')).toBe('APPROVAL_PATH_INVALID');
      }
    }
  });
});
