/**
 * A complete, real withdrawal for tests and the bench: deposit on chain, the L2 tree, an anchor of the
 * deposit's root, a Groth16 proof from the committed dev keys, a second anchor approving the
 * withdrawal, and the withdraw instruction arguments. Nothing is faked; the proof is proved.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { getAddressEncoder } from '@solana/kit';
import {
  computeExtDataHash,
  computeOutputsDigest,
  depositNote,
  dummyInput,
  type ExtData,
  FIELD_ZERO,
  type Field,
  fieldToBytesBE,
  generateWalletKeys,
  hash2,
  loadCircuitArtifacts,
  MemoryTreeStorage,
  MerkleTree,
  NATIVE_ASSET,
  noteCommitment,
  proofToChainBytes,
  proveTransact,
  randomField,
} from '../../privacy/index.js';
import { depositInstruction, type WithdrawArgs } from '../instructions.js';
import type { AnchorFields } from '../messages.js';
import { WithdrawalsTree, withdrawalLeaf } from '../withdrawals-tree.js';
import type { ChainDriver } from './chain-driver.js';
import { anchorInstructions } from './fixture.js';
import type { TestKey, TxResult } from './litesvm-harness.js';

export interface WithdrawScenario {
  args: WithdrawArgs;
  recipient: TestKey;
  relayer: TestKey;
  amount: bigint;
  /** Instructions of the anchor approving the withdrawal (height 2 unless told); send them to make it withdrawable. */
  approvalAnchor: () => Promise<TxResult>;
  /** The fields of that anchor, for callers that submit it their own way (the AnchorSubmitter). */
  approvalFields: AnchorFields;
}

export async function prepareWithdrawal(
  d: { h: ChainDriver },
  validators: readonly TestKey[],
  opts: {
    amount?: bigint;
    fee?: bigint;
    expiresIn?: bigint;
    /** Depth of the approving tree: the withdrawal is its last leaf, beside 2^depth - 1 other leaves. */
    approvalDepth?: number;
    /** Height of the approving anchor (default 2); anchors in between are the caller's to send. */
    approvalHeight?: bigint;
  } = {},
): Promise<WithdrawScenario> {
  const { h } = d;
  const amount = opts.amount ?? 2_000_000_000n;
  const fee = opts.fee ?? 10_000_000n;
  const user = await h.fundedKey(amount / 1_000_000_000n + 2n);
  const keys = generateWalletKeys();
  const { note, diversifier } = depositNote(keys, 0, amount, NATIVE_ASSET);
  const dep = await h.send(
    [
      depositInstruction(h.addresses, user.signer, {
        amount,
        ownerPk: note.pkD,
        blinding: note.blinding,
        asset: NATIVE_ASSET,
      }),
    ],
    user,
  );
  if (!dep.ok) throw new Error(`deposit failed: ${dep.error?.code ?? dep.runtimeError}`);

  // L2 block 1: the deposit enters the tree; anchored with the deposit consumed.
  const tree = await MerkleTree.open(new MemoryTreeStorage());
  const commitment = noteCommitment(note);
  await tree.append(commitment);
  const root1 = tree.root;
  const submitter = validators[0]!;
  const acc1 = hash2(FIELD_ZERO, commitment);
  const a1 = await h.send(
    await anchorInstructions(h, submitter, validators.slice(1), {
      height: 1n,
      root: fieldToBytesBE(root1),
      depositsConsumed: 1n,
      depositAcc: fieldToBytesBE(acc1),
      withdrawalsRoot: new Uint8Array(32),
      blockHash: sha256(Uint8Array.of(1)),
      maxExpirationSlot: 0n,
    }),
    submitter,
  );
  if (!a1.ok) throw new Error(`anchor 1 failed: ${a1.error?.code ?? a1.runtimeError}`);

  const recipient = await h.fundedKey(1n);
  const relayer = await h.fundedKey(1n);
  const enc = getAddressEncoder();
  const extData: ExtData = {
    recipient: new Uint8Array(enc.encode(recipient.address)),
    relayer: new Uint8Array(enc.encode(relayer.address)),
    fee,
    extAmount: -amount,
    expirationSlot: (await h.slot()) + (opts.expiresIn ?? 1000n),
    encryptedOutput0: crypto.getRandomValues(new Uint8Array(120)),
    encryptedOutput1: crypto.getRandomValues(new Uint8Array(120)),
  };
  const zeroOut = () => ({
    amount: 0n,
    pkD: randomField(),
    blinding: randomField(),
    asset: NATIVE_ASSET,
  });
  const proved = await proveTransact(
    {
      root: root1,
      asset: NATIVE_ASSET,
      inputs: [{ note, sk: keys.sk, diversifier, path: await tree.path(0) }, dummyInput(NATIVE_ASSET)],
      outputs: [zeroOut(), zeroOut()],
      extData,
    },
    await loadCircuitArtifacts(),
  );
  const st = proved.statement;

  // L2 block 2 includes the withdrawal: outputs appended, and its leaf in the block's withdrawals tree.
  await tree.append(st.outputCommitments[0]);
  await tree.append(st.outputCommitments[1]);
  const extHash: Field = computeExtDataHash(extData);
  const ours = withdrawalLeaf(st.nullifiers[0], st.nullifiers[1], extHash, root1);
  const others = Array.from({ length: 2 ** (opts.approvalDepth ?? 0) - 1 }, () => randomField());
  const wtree = new WithdrawalsTree([...others, ours]);
  const approvalHeight = opts.approvalHeight ?? 2n;
  const approvalFields: AnchorFields = {
    height: approvalHeight,
    root: fieldToBytesBE(tree.root),
    depositsConsumed: 1n,
    depositAcc: fieldToBytesBE(acc1),
    withdrawalsRoot: fieldToBytesBE(wtree.root),
    blockHash: sha256(Uint8Array.of(2)),
    maxExpirationSlot: extData.expirationSlot,
  };
  const approvalAnchor = async () =>
    h.send(await anchorInstructions(h, submitter, validators.slice(1), approvalFields), submitter);

  const args: WithdrawArgs = {
    proof: proofToChainBytes(proved.proof),
    root: root1,
    nullifiers: st.nullifiers,
    outputs: st.outputCommitments,
    extAmount: extData.extAmount,
    fee,
    expirationSlot: extData.expirationSlot,
    outputsDigest: computeOutputsDigest(extData),
    recipient: recipient.address,
    relayer: relayer.address,
    approval: { height: approvalHeight, index: others.length, siblings: wtree.path(others.length) },
  };
  return { args, recipient, relayer, amount, approvalAnchor, approvalFields };
}
