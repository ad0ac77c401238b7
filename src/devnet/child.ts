/**
 * `paraloom` subcommands as child processes with their JSON log lines parsed: how the devnet runs
 * the localnet and its validators, and how multi-process tests drive them.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { DevnetError } from './errors.js';

export const PARALOOM_BIN = join(import.meta.dirname, '..', '..', 'bin', 'paraloom.js');

export interface Running {
  readonly child: ChildProcess;
  readonly logs: Record<string, unknown>[];
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<number | null>;
  /** Resolves with the first log line whose msg is `msg` (also one already seen). */
  waitFor(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

/** Lines kept per stream: a long-running node must not grow without bound. */
const MAX_LINES = 20_000;

/** pino's warn level: lines at or above it say why a child failed. */
const WARN_LEVEL = 40;

/** pino serializes an `err` as `{type, message, stack, ...}`: its message is what says why. */
function errorText(err: unknown): string | undefined {
  if (err === undefined || err === null) return undefined;
  if (typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return typeof err === 'object' ? JSON.stringify(err) : String(err);
}

/**
 * What a child said last about trouble, for an error's message (test runners print the message,
 * not the error's context): its last warnings and errors, then the end of its stderr.
 */
export function lastWords(logs: readonly Record<string, unknown>[], stderr: readonly string[]): string {
  const troubles = logs
    .filter((l) => typeof l.level === 'number' && l.level >= WARN_LEVEL)
    .slice(-3)
    .map((l) =>
      [l.name, l.msg, l.code, errorText(l.err)]
        .filter((x) => x !== undefined)
        .map(String)
        .join(' '),
    );
  const lines = [...troubles, ...stderr.slice(-5)].map((l) => (l.length > 300 ? `${l.slice(0, 300)}...` : l));
  return lines.length ? `; last words:\n  ${lines.join('\n  ')}` : '; it logged no warning or error';
}

function push<T>(list: T[], item: T): void {
  list.push(item);
  if (list.length > MAX_LINES) list.splice(0, list.length - MAX_LINES);
}

/**
 * `wrap` is a command that execs the rest of its arguments (`ip netns exec <ns>`): the child is
 * then the node itself, in the place the wrapper put it.
 */
export function runParaloom(
  args: string[],
  env: Record<string, string> = {},
  logFile?: string,
  wrap: readonly string[] = [],
): Running {
  const [command, ...prefix] = [...wrap, process.execPath];
  const child = spawn(command!, [...prefix, PARALOOM_BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PARALOOM_LOG_LEVEL: 'info', ...env },
  });
  const logs: Record<string, unknown>[] = [];
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: { msg: string; resolve: (l: Record<string, unknown>) => void }[] = [];
  // Appended, so a restarted validator's log continues in the same file.
  const file = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
  if (file) child.once('exit', () => file.end());
  createInterface({ input: child.stdout! }).on('line', (line) => {
    file?.write(`${line}\n`);
    push(stdout, line);
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    push(logs, entry);
    for (const w of waiters.filter((w) => w.msg === entry.msg)) w.resolve(entry);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => {
    file?.write(`${line}\n`);
    push(stderr, line);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    logs,
    stdout,
    stderr,
    exited,
    waitFor(msg, timeoutMs = 30_000) {
      const seen = logs.find((l) => l.msg === msg);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new DevnetError('TIMEOUT', `no "${msg}" within ${timeoutMs} ms${lastWords(logs, stderr)}`, {
                stderr: stderr.slice(-20),
              }),
            ),
          timeoutMs,
        );
        waiters.push({
          msg,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then((code) => {
          clearTimeout(timer);
          reject(
            new DevnetError('CHILD_FAILED', `exited with ${code} before "${msg}"${lastWords(logs, stderr)}`, {
              stderr: stderr.slice(-20),
            }),
          );
        });
      });
    },
  };
}

/** Runs a command to completion; throws with its stderr unless it exits 0. */
export async function runParaloomOk(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const r = runParaloom(args, env);
  const code = await r.exited;
  if (code !== 0) {
    throw new DevnetError(
      'CHILD_FAILED',
      `paraloom ${args.join(' ')} exited ${code}: ${r.stderr.join('\n')}`,
      {
        args,
        code,
      },
    );
  }
  return r;
}

/** SIGTERM, then SIGKILL after `timeoutMs`; resolves with the exit code. */
export async function stopChild(child: ChildProcess, timeoutMs = 10_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  try {
    return await exited;
  } finally {
    clearTimeout(timer);
  }
}

export interface LocalnetChildOptions {
  /**
   * In a process group of its own, so a terminal's Ctrl-C (sent to the whole foreground group) does
   * not reach it: its parent stops it after the validators, which still talk to it while stopping.
   */
  readonly ownProcessGroup?: boolean;
  /** Called with the process as soon as it is spawned, before it serves: a stop may come first. */
  readonly onSpawn?: (child: ChildProcess) => void;
  /** Where it listens (default 127.0.0.1, on a port the OS picks). */
  readonly host?: string;
  readonly port?: number;
  /** A command that execs the localnet elsewhere (`ip netns exec <ns>`), as in `runParaloom`. */
  readonly wrap?: readonly string[];
}

/** `paraloom localnet` (by default on an ephemeral loopback port); resolves once it serves RPC. */
export async function startLocalnetChild(
  extra: string[] = [],
  options: LocalnetChildOptions = {},
): Promise<{ child: ChildProcess; rpcUrl: string; stop: () => Promise<number | null> }> {
  const [command, ...prefix] = [...(options.wrap ?? []), process.execPath];
  const host = options.host ?? '127.0.0.1';
  const child = spawn(
    command!,
    [...prefix, PARALOOM_BIN, 'localnet', '--port', String(options.port ?? 0), '--host', host, ...extra],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PARALOOM_LOG_LEVEL: 'warn' },
      detached: options.ownProcessGroup ?? false,
    },
  );
  options.onSpawn?.(child);
  const rpcUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.length > 65_536) out = out.slice(-4096);
      const m = /localnet RPC (http:\/\/[\w.:[\]-]+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr!.resume();
    child.once('exit', (code) =>
      reject(
        new DevnetError('CHILD_FAILED', `paraloom localnet exited with ${code}`, {
          output: out.slice(-2000),
        }),
      ),
    );
  });
  return { child, rpcUrl, stop: () => stopChild(child) };
}
