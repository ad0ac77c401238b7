/**
 * Test support for the dashboard module: synthetic blocks whose secrets must never reach a view. For tests
 * and benches only; nothing outside tests imports it.
 */
export * from './fixtures.js';
