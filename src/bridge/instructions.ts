// The program's instructions, built by the Codama client generated from the IDL (./generated). These
// wrappers take the deployment's addresses (the generated builders would derive PDAs under the IDL's dev
// program id) and keep the checks the codecs do not make: lengths they would pad or truncate silently,
// integers they would truncate, and limits of the program. A value the codecs refuse becomes a typed
// ARGUMENT_INVALID, never a raw SolanaError.
import { type Address, type Instruction, isSolanaError, type TransactionSigner } from '@solana/kit';
import { type Field, fieldToBytesBE } from '../privacy/index.js';
import { type InstructionName, MAX_APPROVAL_DEPTH, MAX_MULTIADDRS, MAX_PEER_ID } from './constants.js';
import { BridgeError } from './errors.js';
import {
  type ApprovalSiblingsArgs,
  getAnchorRootInstruction,
  getClaimRewardsInstruction,
  getCloseApprovalInstruction,
  getDepositInstruction,
  getFinalizeVerifyingKeyInstruction,
  getInitializeInstruction,
  getPauseInstruction,
  getRegisterValidatorInstruction,
  getSlashInstruction,
  getUnpauseInstruction,
  getUnregisterValidatorInstruction,
  getUpdateValidatorEndpointsInstruction,
  getWithdrawInstruction,
  getWithdrawUnbondedInstruction,
  getWriteVerifyingKeyInstruction,
} from './generated/index.js';
import type { AnchorFields } from './messages.js';
import {
  findApprovalPda,
  findNullifierPda,
  findSlashRecordPda,
  findValidatorPda,
  type ProgramAddresses,
} from './pda.js';

function build(name: InstructionName, make: () => Instruction): Instruction {
  try {
    return make();
  } catch (err) {
    if (!isSolanaError(err)) throw err;
    throw new BridgeError(
      'ARGUMENT_INVALID',
      `${name}: an argument is out of range for its encoding`,
      { solanaCode: err.context.__code },
      { cause: err },
    );
  }
}

/** The codecs check ranges but write a fractional number truncated; the program must get what was meant. */
function integers(values: Record<string, number>): void {
  for (const [name, v] of Object.entries(values)) {
    if (!Number.isInteger(v))
      throw new BridgeError('ARGUMENT_INVALID', `${name} is not an integer`, { value: `${v}` });
  }
}

/** Fixed-size byte fields are zero-padded or cut by the codecs; a wrong length is a caller's bug. */
function exactLength(name: string, b: Uint8Array, length: number): Uint8Array {
  if (b.length !== length) {
    throw new BridgeError('ARGUMENT_INVALID', `${name} must be ${length} bytes`, { length: b.length });
  }
  return b;
}

const config = (p: ProgramAddresses) => ({ programAddress: p.programId });

export interface InitializeParams {
  cluster: number;
  minStake: bigint;
  depositCap: bigint;
  unbondingSlots: bigint;
  slashBps: number;
  reporterBps: number;
  /** Number of IC points of the verifying key (public inputs + 1): 9 for `transact`. */
  icCount: number;
}

/**
 * `programData` is the program's ProgramData account for an upgradeable deployment (admin must be its
 * upgrade authority); for a non-upgradeable one pass the program id itself and sign with its keypair.
 */
export function initializeInstruction(
  p: ProgramAddresses,
  admin: TransactionSigner,
  programData: Address,
  params: InitializeParams,
): Instruction {
  const { cluster, slashBps, reporterBps, icCount } = params;
  integers({ cluster, slashBps, reporterBps, icCount });
  return build('initialize', () =>
    getInitializeInstruction(
      {
        admin,
        bridgeState: p.bridgeState,
        vault: p.vault,
        validatorRegistry: p.validatorRegistry,
        verifyingKey: p.verifyingKey,
        program: p.programId,
        programData,
        ...params,
      },
      config(p),
    ),
  );
}

export const pauseInstruction = (p: ProgramAddresses, admin: TransactionSigner): Instruction =>
  getPauseInstruction({ admin, bridgeState: p.bridgeState }, config(p));

export const unpauseInstruction = (p: ProgramAddresses, admin: TransactionSigner): Instruction =>
  getUnpauseInstruction({ admin, bridgeState: p.bridgeState }, config(p));

/** The key body (verifyingKeyToChainBytes) in chunks that each fit a transaction. */
export function writeVerifyingKeyInstructions(
  p: ProgramAddresses,
  admin: TransactionSigner,
  body: Uint8Array,
  chunk = 768,
): Instruction[] {
  integers({ chunk });
  if (chunk < 1) throw new BridgeError('ARGUMENT_INVALID', 'chunk must be at least 1 byte', { chunk });
  const out: Instruction[] = [];
  for (let offset = 0; offset < body.length; offset += chunk) {
    const part = body.subarray(offset, offset + chunk);
    out.push(
      build('write_verifying_key', () =>
        getWriteVerifyingKeyInstruction(
          { admin, bridgeState: p.bridgeState, verifyingKey: p.verifyingKey, offset, chunk: part },
          config(p),
        ),
      ),
    );
  }
  return out;
}

export const finalizeVerifyingKeyInstruction = (p: ProgramAddresses, admin: TransactionSigner): Instruction =>
  getFinalizeVerifyingKeyInstruction(
    { admin, bridgeState: p.bridgeState, verifyingKey: p.verifyingKey },
    config(p),
  );

function checkEndpoints(peerId: Uint8Array, multiaddrs: Uint8Array): void {
  if (peerId.length > MAX_PEER_ID || multiaddrs.length > MAX_MULTIADDRS) {
    throw new BridgeError(
      'ARGUMENT_INVALID',
      `peer id <= ${MAX_PEER_ID} bytes, multiaddrs <= ${MAX_MULTIADDRS} bytes`,
      { peerIdLength: peerId.length, multiaddrsLength: multiaddrs.length },
    );
  }
}

export async function registerValidatorInstruction(
  p: ProgramAddresses,
  validator: TransactionSigner,
  stake: bigint,
  peerId: Uint8Array = new Uint8Array(),
  multiaddrs: Uint8Array = new Uint8Array(),
): Promise<Instruction> {
  checkEndpoints(peerId, multiaddrs);
  const [validatorAccount] = await findValidatorPda(p.programId, validator.address);
  return build('register_validator', () =>
    getRegisterValidatorInstruction(
      {
        validator,
        bridgeState: p.bridgeState,
        validatorRegistry: p.validatorRegistry,
        validatorAccount,
        stake,
        peerId,
        multiaddrs,
      },
      config(p),
    ),
  );
}

export async function updateValidatorEndpointsInstruction(
  p: ProgramAddresses,
  validator: TransactionSigner,
  peerId: Uint8Array,
  multiaddrs: Uint8Array,
): Promise<Instruction> {
  checkEndpoints(peerId, multiaddrs);
  const [validatorAccount] = await findValidatorPda(p.programId, validator.address);
  return getUpdateValidatorEndpointsInstruction(
    { validator, validatorAccount, peerId, multiaddrs },
    config(p),
  );
}

export async function unregisterValidatorInstruction(
  p: ProgramAddresses,
  validator: TransactionSigner,
): Promise<Instruction> {
  const [validatorAccount] = await findValidatorPda(p.programId, validator.address);
  return getUnregisterValidatorInstruction(
    { validator, bridgeState: p.bridgeState, validatorRegistry: p.validatorRegistry, validatorAccount },
    config(p),
  );
}

export async function withdrawUnbondedInstruction(
  p: ProgramAddresses,
  validator: TransactionSigner,
): Promise<Instruction> {
  const [validatorAccount] = await findValidatorPda(p.programId, validator.address);
  return getWithdrawUnbondedInstruction(
    { validator, validatorRegistry: p.validatorRegistry, validatorAccount },
    config(p),
  );
}

export async function claimRewardsInstruction(
  p: ProgramAddresses,
  validator: TransactionSigner,
): Promise<Instruction> {
  const [validatorAccount] = await findValidatorPda(p.programId, validator.address);
  return getClaimRewardsInstruction({ validator, validatorAccount }, config(p));
}

export interface DepositArgs {
  amount: bigint;
  ownerPk: Field;
  blinding: Field;
  asset: Field;
}

export function depositInstruction(
  p: ProgramAddresses,
  depositor: TransactionSigner,
  a: DepositArgs,
): Instruction {
  const ownerPk = fieldToBytesBE(a.ownerPk);
  const blinding = fieldToBytesBE(a.blinding);
  const asset = fieldToBytesBE(a.asset);
  return build('deposit', () =>
    getDepositInstruction(
      { depositor, bridgeState: p.bridgeState, vault: p.vault, amount: a.amount, ownerPk, blinding, asset },
      config(p),
    ),
  );
}

/**
 * Must be preceded, in the same transaction, by the Ed25519 instruction carrying the quorum's signatures
 * (over anchorDigest(fields), depositAcc included). The instruction itself leaves depositAcc out: the
 * program signs-checks against its own accumulator. When the anchor approves withdrawals the submitter
 * pays the rent of their Approval account.
 */
export async function anchorRootInstruction(
  p: ProgramAddresses,
  submitter: TransactionSigner,
  f: AnchorFields,
): Promise<Instruction> {
  exactLength('depositAcc', f.depositAcc, 32);
  const [approval] = await findApprovalPda(p.programId, f.height);
  return build('anchor_root', () =>
    getAnchorRootInstruction(
      {
        submitter,
        bridgeState: p.bridgeState,
        validatorRegistry: p.validatorRegistry,
        approval,
        height: f.height,
        root: exactLength('root', f.root, 32),
        depositsConsumed: f.depositsConsumed,
        withdrawalsRoot: exactLength('withdrawalsRoot', f.withdrawalsRoot, 32),
        blockHash: exactLength('blockHash', f.blockHash, 32),
        maxExpirationSlot: f.maxExpirationSlot,
      },
      config(p),
    ),
  );
}

/** Permissionless once the approval's max_expiration_slot has passed; rent goes back to its recorded payer. */
export async function closeApprovalInstruction(
  p: ProgramAddresses,
  height: bigint,
  payer: Address,
): Promise<Instruction> {
  const [approval] = await findApprovalPda(p.programId, height);
  return getCloseApprovalInstruction({ approval, payer }, config(p));
}

export interface ApprovalPath {
  /** Height of the anchor whose Approval account (withdrawals_root) contains this withdrawal. */
  height: bigint;
  index: number;
  siblings: Field[];
}

/** The IDL spells "u8 depth, then depth siblings" as an enum whose variant index is the depth. */
function approvalSiblings(siblings: readonly Field[]): ApprovalSiblingsArgs {
  const depth = siblings.length;
  if (depth > MAX_APPROVAL_DEPTH) {
    throw new BridgeError('ARGUMENT_INVALID', `approval path deeper than ${MAX_APPROVAL_DEPTH}`, { depth });
  }
  if (depth === 0) return { __kind: 'Depth0' };
  const variant = `Depth${depth}` as Exclude<ApprovalSiblingsArgs['__kind'], 'Depth0'>;
  return { __kind: variant, siblings: siblings.map(fieldToBytesBE) };
}

export interface WithdrawArgs {
  /** 128-byte compressed on-chain proof (proofToChainBytes). */
  proof: Uint8Array;
  root: Field;
  nullifiers: readonly [Field, Field];
  outputs: readonly [Field, Field];
  extAmount: bigint;
  fee: bigint;
  expirationSlot: bigint;
  /** computeOutputsDigest of the ext data: what ext_data_hash binds beyond what the program reads. */
  outputsDigest: Uint8Array;
  recipient: Address;
  relayer: Address;
  approval: ApprovalPath;
}

export async function withdrawInstruction(
  p: ProgramAddresses,
  payer: TransactionSigner,
  a: WithdrawArgs,
): Promise<Instruction> {
  const approval = approvalSiblings(a.approval.siblings);
  integers({ 'approval.index': a.approval.index });
  const proof = exactLength('proof', a.proof, 128);
  const outputsDigest = exactLength('outputsDigest', a.outputsDigest, 32);
  const nullifiers = [fieldToBytesBE(a.nullifiers[0]), fieldToBytesBE(a.nullifiers[1])];
  const [[approvalAccount], [nullifier0], [nullifier1]] = await Promise.all([
    findApprovalPda(p.programId, a.approval.height),
    ...nullifiers.map((n) => findNullifierPda(p.programId, n)),
  ]);
  return build('withdraw', () =>
    getWithdrawInstruction(
      {
        payer,
        bridgeState: p.bridgeState,
        vault: p.vault,
        verifyingKey: p.verifyingKey,
        approval: approvalAccount!,
        nullifier0: nullifier0!,
        nullifier1: nullifier1!,
        recipient: a.recipient,
        relayer: a.relayer,
        proof,
        root: fieldToBytesBE(a.root),
        nullifiers,
        outputs: a.outputs.map(fieldToBytesBE),
        extAmount: a.extAmount,
        fee: a.fee,
        expirationSlot: a.expirationSlot,
        outputsDigest,
        approvalIndex: a.approval.index,
        approvalSiblings: approval,
      },
      config(p),
    ),
  );
}

export interface SlashArgs {
  validator: Address;
  /** height u64 | round u32 | type u8 of the two votes (voteSlotKey). */
  voteSlot: Uint8Array;
  /** Indexes of the two signatures among the transaction's Ed25519 signatures. */
  signatureA: number;
  signatureB: number;
  /** Credit the reward to the reporter's own ValidatorAccount (claimable) instead of its wallet. */
  creditToValidatorAccount?: boolean;
}

/**
 * Without creditToValidatorAccount the optional 9th account is the program id (the IDL's optional-account
 * convention); the program credits the reporter's wallet then, as it does when the account is absent.
 */
export async function slashInstruction(
  p: ProgramAddresses,
  reporter: TransactionSigner,
  a: SlashArgs,
): Promise<Instruction> {
  integers({ signatureA: a.signatureA, signatureB: a.signatureB });
  const [[validatorAccount], [slashRecord], reporterAccount] = await Promise.all([
    findValidatorPda(p.programId, a.validator),
    findSlashRecordPda(p.programId, a.validator, a.voteSlot),
    a.creditToValidatorAccount ? findValidatorPda(p.programId, reporter.address) : undefined,
  ]);
  return build('slash', () =>
    getSlashInstruction(
      {
        reporter,
        bridgeState: p.bridgeState,
        validatorRegistry: p.validatorRegistry,
        validatorAccount,
        slashRecord,
        vault: p.vault,
        ...(reporterAccount ? { reporterValidatorAccount: reporterAccount[0] } : {}),
        signatureA: a.signatureA,
        signatureB: a.signatureB,
      },
      config(p),
    ),
  );
}
