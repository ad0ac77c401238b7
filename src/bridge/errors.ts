import { ParaloomError } from '../common/index.js';

/**
 * Program error codes (custom error numbers 6000..), in the program's order (programs/paraloom/src/paraloom.h),
 * plus client-side codes. Callers branch on `code`; the number is kept in `context.programCode`.
 */
export const PROGRAM_ERROR_CODES = [
  'INVALID_INSTRUCTION',
  'NOT_ENOUGH_ACCOUNTS',
  'ACCOUNT_MISMATCH',
  'MISSING_SIGNATURE',
  'NOT_WRITABLE',
  'UNAUTHORIZED',
  'ALREADY_INITIALIZED',
  'PAUSED',
  'PAUSE_STATE_UNCHANGED',
  'INVALID_PARAMETER',
  'ZERO_AMOUNT',
  'AMOUNT_OVER_CAP',
  'NON_CANONICAL_FIELD',
  'DEPOSIT_QUEUE_FULL',
  'STAKE_TOO_LOW',
  'VALIDATOR_NOT_ACTIVE',
  'UNBONDING_NOT_FINISHED',
  'REGISTRY_FULL',
  'HEIGHT_NOT_INCREASING',
  'DEPOSITS_OUT_OF_RANGE',
  'DEPOSIT_ACC_MISMATCH',
  'QUORUM_NOT_REACHED',
  'BAD_SIGNATURE_INSTRUCTION',
  'UNKNOWN_ROOT',
  'UNKNOWN_APPROVAL_HEIGHT',
  'APPROVAL_PATH_INVALID',
  'EXPIRED',
  'FEE_TOO_HIGH',
  'INVALID_EXT_AMOUNT',
  'PROOF_INVALID',
  'VK_NOT_READY',
  'VK_FINALIZED',
  'VK_INVALID',
  'NULLIFIER_SPENT',
  'VAULT_INSUFFICIENT',
  'EVIDENCE_INVALID',
  'EVIDENCE_USED',
  'NO_REWARDS',
  'OVERFLOW',
  'INVALID_ACCOUNT_DATA',
  'SYSCALL_FAILED',
  'ENDPOINT_TOO_LONG',
  'UNSUPPORTED_ASSET',
  'ALREADY_REGISTERED',
  'RENT_UNSUPPORTED',
] as const;

export const PROGRAM_ERROR_BASE = 6000;

export type ProgramErrorCode = (typeof PROGRAM_ERROR_CODES)[number];
export type BridgeErrorCode =
  | ProgramErrorCode
  | 'UNKNOWN_PROGRAM_ERROR'
  | 'ACCOUNT_DECODE_FAILED'
  | 'ARGUMENT_INVALID'
  | 'TRANSACTION_TOO_LARGE'
  // RPC layer: the call did not answer in time, could not reach the node, or the node answered an error.
  | 'RPC_TIMEOUT'
  | 'RPC_UNAVAILABLE'
  | 'RPC_ERROR'
  // Version handshake.
  | 'BRIDGE_NOT_INITIALIZED'
  | 'PROGRAM_VERSION_MISMATCH'
  // Deposit listener: an event that does not decode, or a queue index that is not the next one.
  | 'EVENT_DECODE_FAILED'
  | 'DEPOSIT_GAP'
  // Submitters: a runtime failure that is not a program error, or no confirmation in time.
  | 'TRANSACTION_FAILED'
  | 'CONFIRMATION_TIMEOUT'
  | 'RETRIES_EXHAUSTED'
  // The caller's gate (SendOptions.mayProceed) said no right before a send.
  | 'SEND_WITHHELD';

export class BridgeError extends ParaloomError<BridgeErrorCode> {}

/** Maps the program's custom error number to the typed error (unknown numbers keep their number). */
export function bridgeErrorFromProgramCode(programCode: number): BridgeError {
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
