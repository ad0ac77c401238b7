/**
 * The short seeded fault set (manifests marked "ci"), as `npm run faults` runs it: validators in
 * their own network namespaces, a load of transfers and deposits throughout, faults applied and
 * healed, then every check (tools/faults/checks.ts). Needs root and `ip netns`, as CI has; skipped
 * with the reason otherwise. The full set is `npm run faults -- --all` (closing notes, README).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ScenarioReport } from '../tools/faults/driver.js';
import { labUnavailable } from '../tools/faults/netns.js';
import { loadScenarios } from '../tools/faults/scenario.js';
import { readReports } from '../tools/faults/summary.js';

const unavailable = await labUnavailable();
const REPO = join(import.meta.dirname, '..');

describe.skipIf(unavailable !== undefined)(
  `fault scenarios, short set${unavailable ? ` (skipped: ${unavailable})` : ''}`,
  () => {
    it('every CI scenario ends with its checks passed and finality back within its bound', {
      timeout: 900_000,
    }, async () => {
      const out = join(mkdtempSync(join(tmpdir(), 'paraloom-faults-ci-')), 'report.jsonl');
      const child = spawn(
        process.execPath,
        ['--import', 'tsx', join(REPO, 'tools', 'faults', 'main.ts'), '--out', out],
        {
          cwd: REPO,
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      for (const s of [child.stdout!, child.stderr!]) s.on('data', (d: Buffer) => (output += d.toString()));
      const code = await new Promise<number | null>((r) => child.once('exit', r));
      const reports: ScenarioReport[] = readReports(out);
      const expected = loadScenarios()
        .filter((s) => s.ci)
        .map((s) => s.name);
      expect(
        reports.map((r) => r.scenario),
        output.slice(-3000),
      ).toEqual(expected);
      for (const r of reports) {
        expect(r.violations, `${r.scenario}: ${r.violations.join('; ')}`).toEqual([]);
        expect(r.recoverMs).not.toBeNull();
        expect(r.recoverMs!).toBeLessThanOrEqual(r.livenessBoundMs);
        // The load ran and was final: transfers acknowledged and published, deposits in the L2.
        expect(r.load.acknowledged).toBeGreaterThan(5);
        expect(r.load.final).toBeGreaterThanOrEqual(r.load.acknowledged);
        expect(r.load.depositsInL2).toBe(r.load.depositsConfirmed);
        expect(r.finalBlocks.after).toBeGreaterThan(0);
        // Withdrawals proven during the fault were taken and settled on Solana by a relayer.
        expect(r.withdrawals.acknowledged, r.withdrawals.errors.join('; ')).toBe(r.withdrawals.made);
        expect(r.withdrawals.settled + r.withdrawals.refunded).toBe(r.withdrawals.acknowledged);
      }
      expect(code, output.slice(-3000)).toBe(0);
    });
  },
);
