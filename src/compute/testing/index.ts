/**
 * Test support for the compute module: WAT jobs (well-formed and hostile) and signed job fixtures with real
 * ownership proofs. For tests and benches only; nothing outside tests imports it.
 */
export * from './fixtures.js';
export * from './jobs.js';
