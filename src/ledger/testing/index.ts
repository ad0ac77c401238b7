/**
 * Test support for the ledger module: a small L2 history with real proofs. For tests and benches only;
 * nothing outside tests imports it.
 */
export * from './scenario.js';
