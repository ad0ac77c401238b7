/**
 * CLI start-up benchmark: spawns `paraloom <command>` N times per case and prints the median wall
 * time and CPU time (all threads of the child), beside the baseline of plain `node -e 0` from the
 * same run: on a loaded or slow machine all of them grow together, so read the differences.
 * `paraloom wallet balance --json` runs on a synced wallet with one landed deposit, against a
 * one-validator devnet the bench starts in a temp directory (its time includes unlocking the key
 * file: scrypt, ~0.8 s by design, and a sync of what is new). The CLI runs from the bundle built
 * at install; the case marked (tsx) runs the sources through tsx instead (PARALOOM_NO_BUNDLE=1).
 * Prints a table; the LAST line is one JSON object with `help_ms`, `balance_ms`, `node_ms`.
 *
 *   npm run bench:cli                (env BENCH_RUNS: runs per case, default 7)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../bin/bundle-cache.mjs';
import { Devnet, runParaloomOk } from '../src/devnet/index.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const REPO = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(REPO, 'bin', 'paraloom.js');
const PASSPHRASE = 'bench-cli-passphrase';

/**
 * Preloaded into every child: at exit it writes the process's CPU time to fd 3. getrusage covers
 * every thread, so module-hook threads are counted.
 */
const REPORT_CPU = `data:text/javascript,${encodeURIComponent(
  "import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeSync(3, String((u.user + u.system) / 1000)); });",
)}`;

interface Case {
  name: string;
  args: string[];
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

function runOnce(c: Case): Promise<Sample> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ['--import', REPORT_CPU, ...c.args], {
      cwd: REPO,
      env: { ...process.env, PARALOOM_WALLET_PASSPHRASE: PASSPHRASE, ...c.env },
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
  await runOnce(c); // warm-up: the OS file cache (and tsx's transform cache for the tsx case)
  const samples: Sample[] = [];
  for (let run = 0; run < RUNS; run++) samples.push(await runOnce(c));
  return {
    name: c.name,
    runs: RUNS,
    wallMs: Math.round(median(samples.map((s) => s.wallMs))),
    cpuMs: Math.round(median(samples.map((s) => s.cpuMs))),
  };
}

/** A wallet with one landed deposit, synced, against `ingress`. */
async function syncedWallet(devnet: Devnet, wallet: string, ingress: string): Promise<void> {
  const env = { PARALOOM_WALLET_PASSPHRASE: PASSPHRASE };
  await runParaloomOk(['wallet', 'new', '--wallet', wallet, '--json'], env);
  const common = ['--wallet', wallet, '--ingress', ingress, '--json'];
  await runParaloomOk(
    ['wallet', 'deposit', '--airdrop', '--amount', '1', '--rpc', devnet.rpcUrl, ...common],
    env,
  );
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await runParaloomOk(['wallet', 'balance', ...common], env);
    if (JSON.parse(r.stdout.at(-1)!).spendable === '1000000000') return;
    if (Date.now() > deadline) throw new Error('the deposit did not land within 120 s');
    await new Promise((res) => setTimeout(res, 1_000));
  }
}

async function main(): Promise<void> {
  await buildCli(); // as `npm install` does: no measured call builds the bundle
  const dir = await mkdtemp(join(tmpdir(), 'paraloom-bench-cli-'));
  const devnet = new Devnet({
    dir: join(dir, 'devnet'),
    validators: 1,
    candidates: 1,
    slotMs: 200,
    dashboard: false,
  });
  try {
    await devnet.start();
    const ingress = devnet.validators[0]!.ingress!;
    const wallet = join(dir, 'wallet');
    await syncedWallet(devnet, wallet, ingress);
    const cli = (...args: string[]) => [BIN, ...args];
    const cases: Case[] = [
      { name: 'baseline: node -e 0', args: ['-e', '0'] },
      { name: 'paraloom --help', args: cli('--help') },
      {
        name: 'paraloom wallet balance --json',
        args: cli('wallet', 'balance', '--json', '--wallet', wallet, '--ingress', ingress),
      },
      { name: 'paraloom wallet address', args: cli('wallet', 'address', '--wallet', wallet) },
      { name: 'paraloom --help (tsx)', args: cli('--help'), env: { PARALOOM_NO_BUNDLE: '1' } },
    ];
    const results: Result[] = [];
    console.log(`median of ${RUNS} runs after one warm-up (node ${process.version})`);
    console.log(`${'case'.padEnd(40)} ${'wall ms'.padStart(8)} ${'cpu ms'.padStart(8)}`);
    for (const c of cases) {
      const r = await measure(c);
      results.push(r);
      console.log(`${r.name.padEnd(40)} ${String(r.wallMs).padStart(8)} ${String(r.cpuMs).padStart(8)}`);
    }
    const wall = (i: number) => results[i]!.wallMs;
    console.log(
      JSON.stringify({
        bench: 'cli-startup',
        runs: RUNS,
        node_ms: wall(0),
        help_ms: wall(1),
        balance_ms: wall(2),
        help_minus_node_ms: wall(1) - wall(0),
        results,
      }),
    );
  } finally {
    await devnet.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
