import { describe, expect, it } from 'vitest';
import { PEDERSEN_ORDER, PedersenCommitment, randomPedersenBlinding } from './pedersen.js';

describe('Pedersen commitments on Baby Jubjub', () => {
  it('opens only with its value and blinding', () => {
    const r = randomPedersenBlinding();
    const c = PedersenCommitment.commit(42n, r);
    expect(c.opens(42n, r)).toBe(true);
    expect(c.opens(43n, r)).toBe(false);
    expect(c.opens(42n, (r + 1n) % PEDERSEN_ORDER)).toBe(false);
  });

  it('is additively homomorphic', () => {
    const r1 = randomPedersenBlinding();
    const r2 = randomPedersenBlinding();
    const sum = PedersenCommitment.commit(1000n, r1).add(PedersenCommitment.commit(234n, r2));
    expect(sum.opens(1234n, (r1 + r2) % PEDERSEN_ORDER)).toBe(true);
  });

  it('hides: equal values with different blindings differ', () => {
    expect(PedersenCommitment.commit(5n, 1n).equals(PedersenCommitment.commit(5n, 2n))).toBe(false);
  });

  it('round-trips its 32-byte encoding and rejects non-points and out-of-range scalars', () => {
    const c = PedersenCommitment.commit(9n, randomPedersenBlinding());
    expect(PedersenCommitment.fromBytes(c.toBytes()).equals(c)).toBe(true);
    expect(() => PedersenCommitment.fromBytes(new Uint8Array(31))).toThrow(/32 bytes/);
    let rejected = 0;
    for (let i = 0; i < 20; i++) {
      const b = new Uint8Array(32);
      crypto.getRandomValues(b);
      try {
        PedersenCommitment.fromBytes(b);
      } catch {
        rejected++;
      }
    }
    // Random bytes are a subgroup point with probability about 1/16; nearly all must be refused.
    expect(rejected).toBeGreaterThan(14);
    expect(() => PedersenCommitment.commit(PEDERSEN_ORDER, 1n)).toThrow(/\[0, l\)/);
    expect(() => PedersenCommitment.commit(-1n, 1n)).toThrow();
    let refused: unknown;
    try {
      PedersenCommitment.commit(1n, PEDERSEN_ORDER);
    } catch (e) {
      refused = e;
    }
    expect(refused).toMatchObject({
      code: 'PEDERSEN_INVALID',
      context: { what: 'blinding', value: PEDERSEN_ORDER.toString() },
    });
  });
});
