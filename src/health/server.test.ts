import { request } from 'node:http';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { networkMetrics } from '../network/index.js';
import { storageMetrics } from '../storage/index.js';
import {
  createMetricsRegistry,
  HealthError,
  HealthServer,
  nodeMetrics,
  Readiness,
  setCoordinatorRole,
} from './index.js';
import { parsePrometheusText } from './testing/index.js';

const silent = pino({ level: 'silent' });
const servers: HealthServer[] = [];

async function serve(readiness = new Readiness(), registry = createMetricsRegistry()) {
  const server = new HealthServer({
    host: '127.0.0.1',
    port: 0,
    registry,
    readiness,
    checkTimeoutMs: 200,
    logger: silent,
  });
  await server.start();
  servers.push(server);
  return { server, readiness, registry };
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

function get(url: string, method = 'GET'): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        body += c;
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

describe('health server over HTTP', () => {
  it('answers /health while up', async () => {
    const { server } = await serve();
    expect(server.port).toBeGreaterThan(0);
    const res = await get(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(res.type).toBe('application/json');
    expect(JSON.parse(res.body)).toMatchObject({ status: 'ok' });
    const head = await get(`${server.url}/health`, 'HEAD');
    expect([head.status, head.body]).toEqual([200, '']);
    expect((await get(`${server.url}/health`, 'POST')).status).toBe(405);
    expect((await get(`${server.url}/nope`)).status).toBe(404);
  });

  it('is ready only when every registered check passes, within its deadline', async () => {
    const { server, readiness } = await serve();
    const ready = async () => {
      const res = await get(`${server.url}/ready?verbose=1`);
      return {
        status: res.status,
        body: JSON.parse(res.body) as {
          ready: boolean;
          checks: { name: string; ok: boolean; detail?: string }[];
        },
      };
    };
    // Nothing registered yet (the node is still starting): not ready.
    expect((await ready()).status).toBe(503);

    let peers = 0;
    readiness.register('storage', () => ({ ok: true, detail: 'open' }));
    const unregister = readiness.register('peers', () => ({
      ok: peers >= 1,
      detail: `${peers} peers, need 1`,
    }));
    expect(() => readiness.register('peers', () => ({ ok: true }))).toThrow(HealthError);
    let r = await ready();
    expect(r.status).toBe(503);
    expect(r.body.checks).toEqual([
      expect.objectContaining({ name: 'storage', ok: true, detail: 'open' }),
      expect.objectContaining({ name: 'peers', ok: false, detail: '0 peers, need 1' }),
    ]);
    peers = 2;
    r = await ready();
    expect(r.status).toBe(200);
    expect(r.body.ready).toBe(true);

    const unregisterThrow = readiness.register('chain', async () => {
      throw new Error('RPC unreachable');
    });
    r = await ready();
    expect(r.status).toBe(503);
    expect(r.body.checks.find((c) => c.name === 'chain')).toMatchObject({
      ok: false,
      detail: 'RPC unreachable',
    });
    unregisterThrow();

    readiness.register('stuck', () => new Promise(() => {}));
    const started = Date.now();
    r = await ready();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(r.body.checks.find((c) => c.name === 'stuck')).toMatchObject({
      ok: false,
      detail: 'no answer within 200 ms',
    });
    unregister();
    expect(readiness.names).toEqual(['storage', 'stuck']);
  });

  it('serves one registry with node, storage, network and process metrics in Prometheus text format', async () => {
    const registry = createMetricsRegistry();
    const m = nodeMetrics(registry);
    expect(nodeMetrics(registry)).toBe(m);
    m.proofVerifySeconds.observe(0.0037);
    m.proofVerifySeconds.observe(0.02);
    m.consensusRounds.inc({ outcome: 'committed' });
    setCoordinatorRole(m, 'primary');
    storageMetrics(registry).nullifiers.set(42);
    networkMetrics(registry).peers.set({ state: 'connected' }, 3);
    const { server } = await serve(new Readiness(), registry);

    const res = await get(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.type).toMatch(/^text\/plain; version=0\.0\.4/);
    const families = parsePrometheusText(res.body);
    const value = (family: string, sample: string, labels: Record<string, string> = {}) =>
      families
        .get(family)
        ?.samples.find(
          (s) => s.name === sample && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
        )?.value;

    expect(families.get('paraloom_proof_verify_seconds')?.type).toBe('histogram');
    expect(value('paraloom_proof_verify_seconds', 'paraloom_proof_verify_seconds_count')).toBe(2);
    expect(
      value('paraloom_proof_verify_seconds', 'paraloom_proof_verify_seconds_bucket', { le: '0.004' }),
    ).toBe(1);
    expect(families.get('paraloom_consensus_rounds_total')?.type).toBe('counter');
    expect(
      value('paraloom_consensus_rounds_total', 'paraloom_consensus_rounds_total', { outcome: 'committed' }),
    ).toBe(1);
    expect(
      value('paraloom_consensus_rounds_total', 'paraloom_consensus_rounds_total', { outcome: 'timeout' }),
    ).toBe(0);
    expect(value('paraloom_coordinator_role', 'paraloom_coordinator_role', { role: 'primary' })).toBe(1);
    expect(value('paraloom_coordinator_role', 'paraloom_coordinator_role', { role: 'none' })).toBe(0);
    expect(value('paraloom_storage_nullifiers', 'paraloom_storage_nullifiers')).toBe(42);
    expect(value('paraloom_network_peers', 'paraloom_network_peers', { state: 'connected' })).toBe(3);
    expect(families.get('process_cpu_user_seconds_total')?.type).toBe('counter');
    expect(families.has('nodejs_eventloop_lag_seconds')).toBe(true);
  });

  it('refuses a port in use with LISTEN_FAILED and stops despite keep-alive scrapers', async () => {
    const { server } = await serve();
    const clash = new HealthServer({
      host: '127.0.0.1',
      port: server.port,
      registry: createMetricsRegistry(),
      readiness: new Readiness(),
      logger: silent,
    });
    const err = await clash.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HealthError);
    expect((err as HealthError).code).toBe('LISTEN_FAILED');
    expect((err as HealthError).message).toContain('EADDRINUSE');

    const res = await fetch(`${server.url}/metrics`, { keepalive: true });
    await res.text();
    const started = Date.now();
    await server.stop();
    expect(Date.now() - started).toBeLessThan(1_000);
    await expect(fetch(`${server.url}/health`)).rejects.toThrow();
  });
});

describe('prometheus text parser (the test oracle)', () => {
  it('refuses malformed expositions', () => {
    expect(() => parsePrometheusText('a 1')).toThrow(/newline/);
    expect(() => parsePrometheusText('1a 1\n')).toThrow(/name/);
    expect(() => parsePrometheusText('a{b="c} 1\n')).toThrow(/unterminated/);
    expect(() => parsePrometheusText('a one\n')).toThrow(/bad value/);
    expect(() => parsePrometheusText('a 1\n# TYPE a counter\n')).toThrow(/too late/);
    expect(() => parsePrometheusText('a 1\nb 1\na 2\n')).toThrow(/contiguous/);
    expect(() =>
      parsePrometheusText('# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_count 1\n'),
    ).toThrow(/cumulative/);
  });
});
