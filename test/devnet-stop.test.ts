/**
 * Stopping `paraloom devnet` the way a person and a script do it. In a real terminal (a
 * pseudo-terminal from util-linux `script`: the line discipline turns the \x03 written to it into a
 * SIGINT to the whole foreground process group, the CLI and its validators together), one Ctrl-C
 * must stop everything and exit 0 within 5 s, and a second one must end everything at once. As a
 * child process, `--demo --exit` must exit 0 within 5 s of the demo's end. No process of the
 * devnet may outlive it, and no validator may log an error while stopping.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from './helpers/paraloom-child.js';

const START_TIMEOUT_MS = 240_000;
const STOP_BUDGET_MS = 5_000;
/** pino's error level. */
const ERROR_LEVEL = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function procStat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis do not.
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { ppid: Number(ppid), state: state! };
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  const s = procStat(pid);
  return s !== undefined && s.state !== 'Z';
}

function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const s = procStat(pid);
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  const found: number[] = [];
  const queue = [root];
  while (queue.length) {
    for (const c of children.get(queue.shift()!) ?? []) {
      found.push(c);
      queue.push(c);
    }
  }
  return found;
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/**
 * A command and every process it starts, watched: output, exit (code and time), and every
 * descendant process seen while it ran (polled, so the short-lived ones may be missed, the
 * validators and the localnet are not).
 */
class Watched {
  output = '';
  readonly seen = new Set<number>();
  readonly exited: Promise<{ code: number | null; at: number }>;
  private readonly poll: NodeJS.Timeout;

  constructor(readonly child: ChildProcess) {
    child.stdout!.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    child.stderr!.on('data', (d: Buffer) => {
      this.output += d.toString();
    });
    this.poll = setInterval(() => {
      for (const pid of descendants(child.pid!)) this.seen.add(pid);
    }, 250);
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        clearInterval(this.poll);
        resolve({ code, at: performance.now() });
      }),
    );
  }

  /** Resolves with the time `text` first appeared in the output. */
  async waitFor(text: string, timeoutMs: number): Promise<number> {
    const end = performance.now() + timeoutMs;
    while (!this.output.includes(text)) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`exited before "${text}":\n${this.output.slice(-3000)}`);
      if (performance.now() > end)
        throw new Error(`no "${text}" in ${timeoutMs} ms:\n${this.output.slice(-3000)}`);
      await sleep(50);
    }
    return performance.now();
  }

  /** Every descendant seen (polled once more now). */
  processes(): number[] {
    for (const pid of descendants(this.child.pid!)) this.seen.add(pid);
    return [...this.seen];
  }

  kill(): void {
    clearInterval(this.poll);
    for (const pid of [...this.seen, this.child.pid!]) if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
}

/** `command` in a pseudo-terminal, its input the keyboard: `type('\x03')` is a Ctrl-C. */
function inTerminal(command: string): Watched & { type(keys: string): void } {
  const child = spawn('script', ['-qfec', command, '/dev/null'], { stdio: ['pipe', 'pipe', 'pipe'] });
  return Object.assign(new Watched(child), { type: (keys: string) => void child.stdin!.write(keys) });
}

/** Each validator stopped cleanly ('node stopped') and logged no error. */
function expectCleanValidatorStops(dir: string, validators: number): void {
  for (let i = 0; i < validators; i++) {
    const logs = readFileSync(join(dir, `validator-${i}`, 'node.log'), 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as { level: number; msg: string });
    expect(logs.filter((l) => l.level >= ERROR_LEVEL).map((l) => l.msg)).toEqual([]);
    expect(logs.at(-1)?.msg).toBe('node stopped');
  }
}

const dirs: string[] = [];
const watched: Watched[] = [];
afterAll(async () => {
  for (const w of watched) w.kill();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function freshDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'paraloom-devnet-stop-'));
  dirs.push(dir);
  return dir;
}

describe.skipIf(!existsSync('/usr/bin/script'))(
  'paraloom devnet stops as a person expects',
  { timeout: 2 * START_TIMEOUT_MS + 60_000 },
  () => {
    it('one Ctrl-C in a terminal stops the validators and the localnet and exits 0 within 5 s', async () => {
      const dir = await freshDir();
      const term = inTerminal(`exec ${process.execPath} ${BIN} devnet --validators 2 --dir ${dir}`);
      watched.push(term);
      await term.waitFor('Ctrl-C stops', START_TIMEOUT_MS);
      const processes = term.processes();
      // The localnet and both validators at least.
      expect(processes.filter((p) => /paraloom\.js (localnet|node) /.test(cmdline(p)))).toHaveLength(3);

      const pressed = performance.now();
      term.type('\x03');
      const { code, at } = await term.exited;
      expect(code, term.output.slice(-2000)).toBe(0);
      expect(at - pressed).toBeLessThan(STOP_BUDGET_MS);
      expect(term.output).toContain('[devnet] SIGINT: stopping the validators, then the localnet');
      expect(term.output).toMatch(/\[devnet\] stopped in \d+\.\d s/);
      expect(term.output).not.toContain('still held the process');
      expect(processes.filter(alive)).toEqual([]);
      // The validators got the terminal's SIGINT and then the devnet's SIGTERM: one clean stop each.
      expectCleanValidatorStops(dir, 2);
    });

    it('a second Ctrl-C, while a validator will not stop, ends everything at once', async () => {
      const dir = await freshDir();
      // One validator is enough here (a faster start): it is the one that will not stop.
      const term = inTerminal(
        `exec ${process.execPath} ${BIN} devnet --validators 1 --no-dashboard --dir ${dir}`,
      );
      watched.push(term);
      await term.waitFor('Ctrl-C stops', START_TIMEOUT_MS);
      const processes = term.processes();
      const stuck = processes.find((p) => cmdline(p).includes(join(dir, 'validator-0', 'node.toml')));
      expect(stuck).toBeDefined();
      // Frozen: it takes no signal but SIGKILL, so the graceful stop waits for it (3.5 s deadline).
      process.kill(stuck!, 'SIGSTOP');

      term.type('\x03');
      await term.waitFor('stopping the validators', STOP_BUDGET_MS);
      // Past the window in which a Ctrl-C's echoes (npm, tsx forwarding it) count as the same one.
      await sleep(1_300);
      expect(term.child.exitCode).toBeNull();
      const pressed = performance.now();
      term.type('\x03');
      const { code, at } = await term.exited;
      expect(at - pressed).toBeLessThan(1_000);
      expect(code).toBe(130);
      expect(term.output).toContain('second Ctrl-C: killing the validators and the localnet now');
      await sleep(200);
      expect(processes.filter(alive)).toEqual([]);
    });
  },
);

describe('paraloom devnet --exit', { timeout: 2 * START_TIMEOUT_MS + 60_000 }, () => {
  it('--demo --exit exits 0 within 5 s of the end of the demo, leaving no process', async () => {
    const dir = await freshDir();
    const run = new Watched(
      spawn(process.execPath, [BIN, 'devnet', '--validators', '2', '--demo', '--exit', '--dir', dir], {
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    watched.push(run);
    const demoEnd = await run.waitFor('demo finished: every step succeeded', 2 * START_TIMEOUT_MS);
    const processes = run.processes();
    const { code, at } = await run.exited;
    expect(code, run.output.slice(-2000)).toBe(0);
    expect(at - demoEnd).toBeLessThan(STOP_BUDGET_MS);
    expect(run.output).not.toContain('still held the process');
    expect(processes.filter(alive)).toEqual([]);
    expectCleanValidatorStops(dir, 2);
  });
});
