/**
 * The fault harness's checks find what they are there to find: two hashes announced final at one
 * height, an acknowledged transfer never published, a deposit missing from the L2, a cohort that
 * did not recover; and its manifests are well formed and the seeded generator replays.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkAcknowledged, checkAnnouncedFinal, percentile, recoveryAfter } from '../tools/faults/checks.js';
import type { DepositRecord, Submission } from '../tools/faults/load.js';
import { checkScenario, loadScenarios, randomScenario, type Scenario } from '../tools/faults/scenario.js';

const line = (height: number, hash: string) =>
  JSON.stringify({ level: 30, msg: 'block final', height: String(height), round: 0, hash });

describe('fault checks', () => {
  it('two hashes announced final at one height is a violation; the same hash twice is not', () => {
    const dir = mkdtempSync(join(tmpdir(), 'paraloom-faults-check-'));
    const a = join(dir, 'a.log');
    const b = join(dir, 'b.log');
    writeFileSync(a, `${line(1, 'aa')}\n${line(2, 'bb')}\nnot json\n`);
    writeFileSync(b, `${line(1, 'aa')}\n${line(2, 'cc')}\n`);
    const violations: string[] = [];
    expect(checkAnnouncedFinal([a, b], violations)).toBe(4);
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatch(/height 2 announced final as bb.* and as cc/);
    const clean: string[] = [];
    checkAnnouncedFinal([a, a], clean);
    expect(clean).toEqual([]);
  });

  it('an acknowledged transfer not published and a confirmed deposit not in the L2 are violations', () => {
    const sub = (index: number, status: number, commitment: string, code?: string): Submission => ({
      index,
      atMs: 0,
      tried: [0],
      status,
      ...(code ? { code } : {}),
      ...(status === 202 ? { ackedAtMs: 10 } : {}),
      commitment,
      resubmitted: 0,
    });
    const deposits: DepositRecord[] = [
      { commitment: 'd1', amount: 1n, atMs: 0, confirmedAtMs: 5 },
      { commitment: 'd2', amount: 1n, atMs: 0, confirmedAtMs: 5 },
      { commitment: 'd3', amount: 1n, atMs: 0, error: 'refused' },
    ];
    const published = new Map([
      ['c1', 1],
      ['d1', 1],
    ]);
    const violations: string[] = [];
    const summary = checkAcknowledged(
      [sub(0, 202, 'c1'), sub(1, 202, 'c2'), sub(2, 409, 'c3', 'NULLIFIER_SPENT'), sub(3, 0, 'c4')],
      deposits,
      published,
      violations,
    );
    expect(summary).toMatchObject({
      submitted: 4,
      acknowledged: 2,
      final: 1,
      refused: { NULLIFIER_SPENT: 1 },
      unanswered: 1,
      depositsConfirmed: 2,
      depositsInL2: 1,
    });
    expect(violations).toHaveLength(2);
    expect(violations.join('\n')).toMatch(/transfer 1 acknowledged/);
    expect(violations.join('\n')).toMatch(/deposit d2/);
  });

  it('recovery is when every validator passed the best height at the heal, or null', () => {
    const samples = [
      { atMs: 0, heights: [5, 5, 5, 5] },
      { atMs: 1000, heights: [9, 9, 9, 3] },
      { atMs: 1500, heights: [10, 10, null, 4] },
      { atMs: 2000, heights: [11, 11, 11, 9] },
      { atMs: 2500, heights: [12, 12, 12, 12] },
    ];
    expect(recoveryAfter(samples, 1000)).toEqual({ recoverMs: 1500, heightAtHeal: 9 });
    expect(recoveryAfter(samples.slice(0, 4), 1000).recoverMs).toBeNull();
    expect(percentile([5, 1, 3, 2, 4], 50)).toBe(3);
    expect(percentile([], 99)).toBeNull();
  });
});

describe('fault scenarios', () => {
  it('every manifest is well formed, and the short set CI runs is not empty', () => {
    const all = loadScenarios();
    expect(all.length).toBeGreaterThanOrEqual(10);
    expect(all.filter((s) => s.ci).length).toBeGreaterThan(0);
    expect(new Set(all.map((s) => s.name)).size).toBe(all.length);
  });

  it('refuses steps out of order, targets outside the cohort, and delay without the relay', () => {
    const base: Scenario = {
      name: 'x',
      description: '',
      durationMs: 10_000,
      load: { transfersPerSecond: 1, depositEveryMs: 0, withdrawals: 0 },
      steps: [],
      livenessBoundMs: 1000,
    };
    const bad: Scenario[] = [
      {
        ...base,
        steps: [
          { atMs: 5000, do: 'heal' },
          { atMs: 1000, do: 'heal' },
        ],
      },
      { ...base, steps: [{ atMs: 1000, do: 'kill', target: 4 }] },
      { ...base, steps: [{ atMs: 1000, do: 'partition', groups: [[0, 9]] }] },
      { ...base, steps: [{ atMs: 1000, do: 'delay', delayMs: 50 }] },
      { ...base, validators: 3 },
    ];
    for (const s of bad) expect(() => checkScenario(s)).toThrow(/scenario x/);
    expect(
      checkScenario({ ...base, validators: 7, steps: [{ atMs: 1, do: 'kill', target: 6 }] }),
    ).toBeTruthy();
  });

  it('a seed draws the same scenario every time, another seed another', () => {
    expect(randomScenario(7)).toEqual(randomScenario(7));
    expect(JSON.stringify(randomScenario(7))).not.toBe(JSON.stringify(randomScenario(8)));
    for (let seed = 0; seed < 50; seed++) {
      const s = randomScenario(seed);
      expect(s.steps.length).toBeGreaterThanOrEqual(4);
      expect(s.durationMs).toBeGreaterThan(s.steps.at(-1)!.atMs);
    }
  });
});
