/**
 * Test support for the storage module: throw-away data directories and a quiet logger. For tests and
 * benches only; nothing outside tests imports it.
 */
export * from './temp-dir.js';
