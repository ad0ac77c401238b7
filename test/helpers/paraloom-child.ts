/**
 * `paraloom` as operators run it, for multi-process tests: the devnet module's child processes
 * (JSON log lines parsed, a localnet child, ephemeral ports), plus HTTP and bounded polling.
 */
import type { ChildProcess } from 'node:child_process';
import { startLocalnetChild } from '../../src/devnet/index.js';

export {
  freeLoopbackPort as freePort,
  PARALOOM_BIN as BIN,
  type Running,
  runParaloom as run,
  runParaloomOk as runOk,
  stopChild,
} from '../../src/devnet/index.js';

/** `paraloom localnet` on an ephemeral loopback port; resolves once it serves RPC. */
export async function startLocalnet(extra: string[] = []): Promise<{ child: ChildProcess; rpcUrl: string }> {
  const { child, rpcUrl } = await startLocalnetChild(extra);
  return { child, rpcUrl };
}

export async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

export async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs = 60_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * The order in which `paraloom node` stops its components: the reverse of the dependency order it
 * starts them in (one after another), as its 'component stopped' log lines show it.
 */
export const NODE_STOP_ORDER = [
  'ingress',
  'coordinator',
  'compute',
  'consensus',
  'ledger',
  'validator',
  'network',
  'bridge',
  'health',
  'storage',
] as const;

/** Components a node stopped, in the order its log says. */
export const stoppedComponents = (logs: readonly Record<string, unknown>[]): unknown[] =>
  logs.filter((l) => l.msg === 'component stopped').map((l) => l.component);
