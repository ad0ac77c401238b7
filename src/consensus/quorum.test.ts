import { describe, expect, it } from 'vitest';
import { ConsensusError } from './errors.js';
import { leaderSeed, selectLeader } from './leader.js';
import { ValidatorSet } from './validator-set.js';

const key = (i: number) => new Uint8Array(32).fill(i);
const SOL = 1_000_000_000n;
const equal = (n: number, frac?: number) =>
  new ValidatorSet(
    Array.from({ length: n }, (_, i) => ({ publicKey: key(i + 1), stake: SOL })),
    frac,
  );

describe('quorum rules', () => {
  it('needs more than 2/3 of stake and ceil(0.7 n) heads', () => {
    expect(equal(10).minHeads).toBe(7);
    expect(equal(4).minHeads).toBe(3);
    expect(equal(7).minHeads).toBe(5);
    expect(equal(100).minHeads).toBe(70);
    const s = equal(10);
    expect(s.isQuorum(7n * SOL, 7)).toBe(true);
    expect(s.isQuorum(7n * SOL, 6)).toBe(false);
    expect(s.isQuorum(6n * SOL, 6)).toBe(false);
  });

  it('exactly 2/3 of stake is not enough, whatever the head count', () => {
    const s = equal(3, 0.1);
    expect(s.isQuorum(2n * SOL, 2)).toBe(false);
    expect(s.isQuorum(3n * SOL, 3)).toBe(true);
  });

  it('a whale with > 2/3 of stake is not final alone: the head count binds', () => {
    const s = new ValidatorSet([
      { publicKey: key(1), stake: 80n * SOL },
      ...Array.from({ length: 9 }, (_, i) => ({ publicKey: key(i + 2), stake: SOL })),
    ]);
    expect(s.isQuorum(80n * SOL, 1)).toBe(false);
    expect(s.isQuorum(86n * SOL, 7)).toBe(true);
    // Seven small validators have the heads but not the stake.
    expect(s.isQuorum(7n * SOL, 7)).toBe(false);
  });

  it('the head count is configurable', () => {
    expect(equal(10, 0.9).minHeads).toBe(9);
    expect(equal(10, 1).minHeads).toBe(10);
    expect(() => equal(10, 0)).toThrow(ConsensusError);
  });

  it('one third: more than 1/3 of stake', () => {
    const s = equal(3);
    expect(s.isOneThird(SOL)).toBe(false);
    expect(s.isOneThird(SOL + 1n)).toBe(true);
  });

  it('refuses empty sets, duplicate keys, zero stake, bad reputation', () => {
    expect(() => new ValidatorSet([])).toThrow(ConsensusError);
    expect(
      () =>
        new ValidatorSet([
          { publicKey: key(1), stake: SOL },
          { publicKey: key(1), stake: SOL },
        ]),
    ).toThrow(/duplicate/);
    expect(() => new ValidatorSet([{ publicKey: key(1), stake: 0n }])).toThrow(/stake/);
    expect(() => new ValidatorSet([{ publicKey: key(1), stake: SOL, reputation: 0 }])).toThrow(/reputation/);
  });
});

describe('leader selection', () => {
  const prev = new Uint8Array(32).fill(7);

  it('is deterministic and independent of the order validators are listed in', () => {
    const infos = Array.from({ length: 5 }, (_, i) => ({
      publicKey: key(i + 1),
      stake: BigInt(i + 1) * SOL,
    }));
    const a = new ValidatorSet(infos);
    const b = new ValidatorSet([...infos].reverse());
    for (let r = 0; r < 50; r++) {
      expect(selectLeader(a, prev, 9n, r).keyHex).toBe(selectLeader(b, prev, 9n, r).keyHex);
    }
  });

  it('depends on previous hash, height and round', () => {
    expect(leaderSeed(prev, 1n, 0)).not.toEqual(leaderSeed(prev, 1n, 1));
    expect(leaderSeed(prev, 1n, 0)).not.toEqual(leaderSeed(prev, 2n, 0));
    expect(leaderSeed(prev, 1n, 0)).not.toEqual(leaderSeed(new Uint8Array(32), 1n, 0));
    const s = equal(4);
    const leaders = new Set(Array.from({ length: 40 }, (_, r) => selectLeader(s, prev, 1n, r).keyHex));
    expect(leaders.size).toBe(4); // rounds rotate through the cohort
  });

  it('is weighted by stake x reputation', () => {
    const count = (s: ValidatorSet) => {
      const n = new Map<string, number>();
      for (let h = 1n; h <= 4000n; h++) {
        const k = selectLeader(s, prev, h, 0).keyHex;
        n.set(k, (n.get(k) ?? 0) + 1);
      }
      return n;
    };
    const byStake = count(
      new ValidatorSet([
        { publicKey: key(1), stake: SOL },
        { publicKey: key(2), stake: 3n * SOL },
      ]),
    );
    const share = (byStake.get('02'.repeat(32)) ?? 0) / 4000;
    expect(share).toBeGreaterThan(0.7);
    expect(share).toBeLessThan(0.8);
    const byRep = count(
      new ValidatorSet([
        { publicKey: key(1), stake: SOL, reputation: 3 },
        { publicKey: key(2), stake: 3n * SOL, reputation: 1 },
      ]),
    );
    const even = (byRep.get('01'.repeat(32)) ?? 0) / 4000;
    expect(even).toBeGreaterThan(0.45);
    expect(even).toBeLessThan(0.55);
  });
});
