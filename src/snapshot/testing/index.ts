// Test support of the snapshot module: a chain of real certified blocks in a real store.
export * from './chain.js';
