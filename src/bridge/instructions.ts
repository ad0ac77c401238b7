import {
  type AccountMeta,
  AccountRole,
  type Address,
  type Instruction,
  type TransactionSigner,
} from '@solana/kit';
import { concatBytes } from '../common/index.js';
import { type Field, fieldToBytesBE } from '../privacy/index.js';
import { ByteWriter } from './bytes.js';
import {
  INSTRUCTIONS_SYSVAR_ID,
  type InstructionName,
  instructionDiscriminator,
  MAX_APPROVAL_DEPTH,
  MAX_MULTIADDRS,
  MAX_PEER_ID,
  SYSTEM_PROGRAM_ID,
} from './constants.js';
import { BridgeError } from './errors.js';
import { type AnchorFields, encodeAnchorFields } from './messages.js';
import { findNullifierPda, findSlashRecordPda, findValidatorPda, type ProgramAddresses } from './pda.js';

type Meta = AccountMeta & { signer?: TransactionSigner };

const signer = (s: TransactionSigner, writable = true): Meta => ({
  address: s.address,
  role: writable ? AccountRole.WRITABLE_SIGNER : AccountRole.READONLY_SIGNER,
  signer: s,
});
const w = (address: Address): Meta => ({ address, role: AccountRole.WRITABLE });
const r = (address: Address): Meta => ({ address, role: AccountRole.READONLY });

function ix(p: ProgramAddresses, name: InstructionName, accounts: Meta[], args?: Uint8Array): Instruction {
  const data = args ? concatBytes(instructionDiscriminator(name), args) : instructionDiscriminator(name);
  return { programAddress: p.programId, accounts, data };
}

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
  const args = new ByteWriter()
    .u8(params.cluster, 'cluster')
    .u64(params.minStake, 'minStake')
    .u64(params.depositCap, 'depositCap')
    .u64(params.unbondingSlots, 'unbondingSlots')
    .u16(params.slashBps, 'slashBps')
    .u16(params.reporterBps, 'reporterBps')
    .u32(params.icCount, 'icCount')
    .finish();
  return ix(
    p,
    'initialize',
    [
      signer(admin),
      w(p.bridgeState),
      w(p.vault),
      w(p.validatorRegistry),
      w(p.verifyingKey),
      r(p.programId),
      r(programData),
      r(SYSTEM_PROGRAM_ID),
    ],
    args,
  );
}

export const pauseInstruction = (p: ProgramAddresses, admin: TransactionSigner): Instruction =>
  ix(p, 'pause', [signer(admin, false), w(p.bridgeState)]);

export const unpauseInstruction = (p: ProgramAddresses, admin: TransactionSigner): Instruction =>
  ix(p, 'unpause', [signer(admin, false), w(p.bridgeState)]);

/** The key body (verifyingKeyToChainBytes) in chunks that each fit a transaction. */
export function writeVerifyingKeyInstructions(
  p: ProgramAddresses,
  admin: TransactionSigner,
  body: Uint8Array,
  chunk = 768,
): Instruction[] {
  const out: Instruction[] = [];
  for (let off = 0; off < body.length; off += chunk) {
    const part = body.subarray(off, off + chunk);
    const args = new ByteWriter().u32(off).u32(part.length).bytes(part).finish();
    out.push(ix(p, 'write_verifying_key', [signer(admin, false), r(p.bridgeState), w(p.verifyingKey)], args));
  }
  return out;
}

export const finalizeVerifyingKeyInstruction = (p: ProgramAddresses, admin: TransactionSigner): Instruction =>
  ix(p, 'finalize_verifying_key', [signer(admin, false), w(p.bridgeState), w(p.verifyingKey)]);

function endpoints(peerId: Uint8Array, multiaddrs: Uint8Array): Uint8Array {
  if (peerId.length > MAX_PEER_ID || multiaddrs.length > MAX_MULTIADDRS) {
    throw new BridgeError(
      'ARGUMENT_INVALID',
      `peer id <= ${MAX_PEER_ID} bytes, multiaddrs <= ${MAX_MULTIADDRS} bytes`,
    );
  }
  return new ByteWriter().vec(peerId).vec(multiaddrs).finish();
}

export async function registerValidatorInstruction(
  p: ProgramAddresses,
  validator: TransactionSigner,
  stake: bigint,
  peerId: Uint8Array = new Uint8Array(),
  multiaddrs: Uint8Array = new Uint8Array(),
): Promise<Instruction> {
  const [pda] = await findValidatorPda(p.programId, validator.address);
  const args = concatBytes(new ByteWriter().u64(stake, 'stake').finish(), endpoints(peerId, multiaddrs));
  return ix(
    p,
    'register_validator',
    [signer(validator), r(p.bridgeState), w(p.validatorRegistry), w(pda), r(SYSTEM_PROGRAM_ID)],
    args,
  );
}

export async function updateValidatorEndpointsInstruction(
  p: ProgramAddresses,
  validator: TransactionSigner,
  peerId: Uint8Array,
  multiaddrs: Uint8Array,
): Promise<Instruction> {
  const [pda] = await findValidatorPda(p.programId, validator.address);
  return ix(
    p,
    'update_validator_endpoints',
    [signer(validator, false), w(pda)],
    endpoints(peerId, multiaddrs),
  );
}

export async function unregisterValidatorInstruction(
  p: ProgramAddresses,
  validator: TransactionSigner,
): Promise<Instruction> {
  const [pda] = await findValidatorPda(p.programId, validator.address);
  return ix(p, 'unregister_validator', [
    signer(validator, false),
    r(p.bridgeState),
    w(p.validatorRegistry),
    w(pda),
  ]);
}

export async function withdrawUnbondedInstruction(
  p: ProgramAddresses,
  validator: TransactionSigner,
): Promise<Instruction> {
  const [pda] = await findValidatorPda(p.programId, validator.address);
  return ix(p, 'withdraw_unbonded', [signer(validator), w(p.validatorRegistry), w(pda)]);
}

export async function claimRewardsInstruction(
  p: ProgramAddresses,
  validator: TransactionSigner,
): Promise<Instruction> {
  const [pda] = await findValidatorPda(p.programId, validator.address);
  return ix(p, 'claim_rewards', [signer(validator), w(pda)]);
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
  const args = new ByteWriter()
    .u64(a.amount, 'amount')
    .bytes(fieldToBytesBE(a.ownerPk))
    .bytes(fieldToBytesBE(a.blinding))
    .bytes(fieldToBytesBE(a.asset))
    .finish();
  return ix(p, 'deposit', [signer(depositor), w(p.bridgeState), w(p.vault), r(SYSTEM_PROGRAM_ID)], args);
}

/** Must be preceded, in the same transaction, by the Ed25519 instruction carrying the quorum's signatures. */
export function anchorRootInstruction(
  p: ProgramAddresses,
  submitter: TransactionSigner,
  f: AnchorFields,
): Instruction {
  return ix(
    p,
    'anchor_root',
    [signer(submitter, false), w(p.bridgeState), r(p.validatorRegistry), r(INSTRUCTIONS_SYSVAR_ID)],
    encodeAnchorFields(f),
  );
}

export interface ApprovalPath {
  /** Height of the anchored block whose withdrawals_root contains this withdrawal. */
  height: bigint;
  index: number;
  siblings: Field[];
}

export interface WithdrawArgs {
  /** 256-byte on-chain proof (proofToChainBytes). */
  proof: Uint8Array;
  root: Field;
  nullifiers: readonly [Field, Field];
  outputs: readonly [Field, Field];
  extAmount: bigint;
  fee: bigint;
  expirationSlot: bigint;
  /** sha256 of each output ciphertext. */
  ciphertextHashes: readonly [Uint8Array, Uint8Array];
  recipient: Address;
  relayer: Address;
  approval: ApprovalPath;
}

export async function withdrawInstruction(
  p: ProgramAddresses,
  payer: TransactionSigner,
  a: WithdrawArgs,
): Promise<Instruction> {
  if (a.approval.siblings.length > MAX_APPROVAL_DEPTH) {
    throw new BridgeError('ARGUMENT_INVALID', `approval path deeper than ${MAX_APPROVAL_DEPTH}`);
  }
  const n0 = fieldToBytesBE(a.nullifiers[0]);
  const n1 = fieldToBytesBE(a.nullifiers[1]);
  const [[pda0], [pda1]] = await Promise.all([
    findNullifierPda(p.programId, n0),
    findNullifierPda(p.programId, n1),
  ]);
  const wr = new ByteWriter()
    .bytes(a.proof, 256, 'proof')
    .bytes(fieldToBytesBE(a.root))
    .bytes(n0)
    .bytes(n1)
    .bytes(fieldToBytesBE(a.outputs[0]))
    .bytes(fieldToBytesBE(a.outputs[1]))
    .i64(a.extAmount, 'extAmount')
    .u64(a.fee, 'fee')
    .u64(a.expirationSlot, 'expirationSlot')
    .bytes(a.ciphertextHashes[0], 32, 'ciphertextHash0')
    .bytes(a.ciphertextHashes[1], 32, 'ciphertextHash1')
    .u64(a.approval.height, 'approval.height')
    .u32(a.approval.index, 'approval.index')
    .u8(a.approval.siblings.length);
  for (const s of a.approval.siblings) wr.bytes(fieldToBytesBE(s));
  return ix(
    p,
    'withdraw',
    [
      signer(payer),
      w(p.bridgeState),
      w(p.vault),
      r(p.verifyingKey),
      w(pda0),
      w(pda1),
      w(a.recipient),
      w(a.relayer),
      r(SYSTEM_PROGRAM_ID),
    ],
    wr.finish(),
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

export async function slashInstruction(
  p: ProgramAddresses,
  reporter: TransactionSigner,
  a: SlashArgs,
): Promise<Instruction> {
  const [[validatorPda], [record]] = await Promise.all([
    findValidatorPda(p.programId, a.validator),
    findSlashRecordPda(p.programId, a.validator, a.voteSlot),
  ]);
  const accounts: Meta[] = [
    signer(reporter),
    w(p.bridgeState),
    w(p.validatorRegistry),
    w(validatorPda),
    w(record),
    w(p.vault),
    r(INSTRUCTIONS_SYSVAR_ID),
    r(SYSTEM_PROGRAM_ID),
  ];
  if (a.creditToValidatorAccount)
    accounts.push(w((await findValidatorPda(p.programId, reporter.address))[0]));
  return ix(p, 'slash', accounts, new ByteWriter().u8(a.signatureA).u8(a.signatureB).finish());
}
