/**
 * The largest transaction of every kind the system builds, sent through the project's own instruction
 * builders to the real program in LiteSVM, each at its largest parameters: the deepest approval path, the
 * largest validator set with the most Ed25519 signers heaviest-first selection can need, the longest
 * endpoints, the slash evidence credited to a validator account. bench:program prints these and
 * programs/paraloom/tests/sizes.test.ts asserts them against the 1,232-byte packet.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { FIELD_ZERO, randomField } from '../../privacy/index.js';
import { LAMPORTS_PER_SOL, MAX_ACTIVE_VALIDATORS, MAX_APPROVAL_DEPTH } from '../constants.js';
import { buildEd25519Instruction } from '../ed25519.js';
import {
  closeApprovalInstruction,
  depositInstruction,
  finalizeVerifyingKeyInstruction,
  registerValidatorInstruction,
  slashInstruction,
  withdrawInstruction,
  writeVerifyingKeyInstructions,
} from '../instructions.js';
import { encodeVoteMessage, type VoteFields, voteSlotKey } from '../messages.js';
import { type Deployment, deploy, devVerifyingKeyBody, TEST_PARAMS } from './fixture.js';
import type { TestKey, TxResult } from './litesvm-harness.js';
import { prepareWithdrawal } from './withdraw-scenario.js';

export interface Measured {
  readonly bytes: number;
  readonly computeUnits: bigint;
}

export interface TransactionSizes {
  readonly withdraw: Measured;
  readonly anchor: Measured;
  /** Ed25519 signatures in the largest anchor: floor(2N/3) with N = MAX_ACTIVE_VALIDATORS (the submitter signs too). */
  readonly anchorEd25519Signers: number;
  readonly slash: Measured;
  readonly registerValidator: Measured;
  readonly deposit: Measured;
  readonly closeApproval: Measured;
  readonly verifyingKeyChunk: Measured;
  /** What the program answered to one registration past MAX_ACTIVE_VALIDATORS. */
  readonly registrationPastCap: string;
  readonly deployment: Deployment;
}

function measured(r: TxResult, what: string): Measured {
  if (!r.ok) {
    throw new Error(
      `${what} failed: ${r.error?.code ?? r.runtimeError} (${r.size} bytes)\n${r.logs.join('\n')}`,
    );
  }
  return { bytes: r.size, computeUnits: r.computeUnits };
}

const larger = (a: Measured | undefined, b: Measured): Measured => (!a || b.bytes > a.bytes ? b : a);

/** Longest endpoints a ValidatorAccount holds: a 64-byte peer id and 256 bytes of multiaddrs. */
const LONGEST_PEER_ID = new Uint8Array(64).fill(0x31);
const LONGEST_MULTIADDRS = new Uint8Array(256).fill(0x2f);

export async function measureTransactionSizes(): Promise<TransactionSizes> {
  const d = await deploy({ withVerifyingKey: false });
  const { h } = d;
  const p = h.addresses;

  let verifyingKeyChunk: Measured | undefined;
  for (const ix of writeVerifyingKeyInstructions(p, d.admin.signer, await devVerifyingKeyBody())) {
    verifyingKeyChunk = larger(
      verifyingKeyChunk,
      measured(await h.send([ix], d.admin), 'write_verifying_key'),
    );
  }
  measured(await h.send([finalizeVerifyingKeyInstruction(p, d.admin.signer)], d.admin), 'finalize');

  // Distinct stakes, lightest first: the submitter is the lightest validator, so heaviest-first selection
  // needs the most Ed25519 signers it can ever need, floor(2N/3).
  const validators: TestKey[] = [];
  let registerValidator: Measured | undefined;
  for (let i = 0; i < MAX_ACTIVE_VALIDATORS; i++) {
    const v = await h.fundedKey(40n);
    const stake = (10n + BigInt(i)) * LAMPORTS_PER_SOL;
    const ix = await registerValidatorInstruction(p, v.signer, stake, LONGEST_PEER_ID, LONGEST_MULTIADDRS);
    registerValidator = larger(registerValidator, measured(await h.send([ix], v), 'register_validator'));
    validators.push(v);
  }
  const late = await h.fundedKey(40n);
  const refused = await h.send(
    [await registerValidatorInstruction(p, late.signer, 10n * LAMPORTS_PER_SOL, LONGEST_PEER_ID)],
    late,
  );
  const registrationPastCap = refused.error?.code ?? refused.runtimeError ?? 'accepted';

  const anchorEd25519Signers = Math.floor((2 * MAX_ACTIVE_VALIDATORS) / 3);
  const heaviest = validators.slice(-anchorEd25519Signers).reverse();
  const sc = await prepareWithdrawal(d, [validators[0]!, ...heaviest], { approvalDepth: MAX_APPROVAL_DEPTH });
  const anchor = measured(await sc.approvalAnchor(), 'anchor_root');
  const withdraw = measured(
    await h.send([await withdrawInstruction(p, h.payer.signer, sc.args)]),
    'withdraw at the maximum depth',
  );

  const depositor = await h.fundedKey(5n);
  const deposit = measured(
    await h.send(
      [
        depositInstruction(p, depositor.signer, {
          amount: LAMPORTS_PER_SOL,
          ownerPk: randomField(),
          blinding: randomField(),
          asset: FIELD_ZERO,
        }),
      ],
      depositor,
    ),
    'deposit',
  );

  // Slash evidence: two conflicting precommits (94-byte messages, not shareable), reward credited to the
  // reporter's ValidatorAccount (the optional ninth account).
  const offender = validators[1]!;
  const reporter = validators[2]!;
  const vote = (fill: number): VoteFields => ({
    height: 7n,
    round: 1,
    voteType: 'precommit',
    blockHash: sha256(Uint8Array.of(fill)),
  });
  const [ma, mb] = [vote(1), vote(2)].map((v) => encodeVoteMessage(p.programId, TEST_PARAMS.cluster, v));
  const slash = measured(
    await h.send(
      [
        buildEd25519Instruction([
          { publicKey: offender.publicKey, signature: offender.sign(ma!), message: ma! },
          { publicKey: offender.publicKey, signature: offender.sign(mb!), message: mb! },
        ]),
        await slashInstruction(p, reporter.signer, {
          validator: offender.address,
          voteSlot: voteSlotKey(vote(1)),
          signatureA: 0,
          signatureB: 1,
          creditToValidatorAccount: true,
        }),
      ],
      reporter,
    ),
    'slash',
  );

  h.warpTo(sc.approvalFields.maxExpirationSlot + 1n);
  const closeApproval = measured(
    await h.send([await closeApprovalInstruction(p, sc.approvalFields.height, validators[0]!.address)]),
    'close_approval',
  );

  return {
    withdraw,
    anchor,
    anchorEd25519Signers,
    slash,
    registerValidator: registerValidator!,
    deposit,
    closeApproval,
    verifyingKeyChunk: verifyingKeyChunk!,
    registrationPastCap,
    deployment: d,
  };
}
