import { describe, expect, it } from 'vitest';
import { NATIVE_ASSET, randomField } from '../privacy/index.js';
import type { OwnedNote } from './note-store.js';
import { planPayment } from './payment-plan.js';

const note = (amount: bigint, leafIndex: number): OwnedNote => ({
  commitment: randomField(),
  leafIndex,
  amount,
  blinding: randomField(),
  diversifier: randomField(),
  asset: NATIVE_ASSET,
  nullifier: randomField(),
  status: 'unspent',
});
const notes = (...amounts: bigint[]) => amounts.map((a, i) => note(a, i));

describe('payment planning', () => {
  it('needs no merge when one or two notes pay', () => {
    const plan = planPayment(notes(5n, 50n, 20n), 60n);
    expect(plan.merges).toEqual([]);
    expect(plan.payWith.map((n) => n.amount)).toEqual([20n, 50n]);
  });

  it('a payment needing three notes merges two of them once, then pays with two', () => {
    const plan = planPayment(notes(10n, 10n, 10n, 1n), 30n);
    expect(plan.rounds).toBe(1);
    expect(plan.merges).toHaveLength(1);
    expect(plan.merges[0]!.amount).toBe(20n);
    expect(plan.payWith.map((n) => n.amount).sort()).toEqual([10n, 20n]);
    // The dust note is left alone: the fewest notes that cover the target are merged.
    const used = plan.merges.flatMap((m) => m.inputs.map((i) => i.note?.leafIndex));
    expect(used).not.toContain(3);
  });

  it('k notes take k - 2 merges in as few rounds as disjoint pairs allow, and conserve the amount', () => {
    for (const k of [3, 4, 5, 8, 13]) {
      const held = notes(...Array.from({ length: k + 3 }, () => 7n));
      const target = BigInt(7 * k);
      const plan = planPayment(held, target);
      expect(plan.merges).toHaveLength(k - 2);
      expect(plan.payWith).toHaveLength(2);
      expect(plan.payWith.reduce((s, n) => s + n.amount, 0n)).toBe(target);
      expect(plan.rounds).toBeLessThanOrEqual(Math.ceil(Math.log2(k / 2)) + 1);
      // Within a round no note is spent twice, and every merge spends what exists by then.
      const made = new Map<number, number>();
      for (const m of plan.merges) {
        for (const input of m.inputs) {
          if (input.fromStep !== undefined) expect(made.get(input.fromStep)).toBeLessThan(m.round);
          else expect(input.note).toBeDefined();
        }
        made.set(m.step, m.round);
      }
      const owned = plan.merges.flatMap((m) => m.inputs.filter((i) => i.note).map((i) => i.note!.commitment));
      expect(new Set(owned).size).toBe(owned.length);
    }
  });

  it('refuses a payment the balance does not cover, and a non-positive one', () => {
    expect(() => planPayment(notes(1n, 2n, 3n), 7n)).toThrowError(
      expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' }),
    );
    expect(() => planPayment(notes(1n, 2n, 3n), 0n)).toThrowError(
      expect.objectContaining({ code: 'AMOUNT_INVALID' }),
    );
  });
});
