import { defineErrorClass, type ModuleError, type NoContext } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface ComputeErrorContexts {
  // Job format and codec.
  /** A job or result record that does not decode (truncated, trailing bytes, non-canonical field, bad id). */
  JOB_MALFORMED: {
    offset?: number;
    need?: number;
    extra?: number;
    proofLength?: number;
    n?: number;
    issues?: string[];
    id?: string;
  };
  /** A job or result record of a version (or kind) this node does not know. */
  JOB_UNSUPPORTED_VERSION: { version?: number };
  /** A job field over its cap (size, fuel, memory pages, output, executors). */
  JOB_LIMIT_EXCEEDED: {
    size?: number;
    cap?: number;
    fuelLimit?: string;
    fuel?: string;
    pages?: number;
    outputCap?: number;
    executors?: number;
  };
  // Module validation (refused before anything runs).
  /** Not a valid WebAssembly module (or text), or it uses a reserved name. */
  WASM_INVALID: NoContext;
  /** The module is larger than the cap. */
  WASM_TOO_LARGE: { size: number; cap: number };
  /** An import outside the host API. */
  WASM_FORBIDDEN_IMPORT: { module?: string; name?: string | null };
  /** A value type or instruction kind the sandbox does not allow. */
  WASM_FORBIDDEN_FEATURE: { where?: string; expressionId?: number };
  /** Floating point, which is not deterministic across machines. */
  WASM_FLOAT: { where: string };
  /** Expressions nest deeper than the metering allows. */
  WASM_TOO_DEEP: { where: string };
  /** A memory without a maximum, or with one above the page limit. */
  WASM_MEMORY_LIMIT: { initial: number; max: number | null; limit: number };
  /** The module lacks its memory or an entry export. */
  WASM_ENTRY_MISSING: NoContext;
  // Distribution.
  /** A validator set that cannot assign executors (empty, or keys not distinct 32-byte keys). */
  ASSIGNMENT_INVALID: NoContext;
  /** The input is not sealed to the executors the validator set assigns to the job. */
  ASSIGNMENT_MISMATCH: { expected: number; named: number };
  /** A block already admitted this job. */
  JOB_KNOWN: NoContext;
  /** The pool of pending compute jobs is full. */
  POOL_FULL: NoContext;
  /** This node does not know the validator set yet. */
  VALIDATORS_UNKNOWN: NoContext;
  /** A final block records a result for a job no block admitted. */
  JOB_UNKNOWN: { job?: string };
  /** The node's compute service was used before its chain was open. */
  NOT_STARTED: NoContext;
  // Client (paraloom compute submit | status | result).
  /** The ingress cannot be reached or refused the request. */
  INGRESS_REFUSED: { status?: number; reason?: string };
  /** The wallet holds no unspent note large enough to back a job. */
  NOTE_MISSING: NoContext;
  /** The output key file cannot be read or is not a 32-byte hex X25519 secret. */
  KEY_FILE_INVALID: NoContext;
  /** The job has no final result yet (`state` is what the ingress reports). */
  JOB_NOT_FINAL: { state: unknown };
  // Envelopes.
  /** This key is not among the job's executors. */
  NOT_AN_EXECUTOR: NoContext;
  /** An input or output envelope that does not open or is too short. */
  ENVELOPE_INVALID: NoContext;
  // Ownership proof.
  /** The job carries no ownership proof. */
  OWNERSHIP_MISSING: NoContext;
  /** The ownership proof does not decode or does not verify for this job. */
  OWNERSHIP_INVALID: NoContext;
  /** The ownership proof is against an unknown or stale root. */
  OWNERSHIP_ROOT_UNKNOWN: NoContext;
  /** This note already backs a job in this scope. */
  OWNERSHIP_TAG_REUSED: NoContext;
  /** Bad input to the ownership prover, or proving failed. */
  OWNERSHIP_PROVER_INPUT: NoContext;
  // Agreement.
  /** A result signed by a key the job did not assign. */
  RESULT_NOT_ASSIGNED: NoContext;
  /** A second result from the same executor. */
  RESULT_DUPLICATE: NoContext;
  /** A result for a job that is already final. */
  RESULT_JOB_FINISHED: NoContext;
  /** A result whose signature does not verify. */
  RESULT_BAD_SIGNATURE: NoContext;
  /** A result for another job, or a result asked of a job that has none final yet. */
  RESULT_WRONG_JOB: NoContext;
  // Sandbox.
  /** The sandbox worker died. */
  SANDBOX_FAILED: NoContext;
  /** The job ran past its wall clock. */
  SANDBOX_TIMEOUT: { wallClockMs: number };
}

export type ComputeErrorCode = keyof ComputeErrorContexts;

export const ComputeError = defineErrorClass<ComputeErrorContexts>('ComputeError');
export type ComputeError<C extends ComputeErrorCode = ComputeErrorCode> = ModuleError<
  ComputeErrorContexts,
  C
>;
