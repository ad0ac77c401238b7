/** The fault report as a table (README "Reliability"), from the JSON lines the driver writes. */
import { existsSync, readFileSync } from 'node:fs';
import type { ScenarioReport } from './driver.js';

export function readReports(file: string): ScenarioReport[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as ScenarioReport);
}

const ms = (x: number | null) => (x === null ? '-' : `${(x / 1000).toFixed(1)} s`);

export function summaryTable(reports: readonly ScenarioReport[]): string {
  const rows = reports.map((r) =>
    [
      r.scenario,
      `${r.validators}${r.topology === 'relayed' ? ' (WAN relay)' : ''}`,
      `${r.finalBlocks.before} / ${r.finalBlocks.during} / ${r.finalBlocks.after}`,
      `${ms(r.recoverMs)} (bound ${ms(r.livenessBoundMs)})`,
      `${ms(r.finalityDuringFault.p50Ms)} / ${ms(r.finalityDuringFault.p99Ms)}`,
      `${r.load.acknowledged} / ${r.load.final}${r.load.resubmitted ? ` (${r.load.resubmitted} resent)` : ''}`,
      `${r.load.depositsConfirmed} / ${r.load.depositsInL2}`,
      `${r.withdrawals.acknowledged} / ${r.withdrawals.settled}${r.withdrawals.refunded ? ` (${r.withdrawals.refunded} refunded)` : ''}`,
      r.violations.length ? r.violations.length.toString() : 'none',
    ].join(' | '),
  );
  return [
    '| scenario | validators | final blocks before / during / after | recovery after heal | finality p50 / p99 during fault | transfers acked / final | deposits confirmed / in L2 | withdrawals acked / settled | violations |',
    '|---|---|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r} |`),
  ].join('\n');
}
