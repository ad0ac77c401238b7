import { ParaloomError } from '../common/index.js';

export type ComputeErrorCode =
  // Job format and codec.
  | 'JOB_MALFORMED'
  | 'JOB_UNSUPPORTED_VERSION'
  | 'JOB_LIMIT_EXCEEDED'
  // Module validation (refused before anything runs).
  | 'WASM_INVALID'
  | 'WASM_TOO_LARGE'
  | 'WASM_FORBIDDEN_IMPORT'
  | 'WASM_FORBIDDEN_FEATURE'
  | 'WASM_FLOAT'
  | 'WASM_TOO_DEEP'
  | 'WASM_MEMORY_LIMIT'
  | 'WASM_ENTRY_MISSING'
  // Distribution.
  | 'ASSIGNMENT_INVALID'
  | 'ASSIGNMENT_MISMATCH'
  | 'JOB_KNOWN'
  | 'POOL_FULL'
  | 'VALIDATORS_UNKNOWN'
  | 'JOB_UNKNOWN'
  /** The node's compute service was used before its chain was open. */
  | 'NOT_STARTED'
  // Client (paraloom compute submit | status | result).
  | 'INGRESS_REFUSED'
  | 'NOTE_MISSING'
  | 'KEY_FILE_INVALID'
  | 'JOB_NOT_FINAL'
  // Envelopes.
  | 'NOT_AN_EXECUTOR'
  | 'ENVELOPE_INVALID'
  // Ownership proof.
  | 'OWNERSHIP_MISSING'
  | 'OWNERSHIP_INVALID'
  | 'OWNERSHIP_ROOT_UNKNOWN'
  | 'OWNERSHIP_TAG_REUSED'
  | 'OWNERSHIP_PROVER_INPUT'
  // Agreement.
  | 'RESULT_NOT_ASSIGNED'
  | 'RESULT_DUPLICATE'
  | 'RESULT_JOB_FINISHED'
  | 'RESULT_BAD_SIGNATURE'
  | 'RESULT_WRONG_JOB'
  // Sandbox.
  | 'SANDBOX_FAILED'
  | 'SANDBOX_TIMEOUT';

export class ComputeError extends ParaloomError<ComputeErrorCode> {}
