/** Messages between BatchVerifierPool and its workers (structured clone: bigints and bytes). */

/** Given to each worker at start: the verifying key in its chain encoding (VerifyingKey.toChainBytes). */
export interface WorkerInit {
  readonly verifyingKey: Uint8Array;
}

export interface ChunkRequest {
  readonly id: number;
  readonly wires: readonly Uint8Array[];
  /** In circuit order, one list per wire. */
  readonly publicInputs: readonly (readonly bigint[])[];
}

/** The worker's verdict on a whole chunk: one batch check, bisected in the worker when it fails. */
export interface ChunkResult {
  readonly id: number;
  /** Proofs that failed to decode (index within the chunk), with the PrivacyError code. */
  readonly rejected: ReadonlyArray<{ index: number; code: string }>;
  /** Decodable proofs that do not verify (index within the chunk), ascending. */
  readonly failed: readonly number[];
}
