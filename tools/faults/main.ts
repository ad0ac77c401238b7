/**
 * `npm run faults`: the fault harness (issue #29, DESIGN section 11). Makes a lab of network
 * namespaces (chain, client, wan, outsider and one host per validator), runs the driver on its
 * `client` host, and always tears the lab down (also on Ctrl-C). Needs root.
 *
 *   npm run faults                       the short seeded set CI runs (manifests marked "ci")
 *   npm run faults -- --all              every manifest plus --random (default 3) drawn scenarios
 *   npm run faults -- --scenario <name>  one manifest (repeatable)
 *   npm run faults -- --random <k> --seed <s>
 *   npm run faults -- --out <file>       JSON lines, one report per scenario
 *                                        (default test-artifacts/faults/report.jsonl)
 * Prints the summary table at the end; exits 1 if any scenario has a violation.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { DriverOptions, ScenarioReport } from './driver.js';
import { labUnavailable, NetnsLab } from './netns.js';
import { loadScenarios, randomScenario, type Scenario } from './scenario.js';
import { readReports, summaryTable } from './summary.js';

const REPO = resolve(import.meta.dirname, '..', '..');

const { values } = parseArgs({
  options: {
    all: { type: 'boolean', default: false },
    scenario: { type: 'string', multiple: true },
    random: { type: 'string' },
    seed: { type: 'string', default: '29' },
    out: { type: 'string', default: join(REPO, 'test-artifacts', 'faults', 'report.jsonl') },
  },
});

const reason = await labUnavailable();
if (reason) {
  console.error(
    `npm run faults: ${reason}. The fault harness puts each validator in its own network namespace; run it as root (CI machines are).`,
  );
  process.exit(2);
}

const seed = Number(values.seed);
const manifests = loadScenarios();
let scenarios: Scenario[];
if (values.scenario?.length) {
  scenarios = values.scenario.map((name) => {
    const s = manifests.find((m) => m.name === name);
    if (!s) {
      console.error(`no scenario ${name}; there are: ${manifests.map((m) => m.name).join(', ')}`);
      process.exit(2);
    }
    return s;
  });
} else if (values.all) scenarios = manifests;
else scenarios = manifests.filter((m) => m.ci);
const randomCount = Number(values.random ?? (values.all ? 3 : 0));
for (let k = 0; k < randomCount; k++) scenarios.push(randomScenario(seed * 1000 + k));

// Transfers a scenario may offer, plus margin: proven once, then read from .cache/bench-l2.
const transfers = Math.max(
  24,
  ...scenarios.map((s) => Math.ceil((s.durationMs / 1000) * s.load.transfersPerSecond) + 4),
);
const maxValidators = Math.max(4, ...scenarios.map((s) => s.validators ?? 4));
const hosts = [
  'chain',
  'client',
  'wan',
  'outsider',
  ...Array.from({ length: maxValidators }, (_, i) => `v${i}`),
];

mkdirSync(join(values.out, '..'), { recursive: true });
rmSync(values.out, { force: true });
const work = await mkdtemp(join(tmpdir(), 'paraloom-faults-'));
const lab = await NetnsLab.create(hosts);
let interrupted = false;
const teardown = async () => {
  await lab.teardown();
  rmSync(work, { recursive: true, force: true });
};
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.on(signal, () => {
    interrupted = true;
    void teardown().then(() => process.exit(130));
  });

let code = 1;
try {
  const descriptor = join(work, 'lab.json');
  writeFileSync(descriptor, JSON.stringify(lab.describe()));
  const options: DriverOptions = { scenarios, seed, out: values.out, workDir: work, transfers };
  const driver = lab.spawn(
    'client',
    process.execPath,
    ['--import', 'tsx', join(import.meta.dirname, 'driver.ts'), descriptor, JSON.stringify(options)],
    { stdio: 'inherit', cwd: REPO },
  );
  const exit = await new Promise<number | null>((r) => driver.once('exit', (c) => r(c)));
  const reports: ScenarioReport[] = readReports(values.out);
  console.log(summaryTable(reports));
  const violated = reports.filter((r) => r.violations.length);
  code = exit !== 0 || violated.length || reports.length < scenarios.length ? 1 : 0;
  if (reports.length < scenarios.length)
    console.error(
      `faults: ${scenarios.length - reports.length} scenario(s) did not finish (driver exit ${exit})`,
    );
} finally {
  if (!interrupted) await teardown();
}
process.exit(code);
