/**
 * `paraloom node` as operators run it: separate processes started from TOML files, scraped over
 * HTTP on 127.0.0.1, stopped with SIGTERM; a second node on a held data directory is refused. The
 * node needs Solana (the bridge's handshake) and a registered key: a `paraloom localnet` child and
 * `validator keygen` + `register` give it both.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../src/health/testing/index.js';
import {
  NODE_STOP_ORDER,
  type Running,
  run,
  runOk,
  startLocalnet,
  stopChild,
  stoppedComponents,
} from './helpers/paraloom-child.js';

let rpcUrl = '';

async function nodeConfig(dir: string): Promise<string> {
  const file = join(dir, 'node.toml');
  await writeFile(
    file,
    `[node]
data_dir = "data"
stop_timeout_ms = 5000

[network]
listen = ["/ip4/127.0.0.1/tcp/0"]
ping_interval_ms = 1000

[solana]
rpc_url = "${rpcUrl}"

[health]
host = "127.0.0.1"
port = 0
min_peers = 0

[ingress]
port = 0
`,
  );
  return file;
}

async function get(url: string): Promise<{ status: number; body: string; type: string | null }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('paraloom node (multi-process)', () => {
  let dirA: string;
  let dirB: string;
  let a: Running;
  let healthA: string;
  let addrA: string;
  let localnet: ChildProcess;

  beforeAll(async () => {
    ({ child: localnet, rpcUrl } = await startLocalnet(['--slot-ms', '100']));
    dirA = await mkdtemp(join(tmpdir(), 'paraloom-node-a-'));
    dirB = await mkdtemp(join(tmpdir(), 'paraloom-node-b-'));
    const configA = await nodeConfig(dirA);
    await runOk(['validator', 'keygen', '--config', configA]);
    await runOk(['validator', 'register', '--config', configA, '--airdrop']);
    a = run(['node', '--config', configA]);
    healthA = String((await a.waitFor('paraloom node started', 90_000)).health);
    const net = await a.waitFor('network started');
    addrA = (net.addrs as string[])[0]!;
  });

  afterAll(async () => {
    if (a.child.exitCode === null) a.child.kill('SIGKILL');
    if (localnet) await stopChild(localnet);
    await rm(dirA, { recursive: true, force: true });
    await rm(dirB, { recursive: true, force: true });
  });

  it('serves /health, /ready and Prometheus /metrics on its loopback health port', async () => {
    expect(healthA).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await get(`${healthA}/health`);
    expect(health.status).toBe(200);
    expect(JSON.parse(health.body)).toMatchObject({ status: 'ok' });

    const ready = await until('ready', async () => {
      const r = await get(`${healthA}/ready`);
      return r.status === 200 ? r : undefined;
    });
    const checks = (JSON.parse(ready.body) as { checks: { name: string; ok: boolean }[] }).checks;
    expect(checks.map((c) => c.name).sort()).toEqual([
      'chain',
      'compute',
      'consensus',
      'coordinator',
      'ingress',
      'ledger',
      'node',
      'peers',
      'storage',
      'validator',
    ]);

    const metrics = await get(`${healthA}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(metrics.body);
    for (const [name, type] of [
      ['paraloom_proof_verify_seconds', 'histogram'],
      ['paraloom_consensus_rounds_total', 'counter'],
      ['paraloom_coordinator_role', 'gauge'],
      ['paraloom_storage_nullifiers', 'gauge'],
      ['paraloom_storage_commits_total', 'counter'],
      ['paraloom_network_peers', 'gauge'],
      ['process_cpu_user_seconds_total', 'counter'],
      ['process_resident_memory_bytes', 'gauge'],
      ['nodejs_eventloop_lag_seconds', 'gauge'],
    ] as const) {
      expect(families.get(name)?.type, name).toBe(type);
    }
    // The network identity was created owner-only in the data directory.
    expect((await stat(join(dirA, 'data', 'network-identity.key'))).mode & 0o777).toBe(0o600);
  });

  it('refuses a second node on the same data directory, and the first keeps running', async () => {
    const second = run(['node', '--config', join(dirA, 'node.toml')]);
    expect(await second.exited).toBe(1);
    expect(second.stderr.join('\n')).toMatch(
      /error \[DATA_DIR_LOCKED\]: data directory .*paraloom-node-a-.*\/data is in use by another paraloom node/,
    );
    expect(second.logs.some((l) => l.msg === 'health server listening')).toBe(false);
    expect((await get(`${healthA}/health`)).status).toBe(200);
  });

  it('runs from the config init example with env overrides, ready once min_peers peers are connected', async () => {
    // B runs on the file `paraloom config init` writes, untouched, plus environment overrides.
    const init = run(['config', 'init', join(dirB, 'paraloom.toml')]);
    expect(await init.exited).toBe(0);
    const env = {
      PARALOOM_SOLANA_RPC_URL: rpcUrl,
      PARALOOM_NETWORK_LISTEN: '/ip4/127.0.0.1/tcp/0',
      PARALOOM_NETWORK_BOOTSTRAP: addrA,
      PARALOOM_HEALTH_PORT: '0',
      PARALOOM_HEALTH_MIN_PEERS: '1',
      PARALOOM_INGRESS_PORT: '0',
    };
    await runOk(['validator', 'keygen', '--config', join(dirB, 'paraloom.toml')], env);
    await runOk(['validator', 'register', '--config', join(dirB, 'paraloom.toml'), '--airdrop'], env);
    const b = run(['node', '--config', join(dirB, 'paraloom.toml')], env);
    try {
      const healthB = String((await b.waitFor('paraloom node started', 90_000)).health);
      const ready = await until('B ready with a peer', async () => {
        const r = await get(`${healthB}/ready`);
        return r.status === 200 ? r : undefined;
      });
      const peers = (JSON.parse(ready.body) as { checks: { name: string; detail: string }[] }).checks.find(
        (c) => c.name === 'peers',
      );
      expect(peers?.detail).toBe('1 connected, need 1');
      const metrics = parsePrometheusText((await get(`${healthB}/metrics`)).body);
      // On a loaded machine the peer may be measured slow: still connected.
      const live = metrics
        .get('paraloom_network_peers')
        ?.samples.filter((s) => s.labels.state !== 'offline')
        .reduce((n, s) => n + s.value, 0);
      expect(live).toBe(1);
    } finally {
      b.child.kill('SIGTERM');
      expect(await b.exited).toBe(0);
    }
  });

  it('stops cleanly on SIGTERM within the deadline, releasing the data directory', async () => {
    const t0 = Date.now();
    a.child.kill('SIGTERM');
    expect(await a.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(stoppedComponents(a.logs)).toEqual(NODE_STOP_ORDER);
    expect(a.logs.some((l) => l.msg === 'node stopped')).toBe(true);
    await expect(fetch(`${healthA}/health`)).rejects.toThrow();

    // The lock went with the process: the same data directory starts again (same peer id).
    const again = run(['node', '--config', join(dirA, 'node.toml')]);
    const net = await again.waitFor('network started');
    expect(net.peer).toBe(addrA.split('/p2p/')[1]);
    again.child.kill('SIGINT');
    expect(await again.exited).toBe(0);
  });

  it('exits non-zero when a component does not stop by the deadline', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', join(import.meta.dirname, 'fixtures', 'node-hang-child.ts')],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const lines: string[] = [];
    const rl = createInterface({ input: child.stdout });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve) =>
      rl.on('line', (l) => {
        lines.push(l);
        if (l.includes('READY')) resolve();
      }),
    );
    const t0 = Date.now();
    child.kill('SIGTERM');
    expect(await exited).toBe(1);
    expect(Date.now() - t0).toBeLessThan(3_000);
    const logs = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logs).toContainEqual(
      expect.objectContaining({ msg: 'component did not stop in time', component: 'stuck' }),
    );
    expect(logs).toContainEqual(expect.objectContaining({ msg: 'storage closed' }));
  });

  it('refuses a bad config before starting anything, naming the key path and its source', async () => {
    const bad = join(dirB, 'bad.toml');
    await writeFile(bad, '[health]\nport = "high"\n[node]\ndata_dir = "x"\n');
    const r = run(['node', '--config', bad], { PARALOOM_NODE_LOG_LEVEL: 'loud' });
    expect(await r.exited).toBe(1);
    const err = r.stderr.join('\n');
    expect(err).toContain('error [CONFIG_INVALID]');
    expect(err).toMatch(/node\.log_level: .*\(PARALOOM_NODE_LOG_LEVEL\)/);
    expect(err).toMatch(/health\.port: .*expected number.*bad\.toml\)/);
    expect(r.logs).toEqual([]);
  });
});
