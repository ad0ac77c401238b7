/**
 * CLI start-up benchmark: spawns `paraloom <command>` N times per case and prints the median wall
 * time and CPU time (all threads of the child, tsx's hooks thread included), beside two baselines
 * from the same run: plain `node -e 0` and an empty TypeScript module under tsx. Read the figures
 * against the baselines: on a loaded or slow machine all of them grow together. Cases marked (tsx)
 * run the sources through tsx instead of the cached bundle (PARALOOM_NO_BUNDLE=1).
 * Prints a table; the LAST line is one JSON object.
 *
 *   npm run bench:cli                (env BENCH_RUNS: runs per case, default 5)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(REPO, 'bin', 'paraloom.js');

/**
 * Preloaded into every child: at exit it writes the process's CPU time to fd 3. getrusage covers
 * every thread, so the module-hooks thread tsx runs on is counted.
 */
const REPORT_CPU = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeSync(3, String((u.user + u.system) / 1000)); });",
)}`;

interface Case {
  name: string;
  /** Node arguments; `run` is the 0-based run index, for commands that create a file per run. */
  args: (run: number) => string[];
  env?: Record<string, string>;
}

interface Sample {
  wallMs: number;
  cpuMs: number;
}

interface Result {
  name: string;
  runs: number;
  wallMs: number;
  cpuMs: number;
}

function runOnce(c: Case, run: number): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', REPORT_CPU, ...c.args(run)], {
      cwd: REPO,
      env: { ...process.env, ...c.env },
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let cpu = '';
    let stderr = '';
    child.stdio[3]?.on('data', (d: Buffer) => {
      cpu += d.toString();
    });
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (code !== 0) reject(new Error(`${c.name} exited with ${code}: ${stderr.trim().slice(-500)}`));
      else if (!cpu) reject(new Error(`${c.name} reported no CPU time`));
      else resolve({ wallMs, cpuMs: Number(cpu) });
    });
  });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function measure(c: Case): Promise<Result> {
  await runOnce(c, -1); // warm-up: fills tsx's transform cache and the OS file cache
  const samples: Sample[] = [];
  for (let run = 0; run < RUNS; run++) samples.push(await runOnce(c, run));
  return {
    name: c.name,
    runs: RUNS,
    wallMs: Math.round(median(samples.map((s) => s.wallMs))),
    cpuMs: Math.round(median(samples.map((s) => s.cpuMs))),
  };
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'paraloom-bench-cli-'));
  try {
    const empty = join(dir, 'empty.mts');
    await writeFile(empty, 'export {};\n');
    const config = join(dir, 'paraloom.toml');
    const cli = (...args: string[]) => [BIN, ...args];
    await runOnce({ name: 'config init', args: () => cli('config', 'init', config) }, 0);
    const cases: Case[] = [
      { name: 'baseline: node -e 0', args: () => ['-e', '0'] },
      { name: 'baseline: tsx, empty module', args: () => ['--import', 'tsx/esm', empty] },
      { name: 'paraloom --help', args: () => cli('--help') },
      {
        name: 'paraloom --help (tsx, cache off)',
        args: () => cli('--help'),
        env: { PARALOOM_NO_BUNDLE: '1', TSX_DISABLE_CACHE: '1' },
      },
      { name: 'paraloom validator keygen --help', args: () => cli('validator', 'keygen', '--help') },
      {
        name: 'paraloom wallet new',
        args: (run) => cli('wallet', 'new', '--json', '--wallet', join(dir, `wallet-${run}`)),
      },
      {
        name: 'paraloom validator keygen --out',
        args: (run) => cli('validator', 'keygen', '--out', join(dir, `key-${run}.json`)),
      },
      {
        name: 'paraloom validator keygen --config',
        args: () => cli('validator', 'keygen', '--config', config, '--force'),
      },
      { name: 'paraloom config check', args: () => cli('config', 'check', config) },
      {
        name: 'paraloom config check (tsx)',
        args: () => cli('config', 'check', config),
        env: { PARALOOM_NO_BUNDLE: '1' },
      },
    ];
    const results: Result[] = [];
    console.log(`median of ${RUNS} runs after one warm-up (node ${process.version})`);
    console.log(`${'case'.padEnd(40)} ${'wall ms'.padStart(8)} ${'cpu ms'.padStart(8)}`);
    for (const c of cases) {
      const r = await measure(c);
      results.push(r);
      console.log(`${r.name.padEnd(40)} ${String(r.wallMs).padStart(8)} ${String(r.cpuMs).padStart(8)}`);
    }
    console.log(JSON.stringify({ bench: 'cli-startup', runs: RUNS, results }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
