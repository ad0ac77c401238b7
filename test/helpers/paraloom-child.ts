/**
 * `paraloom` as operators run it, for multi-process tests: child processes with their JSON log
 * lines parsed, a localnet child, ephemeral ports and bounded polling.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

export const BIN = join(import.meta.dirname, '..', '..', 'bin', 'paraloom.js');

export interface Running {
  readonly child: ChildProcess;
  readonly logs: Record<string, unknown>[];
  readonly stdout: string[];
  readonly stderr: string[];
  readonly exited: Promise<number | null>;
  /** Resolves with the first log line whose msg is `msg`. */
  waitFor(msg: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function run(args: string[], env: Record<string, string> = {}): Running {
  const child = spawn(process.execPath, [BIN, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PARALOOM_LOG_LEVEL: 'info', ...env },
  });
  const logs: Record<string, unknown>[] = [];
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: { msg: string; resolve: (l: Record<string, unknown>) => void }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    stdout.push(line);
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    logs.push(entry);
    for (const w of waiters.filter((w) => w.msg === entry.msg)) w.resolve(entry);
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
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
          () => reject(new Error(`no "${msg}" within ${timeoutMs} ms: ${stderr.join('\n')}`)),
          timeoutMs,
        );
        waiters.push({
          msg,
          resolve: (l) => {
            clearTimeout(timer);
            resolve(l);
          },
        });
        void exited.then((code) =>
          reject(new Error(`exited with ${code} before "${msg}": ${stderr.join('\n')}`)),
        );
      });
    },
  };
}

/** Runs a command to completion; throws with its stderr unless it exits 0. */
export async function runOk(args: string[], env: Record<string, string> = {}): Promise<Running> {
  const r = run(args, env);
  const code = await r.exited;
  if (code !== 0) throw new Error(`paraloom ${args.join(' ')} exited ${code}: ${r.stderr.join('\n')}`);
  return r;
}

/** `paraloom localnet` on an ephemeral loopback port; resolves once it serves RPC. */
export async function startLocalnet(extra: string[] = []): Promise<{ child: ChildProcess; rpcUrl: string }> {
  const child = spawn(process.execPath, [BIN, 'localnet', '--port', '0', '--host', '127.0.0.1', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PARALOOM_LOG_LEVEL: 'warn' },
  });
  const rpcUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /localnet RPC (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`paraloom localnet exited with ${code}: ${out}`)));
  });
  return { child, rpcUrl };
}

/** Stops a child with SIGTERM and returns its exit code (SIGKILL after `timeoutMs`). */
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

/** A TCP port free on 127.0.0.1 right now (the OS picks it; the test binds it soon after). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
