// Messages between the executor and its sandbox worker. Only deterministic outcomes travel back
// as results; engine messages are kept for logs and never enter a result commitment.

export interface RunRequest {
  readonly id: number;
  /** Instrumented module (see wasm/meter.ts). */
  readonly wasm: Uint8Array;
  readonly input: Uint8Array;
  readonly fuelLimit: bigint;
  readonly outputCap: number;
}

/** How a run ended. Every executor that runs the same job must reach the same status. */
export type RunStatus = 'ok' | 'out_of_fuel' | 'trap' | 'abort' | 'bad_output';

export interface RunOutcome {
  readonly id: number;
  readonly status: RunStatus;
  readonly output: Uint8Array;
  readonly fuelUsed: bigint;
  /** The job's own code for status 'abort', else 0. */
  readonly abortCode: number;
  /** Engine message for logs only. */
  readonly detail?: string;
}
