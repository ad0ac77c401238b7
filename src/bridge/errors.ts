import type { Address, Signature } from '@solana/kit';
import {
  type CodecErrorContext,
  defineErrorClass,
  type ModuleError,
  type NoContext,
} from '../common/index.js';

/**
 * Program error codes (custom error numbers 6000..), in the program's order (programs/paraloom/src/paraloom.h),
 * plus client-side codes. Callers branch on `code`; the number is kept in `context.programCode`.
 */
export const PROGRAM_ERROR_CODES = [
  /** Instruction data too short or with an unknown discriminator. */
  'INVALID_INSTRUCTION',
  /** Fewer accounts than the instruction needs. */
  'NOT_ENOUGH_ACCOUNTS',
  /** An account is not the one the instruction expects (address, PDA or owner). */
  'ACCOUNT_MISMATCH',
  /** An account that must sign did not. */
  'MISSING_SIGNATURE',
  /** An account that must be writable is not. */
  'NOT_WRITABLE',
  /** The signer is not the admin (or the program is immutable, so nobody is). */
  'UNAUTHORIZED',
  /** `initialize` on a bridge that already has its state. */
  'ALREADY_INITIALIZED',
  /** The bridge is paused: deposits and withdrawals are refused. */
  'PAUSED',
  /** pause on a paused bridge, or unpause on a running one. */
  'PAUSE_STATE_UNCHANGED',
  /** A parameter out of its allowed range (stake minimum, cap, count). */
  'INVALID_PARAMETER',
  /** A deposit of zero lamports. */
  'ZERO_AMOUNT',
  /** A deposit above the per-deposit cap. */
  'AMOUNT_OVER_CAP',
  /** A 32-byte value that stands for a field element is >= p. */
  'NON_CANONICAL_FIELD',
  /** The deposit ring holds as many unconsumed deposits as it can. */
  'DEPOSIT_QUEUE_FULL',
  /** A registration or stake below the minimum stake. */
  'STAKE_TOO_LOW',
  /** The validator is not active (or, for withdraw_stake, not unbonding). */
  'VALIDATOR_NOT_ACTIVE',
  /** withdraw_stake before the unbonding period ended. */
  'UNBONDING_NOT_FINISHED',
  /** The validator registry holds its maximum of active validators. */
  'REGISTRY_FULL',
  /** An anchor at a height not above the last anchored one. */
  'HEIGHT_NOT_INCREASING',
  /** An anchor consumes fewer deposits than before or more than exist. */
  'DEPOSITS_OUT_OF_RANGE',
  /** An anchor's deposit accumulator does not match the chain's. */
  'DEPOSIT_ACC_MISMATCH',
  /** The anchor's signatures do not carry a quorum of stake. */
  'QUORUM_NOT_REACHED',
  /** The Ed25519 signature instruction is missing or malformed. */
  'BAD_SIGNATURE_INSTRUCTION',
  /** No longer raised by withdraw (its approval binds the root); kept so the numbering stays stable. */
  'UNKNOWN_ROOT',
  /** The withdrawal's approval account is not a live Approval (never created, or closed after expiry). */
  'UNKNOWN_APPROVAL_HEIGHT',
  /** The approval path does not lead to that height's approval root. */
  'APPROVAL_PATH_INVALID',
  /** A withdrawal after its expiration slot. */
  'EXPIRED',
  /** A relayer fee above the gross withdrawal amount. */
  'FEE_TOO_HIGH',
  /** A withdrawal whose ext amount is not negative (or is i64::MIN). */
  'INVALID_EXT_AMOUNT',
  /** The Groth16 proof does not verify. */
  'PROOF_INVALID',
  /** No finalized verifying key yet. */
  'VK_NOT_READY',
  /** A change to a verifying key that is already finalized. */
  'VK_FINALIZED',
  /** A verifying key that does not decode or has the wrong input count. */
  'VK_INVALID',
  /** The nullifier already has its account: the note is spent. */
  'NULLIFIER_SPENT',
  /** The vault (or the account paying out) holds less than the payout. */
  'VAULT_INSUFFICIENT',
  /** Equivocation evidence that is not two conflicting signed votes of one validator. */
  'EVIDENCE_INVALID',
  /** This evidence has slashed already. */
  'EVIDENCE_USED',
  /** claim_rewards with nothing pending. */
  'NO_REWARDS',
  /** An arithmetic overflow in the program. */
  'OVERFLOW',
  /** An account's data does not have the layout the program expects. */
  'INVALID_ACCOUNT_DATA',
  /** A hashing or curve syscall failed. */
  'SYSCALL_FAILED',
  /** A peer id or multiaddr list longer than a ValidatorAccount holds. */
  'ENDPOINT_TOO_LONG',
  /** An asset other than SOL (asset id 0). */
  'UNSUPPORTED_ASSET',
  /** The validator already has its ValidatorAccount. */
  'ALREADY_REGISTERED',
  /** An account creation the program cannot fund rent-exempt. */
  'RENT_UNSUPPORTED',
  /** A compressed proof point that is infinity, non-canonical (x >= q) or has no point on the curve. */
  'PROOF_POINT_INVALID',
  /** close_approval before every withdrawal the approval covers has expired. */
  'APPROVAL_NOT_EXPIRED',
] as const;

export const PROGRAM_ERROR_BASE = 6000;

export type ProgramErrorCode = (typeof PROGRAM_ERROR_CODES)[number];

/** What a program error carries: its number, and where the RPC layer saw it, the method and the last logs. */
export type ProgramErrorContext = {
  programCode: number;
  method?: string;
  logs?: readonly string[];
};

/** The context of each client-side code, from what its throw sites attach. */
export interface BridgeClientErrorContexts {
  /** The program failed with a custom error number this client does not know. */
  UNKNOWN_PROGRAM_ERROR: ProgramErrorContext;
  /** Account data too short, truncated inside a field, or with the wrong discriminator. */
  ACCOUNT_DECODE_FAILED: {
    length?: number;
    /** The @solana/kit codec error code behind a generated decoder's refusal. */
    solanaCode?: number;
    peerIdLen?: number;
    multiaddrsLen?: number;
    icCount?: number;
  };
  /** Bad argument to a bridge helper (byte length, integer range, index, page size). */
  ARGUMENT_INVALID:
    | CodecErrorContext
    | {
        length?: number;
        value?: string;
        count?: number;
        pageSize?: number;
        index?: number;
        /** The @solana/kit codec error code behind a generated encoder's refusal. */
        solanaCode?: number;
        chunk?: number;
        depth?: number;
        peerIdLength?: number;
        multiaddrsLength?: number;
        height?: string;
        withdrawals?: number;
      };
  /** An instruction too large for its encoding (Ed25519 instruction offsets are u16). */
  TRANSACTION_TOO_LARGE: NoContext;
  // RPC layer: the call did not answer in time, could not reach the node, or the node answered an error.
  /** The RPC call did not answer within its deadline. */
  RPC_TIMEOUT: { method: string };
  /** The RPC node could not be reached (transport failure). */
  RPC_UNAVAILABLE: { method: string };
  /** The RPC node answered with an error (or without what a finalized call must return). */
  RPC_ERROR: { method?: string; solanaCode?: number; logs?: readonly string[]; signature?: Signature };
  // Version handshake.
  /** No bridge state account for this program: not deployed or not initialized on this cluster. */
  BRIDGE_NOT_INITIALIZED: { programId: Address; stateAddress?: Address };
  /** The program's program_version is not the one this node speaks. */
  PROGRAM_VERSION_MISMATCH: { programId: Address; onChain: number; expected: number };
  // Deposit listener: an event that does not decode, or a queue index that is not the next one.
  /** A program event (log line) that does not decode or does not match its instruction. */
  EVENT_DECODE_FAILED: CodecErrorContext | { signature?: Signature; index?: string; length?: number };
  /** A deposit whose queue index is not the next one expected. */
  DEPOSIT_GAP: { signature: Signature; expected: string; got: string };
  // Submitters: a runtime failure that is not a program error, or no confirmation in time.
  /** A transaction failed for a reason that is not a program error. */
  TRANSACTION_FAILED: { err: string; logs: readonly string[] };
  /** A transaction (or an airdrop) not confirmed in time. */
  CONFIRMATION_TIMEOUT: { address?: Address; kind?: string; signature?: Signature };
  /** Every send attempt ended without a confirmation. */
  RETRIES_EXHAUSTED: { kind: string; signatures: Signature[] };
  /** The caller's gate (SendOptions.mayProceed) said no right before a send. */
  SEND_WITHHELD: { kind: string; attempt: number; earlierSignatures: Signature[] };
  // Deployment through the upgradeable loader (src/bridge/deploy).
  /** The payer holds less than the rent and fees the step needs. */
  INSUFFICIENT_FUNDS: { address?: Address; balance?: string; required?: string; err?: string };
  /** The signer is not the authority of the buffer or program it acts on. */
  AUTHORITY_MISMATCH: { account?: Address; authority?: Address | null; signer?: Address; err?: string };
  /** The program's upgrade authority was dropped: nobody can upgrade (or initialize) it. */
  PROGRAM_IMMUTABLE: { programId?: Address; err?: string };
  /** The address holds no upgradeable-loader program. */
  NOT_A_PROGRAM: { address: Address; owner?: Address };
  /** A deploy to a program id already in use (use upgrade for a deployed program). */
  PROGRAM_EXISTS: { programId: Address; owner: Address };
  /** A buffer whose size does not match the program written into it. */
  BUFFER_TOO_SMALL: { buffer?: Address; capacity?: number; length?: number; err?: string };
  /** An upgrade larger than the program's max_data_len (extend the program first). */
  PROGRAM_DATA_TOO_SMALL: { programId: Address; capacity: number; length: number };
  /** The file to deploy is not a 64-bit little-endian ELF. */
  ELF_INVALID: { length: number; path?: string };
  /** The buffer still differs from the program after every write round. */
  BUFFER_INCOMPLETE: { buffer: Address; chunksLeft: number };
  /** A finalized verifying key on chain differs from the one this deployment would upload. */
  VK_MISMATCH: { programId: Address; address: Address };
}

export type BridgeErrorContexts = {
  readonly [Code in ProgramErrorCode]: ProgramErrorContext;
} & BridgeClientErrorContexts;
export type BridgeErrorCode = keyof BridgeErrorContexts;

export const BridgeError = defineErrorClass<BridgeErrorContexts>('BridgeError');
export type BridgeError<C extends BridgeErrorCode = BridgeErrorCode> = ModuleError<BridgeErrorContexts, C>;

/** Maps the program's custom error number to the typed error (unknown numbers keep their number). */
export function bridgeErrorFromProgramCode(
  programCode: number,
): BridgeError<ProgramErrorCode | 'UNKNOWN_PROGRAM_ERROR'> {
  const code = PROGRAM_ERROR_CODES[programCode - PROGRAM_ERROR_BASE];
  if (code === undefined) {
    return new BridgeError('UNKNOWN_PROGRAM_ERROR', `program failed with code ${programCode}`, {
      programCode,
    });
  }
  return new BridgeError(code, `program rejected the instruction: ${code}`, { programCode });
}

export function programCodeOf(code: ProgramErrorCode): number {
  return PROGRAM_ERROR_BASE + PROGRAM_ERROR_CODES.indexOf(code);
}
