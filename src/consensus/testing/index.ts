/**
 * Test support for the consensus module: real Ed25519 validator keys and cohorts bound to the dev program.
 * For tests and benches only; nothing outside tests imports it.
 */
export * from './keys.js';
