// Protocol-wide caps for compute jobs (docs/protocol.md §Compute jobs). Every decoder and
// validator checks these before allocating or running anything.

/** A whole encoded job fits one COMPUTE network message body (256 KiB, docs/protocol.md). */
export const MAX_JOB_BYTES = 256 * 1024;
/** Largest accepted WASM module (before instrumentation). */
export const MAX_WASM_BYTES = 128 * 1024;
/** A module's memory maximum may not exceed this many 64 KiB pages (16 MiB). */
export const MAX_MEMORY_PAGES = 256;
/** Largest fuel limit a job may ask for. */
export const MAX_FUEL = 10_000_000_000n;
/** Largest plaintext input (its ciphertext adds a 16-byte tag). */
export const MAX_INPUT_BYTES = 96 * 1024;
/** Largest output a job may declare (and the sandbox will copy out). */
export const MAX_OUTPUT_BYTES = 64 * 1024;
/** Executors one job may be assigned to. */
export const MAX_EXECUTORS = 16;
/** Deepest expression nesting a module may have (binaryen's passes recurse on it). */
export const MAX_NESTING = 1024;
/** Call depth at which an instrumented module traps (V8's own stack limit varies by version). */
export const MAX_CALL_DEPTH = 1024;
/** Default wall-clock budget of one run, the second line of defence behind fuel. */
export const DEFAULT_WALL_CLOCK_MS = 10_000;
