/**
 * Test support for the privacy module: proved transact fixtures, a pool scenario and G2 points outside the
 * subgroup. For tests and benches only; nothing outside tests imports it.
 */
export * from './curve-points.js';
export * from './transact-fixtures.js';
export * from './transact-scenario.js';
