/**
 * Test support for the coordinator module: a chain of final blocks with decodable transfers and
 * withdrawals. For tests and benches only; nothing outside tests imports it.
 */
export * from './chain.js';
