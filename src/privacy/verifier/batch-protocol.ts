/** Messages between BatchVerifierPool and its workers (structured clone: bigints and bytes). */
export interface ChunkRequest {
  readonly id: number;
  readonly inputCount: number;
  readonly wires: readonly Uint8Array[];
  readonly publicInputs: readonly (readonly bigint[])[];
}

export interface ChunkResult {
  readonly id: number;
  /** Proofs that failed to decode (index within the chunk), excluded from the partial check. */
  readonly rejected: ReadonlyArray<{ index: number; code: string }>;
  readonly accepted: number;
  /** Π e(r_i·A_i, B_i) before final exponentiation (GT, mcl serialization); empty if none accepted. */
  readonly miller: Uint8Array;
  /** Σ r_i (Fr). */
  readonly sumR: Uint8Array;
  /** Σ r_i·x_ij for each public input j (Fr). */
  readonly sumRX: readonly Uint8Array[];
  /** Σ r_i·C_i (G1); empty if none accepted. */
  readonly sumRC: Uint8Array;
}
