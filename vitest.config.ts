import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'programs/*/tests/**/*.test.ts', 'test/**/*.test.ts'],
    // A run directory for the one cohort the multi-process tests share, and its stop at the end.
    globalSetup: ['test/setup/shared-cohort-run.ts'],
    // Proof generation and multi-process tests are CPU-bound on a 2-core machine.
    testTimeout: 120_000,
    // Wallets unlock non-interactively in tests and in the CLI children they start.
    env: { PARALOOM_WALLET_PASSPHRASE: 'paraloom-test-passphrase' },
    hookTimeout: 300_000,
    pool: 'forks',
    // Files run one after another in each fork's module graph: importing the tree (snarkjs, libp2p,
    // the circuits' loaders) once per fork rather than once per file took ~100 s of a CI run.
    // Module state a file changes must be put back by that file.
    isolate: false,
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
  },
});
