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
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default'],
  },
});
