/**
 * Deterministic simulation of the consensus replica (src/consensus/sim). Every run checks safety on
 * each decision (no two different final blocks at one height among honest validators) and that no
 * honest validator is ever caught equivocating; runs whose faulty stake stays below 1/3 must also
 * keep finalizing. CI runs the matrix below (about 5,000 heights over 11 fault mixes); PARALOOM_SIM_LARGE=1 runs every
 * mix over 1,000 heights and 25 seeds (PARALOOM_SIM_SEEDS=n to change).
 */
import { describe, expect, it } from 'vitest';
import { runSimulation, type SimOptions } from './simulator.js';

const LARGE = process.env.PARALOOM_SIM_LARGE === '1';
/** Seeds per mix in the large run (PARALOOM_SIM_SEEDS overrides). */
const LARGE_SEEDS = Number(process.env.PARALOOM_SIM_SEEDS ?? 25);
const SOL = 1_000_000_000n;

interface Mix {
  readonly name: string;
  readonly seeds: number;
  readonly heights: number;
  /** Faulty stake < 1/3 and the rest connected: the chain must reach `heights`. */
  readonly live: boolean;
  readonly options: Omit<SimOptions, 'seed' | 'heights'>;
}

const byz = (index: number) => ({ index, doublePropose: true, doubleVote: true, forge: true });

const MIXES: readonly Mix[] = [
  {
    name: '4 validators, reordering delays 1-40 ms',
    seeds: 1,
    heights: 1000,
    live: true,
    options: { validators: 4 },
  },
  {
    name: '4 validators, 1 byzantine (double propose + double vote + forged/foreign/replayed votes), 5% drops',
    seeds: 1,
    heights: 1000,
    live: true,
    options: { validators: 4, dropRate: 0.05, byzantine: [byz(0)] },
  },
  {
    name: '4 validators, 1 byzantine, 5% drops, other seeds',
    seeds: 6,
    heights: 100,
    live: true,
    options: { validators: 4, dropRate: 0.05, byzantine: [byz(2)] },
  },
  {
    name: '4 validators, 1 crashed at 3 s, 10% drops',
    seeds: 4,
    heights: 150,
    live: true,
    options: { validators: 4, dropRate: 0.1, crashes: [{ index: 1, atMs: 3_000 }] },
  },
  {
    name: '4 validators, crash-restarts with only persisted state (down 1.5 s, 0.3 s, 50 ms), 5% drops',
    seeds: 4,
    heights: 200,
    live: true,
    options: {
      validators: 4,
      dropRate: 0.05,
      crashes: [
        { index: 1, atMs: 2_000, restartAfterMs: 1_500 },
        { index: 2, atMs: 6_000, restartAfterMs: 300 },
        { index: 1, atMs: 9_000, restartAfterMs: 50 },
      ],
    },
  },
  {
    name: '7 validators, 1 byzantine and 3 crash-restarts (two overlapping), 5% drops',
    seeds: 3,
    heights: 100,
    live: true,
    options: {
      validators: 7,
      dropRate: 0.05,
      byzantine: [byz(0)],
      crashes: [
        { index: 1, atMs: 1_000, restartAfterMs: 700 },
        { index: 2, atMs: 3_000, restartAfterMs: 20 },
        { index: 3, atMs: 3_010, restartAfterMs: 2_000 },
      ],
    },
  },
  {
    name: '7 validators, 2 byzantine, 10% drops, delays 1-80 ms',
    seeds: 4,
    heights: 100,
    live: true,
    options: { validators: 7, dropRate: 0.1, maxDelayMs: 80, byzantine: [byz(0), byz(5)] },
  },
  {
    name: '7 validators, 1 byzantine and 1 crashed at 2 s',
    seeds: 3,
    heights: 100,
    live: true,
    options: { validators: 7, dropRate: 0.02, byzantine: [byz(3)], crashes: [{ index: 6, atMs: 2_000 }] },
  },
  {
    name: '10 validators, unequal stakes, 3 byzantine holding < 1/3 of stake',
    seeds: 2,
    heights: 60,
    live: true,
    options: {
      validators: 10,
      stakes: [5n, 5n, 5n, 10n, 10n, 10n, 12n, 12n, 15n, 16n].map((s) => s * SOL),
      dropRate: 0.03,
      byzantine: [byz(0), byz(1), byz(9)],
    },
  },
  {
    name: 'safety only: 4 validators, 1 byzantine + 1 crashed (no quorum of honest), 20% drops',
    seeds: 3,
    heights: 50,
    live: false,
    options: {
      validators: 4,
      dropRate: 0.2,
      maxDelayMs: 200,
      byzantine: [byz(0)],
      crashes: [{ index: 3, atMs: 1_000 }],
      maxVirtualMs: 60_000,
    },
  },
  {
    name: 'safety only: 4 validators, 30% drops, delays 1-400 ms',
    seeds: 3,
    heights: 60,
    live: false,
    options: { validators: 4, dropRate: 0.3, maxDelayMs: 400, byzantine: [byz(1)], maxVirtualMs: 120_000 },
  },
];

describe('consensus simulation', () => {
  let totalHeights = 0;
  for (const mix of MIXES) {
    const seeds = LARGE ? LARGE_SEEDS : mix.seeds;
    const heights = LARGE ? 1000 : mix.heights;
    it(
      `${mix.name}: ${seeds} seed(s) x ${heights} heights`,
      async () => {
        for (let seed = 1; seed <= seeds; seed++) {
          // Yield between runs so the worker can answer vitest's RPC during long (large) runs.
          await new Promise((r) => setImmediate(r));
          const r = runSimulation({ ...mix.options, seed: seed * 7919 + heights, heights });
          const where = `seed ${r.seed}: ${JSON.stringify(r)}`;
          expect(r.safetyViolations, where).toEqual([]);
          expect(r.honestEquivocations, where).toBe(0);
          if (mix.live) expect(r.minHonestHeight, where).toBeGreaterThanOrEqual(heights);
          if (mix.options.byzantine?.length && mix.live) {
            // Double voters are caught, and forged or foreign votes never count.
            expect(r.evidence, where).toBeGreaterThan(0);
            expect(r.ignored.bad_signature ?? 0, where).toBeGreaterThan(0);
            expect(r.ignored.non_member ?? 0, where).toBeGreaterThan(0);
          }
          if (mix.options.crashes?.some((c) => c.restartAfterMs !== undefined))
            expect(r.restarts, where).toBeGreaterThan(0);
          totalHeights += r.minHonestHeight;
        }
      },
      LARGE ? 3_600_000 : 120_000,
    );
  }

  it('replays a seed exactly', () => {
    const o = { validators: 4, heights: 30, dropRate: 0.1, byzantine: [byz(0)], seed: 42 };
    expect(runSimulation(o)).toEqual(runSimulation(o));
    expect(totalHeights).toBeGreaterThanOrEqual(LARGE ? 1000 : 1000);
  });
});
