import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { INGRESS_LIMITS } from '../ingress/index.js';
import { blockDetail, blockSummary } from './blocks.js';
import { DashboardError } from './errors.js';
import { DashboardServer, type DashboardServerOptions } from './server.js';
import { secretsIn, syntheticChain } from './testing/index.js';
import type { DashboardBackend, DashboardEvent, OverviewView } from './views.js';

const chain = syntheticChain(3);

class FakeBackend implements DashboardBackend {
  readonly listeners = new Set<(e: DashboardEvent) => void>();
  overviewView = { now: 1, height: '3', poolSize: 20 } as unknown as OverviewView;
  async overview() {
    return this.overviewView;
  }
  series() {
    return {
      t: [1],
      height: [3],
      poolSize: [20],
      tps: [0],
      finalityMs: [null],
      mempool: [0],
      depositQueue: [null],
      anchorLag: [null],
      vaultSol: [null],
    };
  }
  async blocks(before: bigint | undefined, limit: number) {
    const top = Number(before === undefined ? 3n : before - 1n);
    return chain
      .slice(0, top)
      .reverse()
      .slice(0, limit)
      .map((b) => blockSummary(b));
  }
  async block(height: bigint) {
    const b = chain[Number(height) - 1];
    return b && blockDetail(b);
  }
  async validators() {
    return { now: 1, heartbeatDownAfterMs: 5000, validators: [] };
  }
  async anchors() {
    return { lastHeight: null, anchorCount: null, anchors: [] };
  }
  async evidence() {
    return { evidence: [] };
  }
  subscribe(l: (e: DashboardEvent) => void) {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
  emit(e: DashboardEvent) {
    for (const l of this.listeners) l(e);
  }
}

let assets: string;
const servers: DashboardServer[] = [];

beforeAll(async () => {
  assets = await mkdtemp(join(tmpdir(), 'paraloom-dashboard-'));
  await mkdir(join(assets, 'assets'));
  await writeFile(join(assets, 'index.html'), '<!doctype html><title>Paraloom</title>');
  await writeFile(join(assets, 'assets', 'index-abc.js'), 'console.log(1)');
});
afterAll(async () => {
  await rm(assets, { recursive: true, force: true });
});
afterEach(async () => {
  for (const s of servers.splice(0)) await s.stop();
});

async function serve(options: DashboardServerOptions = {}, backend = new FakeBackend()) {
  const server = new DashboardServer(backend, { port: 0, assetsDir: assets, ...options });
  await server.start();
  servers.push(server);
  return { server, backend, url: server.url };
}

async function getJson(url: string) {
  const res = await fetch(url);
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

/** Opens an event stream; `events()` is what arrived so far. */
async function stream(url: string) {
  const controller = new AbortController();
  const res = await fetch(`${url}/api/v1/events`, { signal: controller.signal });
  const received: { event: string; data: unknown }[] = [];
  let buffer = '';
  const reader = res.body!.getReader();
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buffer += new TextDecoder().decode(value);
        let cut = buffer.indexOf('\n\n');
        while (cut >= 0) {
          const chunk = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          const event = /^event: (.*)$/m.exec(chunk)?.[1];
          const data = /^data: (.*)$/m.exec(chunk)?.[1];
          if (event && data) received.push({ event, data: JSON.parse(data) });
          cut = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // aborted
    }
  })();
  return { res, received, close: () => controller.abort() };
}

async function until(what: string, check: () => boolean, ms = 5_000) {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('DashboardServer', () => {
  it('serves the front-end with content types, ETags and security headers', async () => {
    const { url } = await serve();
    const index = await fetch(`${url}/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(index.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(await index.text()).toContain('Paraloom');
    const etag = index.headers.get('etag')!;
    expect((await fetch(`${url}/index.html`, { headers: { 'if-none-match': etag } })).status).toBe(304);
    const js = await fetch(`${url}/assets/index-abc.js`);
    expect(js.headers.get('content-type')).toContain('text/javascript');
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await getJson(`${url}/../package.json`)).status).toBe(404);
    expect((await getJson(`${url}/nope.js`)).body).toEqual({
      error: { code: 'NOT_FOUND', message: 'no file /nope.js' },
    });
  });

  it('answers the read-only JSON API', async () => {
    const { url } = await serve();
    expect((await getJson(`${url}/api/v1/overview`)).body).toMatchObject({ height: '3', poolSize: 20 });
    expect((await getJson(`${url}/api/v1/series`)).body).toMatchObject({ height: [3] });
    const page = (await getJson(`${url}/api/v1/blocks?limit=2`)).body as {
      blocks: { height: string; transfers: number }[];
      next: string | null;
    };
    expect(page.blocks.map((b) => b.height)).toEqual(['3', '2']);
    expect(page.next).toBe('2');
    const rest = (await getJson(`${url}/api/v1/blocks?before=${page.next}&limit=100`)).body;
    expect(rest).toMatchObject({ blocks: [{ height: '1' }], next: null });
    const detail = await getJson(`${url}/api/v1/blocks/2`);
    expect(detail.body).toMatchObject({ height: '2', transfers: 1, withdrawals: 1, signers: 3 });
    expect(detail.headers.get('content-type')).toBe('application/json');
    for (const path of ['validators', 'anchors', 'evidence']) {
      expect((await getJson(`${url}/api/v1/${path}`)).status, path).toBe(200);
    }
    const everything = await Promise.all(
      ['overview', 'blocks', 'blocks/1', 'blocks/2', 'blocks/3'].map((p) =>
        fetch(`${url}/api/v1/${p}`).then((r) => r.text()),
      ),
    );
    expect(secretsIn(everything.join('\n'))).toEqual([]);
  });

  it('refuses what it does not serve with stable codes', async () => {
    const { url } = await serve();
    expect((await getJson(`${url}/api/v1/blocks/99`)).body).toMatchObject({
      error: { code: 'BLOCK_NOT_FOUND' },
    });
    expect((await getJson(`${url}/api/v1/blocks?limit=x`)).body).toMatchObject({
      error: { code: 'BAD_PARAMETER' },
    });
    expect((await getJson(`${url}/api/v1/nothing`)).status).toBe(404);
    const post = await fetch(`${url}/api/v1/overview`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('refuses bodies over the ingress limit before reading them', async () => {
    const { server } = await serve();
    const port = Number(new URL(server.url).port);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ port, path: '/api/v1/overview', method: 'GET' }, (res) =>
        resolve(res.statusCode!),
      );
      req.on('error', reject);
      req.setHeader('content-length', INGRESS_LIMITS.maxBodyBytes + 1);
      req.write(Buffer.alloc(1024));
    });
    expect(status).toBe(413);
  });

  it('rate limits per client like the ingress', async () => {
    const { url } = await serve({ rateBurst: 3, ratePerSecond: 0.001 });
    const codes = [];
    for (let i = 0; i < 5; i++) codes.push((await fetch(`${url}/api/v1/overview`)).status);
    expect(codes).toEqual([200, 200, 200, 429, 429]);
  });

  it('streams the current state, then events as they happen, and caps streams per client', async () => {
    const { url, backend, server } = await serve({ maxStreamsPerClient: 1 });
    const s = await stream(url);
    expect(s.res.headers.get('content-type')).toContain('text/event-stream');
    await until('initial events', () => s.received.length >= 2);
    expect(s.received.map((e) => e.event)).toEqual(['overview', 'validators']);
    backend.emit({ type: 'block', data: blockSummary(chain[2]!) });
    await until('block event', () => s.received.length >= 3);
    expect(s.received[2]).toMatchObject({ event: 'block', data: { height: '3', transfers: 2 } });
    expect((await getJson(`${url}/api/v1/events`)).body).toMatchObject({
      error: { code: 'TOO_MANY_STREAMS' },
    });
    s.close();
    await until('stream closed', () => server.streamCount === 0 && backend.listeners.size === 0);
  });

  it('fails start with DashboardError codes', async () => {
    const { server } = await serve();
    await expect(server.start()).rejects.toMatchObject({ code: 'ALREADY_STARTED' });
    const port = Number(new URL(server.url).port);
    const clash = new DashboardServer(new FakeBackend(), { port, assetsDir: assets });
    await expect(clash.start()).rejects.toMatchObject({ code: 'LISTEN_FAILED' });
    const empty = await mkdtemp(join(tmpdir(), 'paraloom-dashboard-empty-'));
    const missing = new DashboardServer(new FakeBackend(), { port: 0, assetsDir: empty });
    const err = await missing.start().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DashboardError);
    expect(err).toMatchObject({ code: 'ASSETS_MISSING' });
    await rm(empty, { recursive: true });
  });
});
