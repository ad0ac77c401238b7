/**
 * Test support for the health module: a parser of the Prometheus text format. For tests and benches only;
 * nothing outside tests imports it.
 */
export * from './prometheus-text.js';
