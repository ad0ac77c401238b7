// The whole host API a job module may import (docs/protocol.md §Compute jobs). Kept tiny on
// purpose: every host function is something every executor must implement identically.

export interface HostFunction {
  readonly module: string;
  readonly name: string;
  readonly params: readonly ('i32' | 'i64')[];
  readonly results: readonly ('i32' | 'i64')[];
}

/** `paraloom.abort(code: i32)`: stop the job with a job-defined code (reported, deterministic). */
export const HOST_ABORT: HostFunction = { module: 'paraloom', name: 'abort', params: ['i32'], results: [] };

export const HOST_API: readonly HostFunction[] = [HOST_ABORT];

/** Exports every job module must provide: its memory and the two entry points. */
export const ENTRY_EXPORTS = {
  memory: 'memory',
  /** alloc(size: i32) -> ptr: i32; the host writes the input at ptr. */
  alloc: 'alloc',
  /** run(input_ptr: i32, input_len: i32) -> output_len: i32; the output is read back from input_ptr. */
  run: 'run',
} as const;

/** Names the instrumenter adds; a job may not define them itself. */
export const RESERVED_PREFIX = '__paraloom';
export const FUEL_GLOBAL = '__paraloom_fuel';
