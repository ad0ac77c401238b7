import type { Field, Groth16Proof } from '../../privacy/index.js';

export const JOB_VERSION = 1;

/** What the job asks of its executors: the module and the limits it runs under. */
export interface JobSpec {
  readonly wasm: Uint8Array;
  readonly fuelLimit: bigint;
  /** Upper bound on the module's declared memory maximum, in 64 KiB pages. */
  readonly memoryPages: number;
  readonly outputCap: number;
  /** Fee in lamports offered to the executors. */
  readonly fee: bigint;
  /** The submitter's X25519 key the output is encrypted to. */
  readonly outputKey: Uint8Array;
}

/** Public part of the ownership statement the job carries (the job id is derived, never sent). */
export interface JobOwnership {
  readonly root: Field;
  readonly scope: Field;
  readonly minAmount: bigint;
  readonly tag: Field;
}

/** The input, encrypted once under a random content key that is wrapped for each executor. */
export interface InputEnvelope {
  /** X25519 public keys of the assigned executors, in assignment order. */
  readonly executors: readonly Uint8Array[];
  readonly ephemeralKey: Uint8Array;
  /** One 48-byte wrap (content key + tag) per executor, same order. */
  readonly wrappedKeys: readonly Uint8Array[];
  readonly ciphertext: Uint8Array;
}

/** A job as it travels: everything the job id covers, plus the ownership proof bound to that id. */
export interface Job extends JobSpec {
  readonly ownership: JobOwnership;
  readonly input: InputEnvelope;
  /** Absent only while the submitter is still proving; such a job is refused by admission. */
  readonly proof: Groth16Proof | undefined;
}
