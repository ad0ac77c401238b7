import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_ACTIVE_VALIDATORS, MAX_APPROVAL_DEPTH } from '../../../src/bridge/index.js';
import {
  MAX_TRANSACTION_BYTES,
  measureTransactionSizes,
  type TransactionSizes,
} from '../../../src/bridge/testing/index.js';
import { shutdownProver } from '../../../src/privacy/index.js';

let sizes: TransactionSizes;

beforeAll(async () => {
  sizes = await measureTransactionSizes();
}, 240_000);
afterAll(() => shutdownProver());

describe('every transaction the system builds fits the 1,232-byte packet at its largest', () => {
  it('withdraw at the maximum approval depth settles, with room left for the asset argument', () => {
    expect(MAX_APPROVAL_DEPTH).toBe(11);
    expect(sizes.withdraw.bytes).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES - 32);
    // One level deeper would not fit with that margin: the depth is the largest that does.
    expect(sizes.withdraw.bytes + 32).toBeGreaterThan(MAX_TRANSACTION_BYTES - 32);
    expect(sizes.withdraw.computeUnits).toBeLessThanOrEqual(200_000n);
  });

  it('an anchor of the largest validator set fits; one more registration is refused', () => {
    expect(MAX_ACTIVE_VALIDATORS).toBeGreaterThanOrEqual(10);
    expect(sizes.anchorEd25519Signers).toBe(Math.floor((2 * MAX_ACTIVE_VALIDATORS) / 3));
    expect(sizes.anchor.bytes).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES);
    // The next set size would need one more Ed25519 signature (110 bytes): it would not fit.
    expect(sizes.anchor.bytes + 110).toBeGreaterThan(MAX_TRANSACTION_BYTES);
    expect(sizes.registrationPastCap).toBe('REGISTRY_FULL');
  });

  it('slash, register, deposit, close_approval and the verifying-key chunk fit', () => {
    for (const m of [
      sizes.slash,
      sizes.registerValidator,
      sizes.deposit,
      sizes.closeApproval,
      sizes.verifyingKeyChunk,
    ]) {
      expect(m.bytes).toBeLessThanOrEqual(MAX_TRANSACTION_BYTES);
      expect(m.computeUnits).toBeLessThanOrEqual(200_000n);
    }
  });
});
