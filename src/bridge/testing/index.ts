/**
 * Test support for the bridge module: the real program in LiteSVM, chain drivers over LiteSVM or JSON-RPC,
 * deployments, a withdrawal scenario, a localnet with deposits and faulty transports. For tests and benches
 * only; nothing outside tests imports it.
 */
export * from './chain-driver.js';
export * from './dropping-rpc-server.js';
export * from './fixture.js';
export * from './funded-signer.js';
export * from './litesvm-harness.js';
export * from './localnet.js';
export * from './rpc-driver.js';
export * from './sizes.js';
export * from './withdraw-scenario.js';
