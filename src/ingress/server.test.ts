import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../common/index.js';
import { seededRandom } from '../common/testing/index.js';
import { LedgerApp, type LedgerAppOptions } from '../ledger/index.js';
import { type LedgerScenario, ledgerScenario } from '../ledger/testing/index.js';
import {
  BatchVerifierPool,
  hash2,
  loadCircuitArtifacts,
  MemoryTreeStorage,
  MerkleTree,
  toField,
  VerifyingKey,
  verifyPath,
} from '../privacy/index.js';
import { NodeStorage } from '../storage/index.js';
import { IngressClient } from '../wallet/index.js';
import { type IngressBackend, IngressServer, LedgerIngressBackend, MAX_BATCH_TRANSACTIONS } from './index.js';

const quiet = pino({ level: 'silent' });
let scenario: LedgerScenario;
let pool: BatchVerifierPool;
let storage: NodeStorage;
let app: LedgerApp;
let ingress: IngressServer;
let dir: string;

async function call(
  path: string,
  init?: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${ingress.url}${path}`, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

const post = (body: string) =>
  call('/v1/transactions', { method: 'POST', body, headers: { 'content-type': 'application/json' } });

async function commitNext(on: LedgerApp = app): Promise<void> {
  const tip = on.tip;
  const proposal = await on.buildProposal(tip.height + 1n, 0, tip.hash);
  await on.commit(tip.height + 1n, proposal.bytes, new Uint8Array([1]));
}

/** A ledger on `store` holding the scenario's deposits in its first block (nothing anchored). */
async function openLedger(
  store: NodeStorage,
  admission: Pick<LedgerAppOptions, 'isAnchored' | 'relayerFloor'> = { isAnchored: () => false },
): Promise<LedgerApp> {
  let clock = 1_700_000_000_000;
  const opened = await LedgerApp.open({
    storage: store,
    pool,
    registry: new Registry(),
    leader: new Uint8Array(32).fill(1),
    ...admission,
    currentSlot: () => 0n,
    now: () => clock++,
    logger: quiet,
  });
  opened.addDeposits(scenario.deposits);
  await commitNext(opened);
  return opened;
}

beforeAll(async () => {
  const artifacts = await loadCircuitArtifacts();
  scenario = await ledgerScenario(artifacts);
  pool = new BatchVerifierPool(VerifyingKey.fromSnarkjs(artifacts.verifyingKey), {
    threads: 2,
  });
  await pool.start();
  dir = await mkdtemp(join(tmpdir(), 'paraloom-ingress-'));
  storage = await NodeStorage.open(dir, { logger: quiet });
  app = await openLedger(storage);
  ingress = new IngressServer(new LedgerIngressBackend(app, storage), {
    port: 0,
    logger: quiet,
    maxBodyBytes: 4096,
  });
  await ingress.start();
}, 600_000);

afterAll(async () => {
  await ingress?.stop();
  await app?.close();
  await storage?.close();
  await pool?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('ingress API over a real ledger', () => {
  it('reports status, roots, published outputs and paths that verify', async () => {
    const n = scenario.deposits.length;
    const status = await call('/v1/status');
    expect(status.body).toMatchObject({
      height: '1',
      leafCount: n,
      mempool: 0,
      root: scenario.root1.toString(),
    });
    const roots = await call('/v1/roots');
    expect((roots.body.roots as string[]).at(-1)).toBe(scenario.root1.toString());
    const notes = await call('/v1/notes?from=0&limit=100');
    const outputs = notes.body.outputs as Array<{
      leafIndex: number;
      commitment: string;
      envelope: string | null;
    }>;
    expect(outputs.map((o) => o.commitment)).toEqual(scenario.deposits.map((d) => d.commitment.toString()));
    expect(outputs.every((o) => o.envelope === null)).toBe(true);
    expect(notes.body.next).toBe(n);
    const p = await call('/v1/paths/1');
    const siblings = (p.body.siblings as string[]).map((s) => toField(BigInt(s)));
    expect(verifyPath(scenario.deposits[1]!.commitment, { leafIndex: 1, siblings }, scenario.root1)).toBe(
      true,
    );
    // The frontier at any size up to the tree's: the current one gives the current root, and an
    // earlier one the root a tree of that size had (what a wallet's birthday starts from).
    const client = new IngressClient(ingress.url);
    const now = await client.frontier(n);
    expect(now.root).toBe(scenario.root1);
    expect(now.frontier.root).toBe(scenario.root1);
    const one = await client.frontier(1);
    const tree = await MerkleTree.open(new MemoryTreeStorage());
    await tree.append(scenario.deposits[0]!.commitment);
    expect(one.frontier.root).toBe(tree.root);
    expect(one.root).toBe(tree.root);
    expect(one.frontier.left[0]).toBe(scenario.deposits[0]!.commitment);
    // Complete subtrees' roots: a subtree of one leaf is the leaf; of two, their hash.
    expect(await client.subtreeRoots(0, 1, 2)).toEqual([
      scenario.deposits[1]!.commitment,
      scenario.deposits[2]!.commitment,
    ]);
    expect(await client.subtreeRoots(1, 0, 1)).toEqual([
      hash2(scenario.deposits[0]!.commitment, scenario.deposits[1]!.commitment),
    ]);
    await expect(client.subtreeRoots(4, 0, 1)).rejects.toMatchObject({ context: { status: 404 } });
    await expect(client.frontier(n + 1)).rejects.toMatchObject({
      code: 'INGRESS_REJECTED',
      context: { status: 404 },
    });
  });

  it('admits a valid transaction, names duplicates and conflicts, and publishes its outputs once final', async () => {
    const accepted = await post(JSON.stringify({ transaction: bytesToHex(scenario.transfer.bytes) }));
    expect(accepted.status).toBe(202);
    expect(accepted.body.id).toBe(scenario.transfer.idHex);
    const again = await post(JSON.stringify({ transaction: bytesToHex(scenario.transfer.bytes) }));
    expect(again.status).toBe(409);
    const conflict = await post(JSON.stringify({ transaction: bytesToHex(scenario.conflicting.bytes) }));
    expect(conflict.status).toBe(409);
    expect((conflict.body.error as { code: string }).code).toMatch(/NULLIFIER/);
    await commitNext();
    const n = scenario.deposits.length;
    const notes = await call(`/v1/notes?from=${n}`);
    const outputs = notes.body.outputs as Array<{
      leafIndex: number;
      commitment: string;
      envelope: string | null;
      transaction?: unknown;
    }>;
    expect(outputs.map((o) => o.leafIndex)).toEqual([n, n + 1]);
    // The transaction's public spend fields ride on its first output only: a wallet finds its spends there.
    const { statement } = scenario.transfer.tx;
    expect(outputs[0]!.transaction).toEqual({
      nullifiers: statement.nullifiers.map(String),
      extAmount: statement.extData.extAmount.toString(),
      fee: statement.extData.fee.toString(),
      refundOwner: statement.extData.refundOwner?.toString() ?? null,
    });
    expect(outputs[1]!.transaction).toBeUndefined();
    expect(outputs.map((o) => o.commitment)).toEqual(
      scenario.transfer.tx.statement.outputCommitments.map(String),
    );
    expect(outputs[0]!.envelope).toBe(bytesToHex(scenario.transfer.tx.statement.extData.encryptedOutput0));
    const spent = await post(JSON.stringify({ transaction: bytesToHex(scenario.conflicting.bytes) }));
    expect(spent.status).toBe(409);
  });

  it('answers bad requests with clear 4xx codes', async () => {
    const cases: Array<[Promise<{ status: number; body: Record<string, unknown> }>, number, string]> = [
      [post('{not json'), 400, 'BAD_JSON'],
      [post(JSON.stringify({ transaction: 'xyz' })), 400, 'BAD_TRANSACTION_ENCODING'],
      [post(JSON.stringify({ transaction: 'ab'.repeat(100) })), 400, ''],
      [post(JSON.stringify({ transaction: 'ab'.repeat(3000) })), 413, 'BODY_TOO_LARGE'],
      [call('/v1/paths/999999'), 404, 'LEAF_NOT_FOUND'],
      [call('/v1/notes?from=-1'), 400, 'BAD_PARAMETER'],
      [call('/v1/frontier/99999999'), 404, 'LEAF_NOT_FOUND'],
      [call('/v1/frontier/-1'), 404, 'NOT_FOUND'],
      [call('/v1/subtrees?level=4&from=0&count=5000'), 400, 'BAD_PARAMETER'],
      [call('/v1/nothing'), 404, 'NOT_FOUND'],
      [call('/v1/roots', { method: 'DELETE' }), 405, 'METHOD_NOT_ALLOWED'],
    ];
    for (const [pending, status, code] of cases) {
      const r = await pending;
      expect(r.status).toBe(status);
      const error = r.body.error as { code: string; message: string };
      expect(error.message.length).toBeGreaterThan(0);
      if (code) expect(error.code).toBe(code);
    }
  });

  it('answers what the HTTP parser or the URL parser refuses in the documented shape, never 500', async () => {
    const { port } = new URL(ingress.url);
    /** Sends raw bytes and reads the answer until the server closes or 2 s pass. */
    const raw = (bytes: string) =>
      new Promise<{ status: number; body: Record<string, unknown> }>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1');
        let text = '';
        socket.setTimeout(2_000, () => socket.destroy());
        socket.on('data', (d) => {
          text += d.toString('latin1');
        });
        socket.on('error', reject);
        socket.on('close', () => {
          const [head = '', body = ''] = text.split('\r\n\r\n');
          resolve({ status: Number(head.split(' ')[1]), body: JSON.parse(body) as Record<string, unknown> });
        });
        socket.write(bytes);
      });
    const cases: Array<[string, number, string]> = [
      ['GET //[ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400, 'BAD_REQUEST_TARGET'],
      ['GET http://[::1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400, 'BAD_REQUEST_TARGET'],
      [
        `GET /v1/status HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
        431,
        'HEADERS_TOO_LARGE',
      ],
      ['HELLO THERE\r\n\r\n', 400, 'BAD_HTTP'],
      ['GET /v1/status HTTP/1.1\r\nContent-Length: -1\r\n\r\n', 400, 'BAD_HTTP'],
    ];
    for (const [bytes, status, code] of cases) {
      const r = await raw(bytes);
      expect(r.status, bytes.slice(0, 30)).toBe(status);
      expect((r.body.error as { code: string }).code).toBe(code);
    }
    // The server still answers after all of them.
    expect((await call('/v1/status')).status).toBe(200);
  });

  it('answers 150 random requests (seeded) with a typed JSON status, never 500', async () => {
    // Its own server over the same ledger, without the rate limit, so every request reaches a route.
    const open = new IngressServer(new LedgerIngressBackend(app, storage), {
      port: 0,
      logger: quiet,
      ratePerSecond: 1e9,
      rateBurst: 1e9,
    });
    await open.start();
    const statuses = new Map<number, number>();
    const rnd = seededRandom(20261207);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
    const junk = (n: number) =>
      Array.from({ length: Math.floor(rnd() * n) }, () =>
        String.fromCharCode(32 + Math.floor(rnd() * 95)),
      ).join('');
    const routes = [
      '/v1/status',
      '/v1/roots',
      '/v1/notes',
      '/v1/paths/',
      '/v1/frontier/',
      '/v1/subtrees',
      '/v1/transactions',
      '/v1/transactions/batch',
      '/v1/anchors',
      '/v1/withdrawals/',
      '/v1/relayers',
      '/v1/compute/jobs',
      '/v1/compute/jobs/',
      '/v1/',
      '/',
    ];
    const values = ['0', '-1', '1e9', '999999999999999999999', 'abc', '%00', '', '0x10', ' 1', '4'];
    for (let i = 0; i < 150; i++) {
      const query = Array.from(
        { length: Math.floor(rnd() * 4) },
        () =>
          `${pick(['from', 'limit', 'level', 'count', junk(6)])}=${encodeURIComponent(pick([...values, junk(12)]))}`,
      ).join('&');
      const path = `${pick(routes)}${rnd() < 0.5 ? encodeURIComponent(pick([...values, junk(40)])) : ''}`;
      const method = pick(['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS']);
      const body =
        method === 'POST'
          ? pick([
              junk(200),
              JSON.stringify({ transaction: junk(50) }),
              JSON.stringify({ transactions: [junk(8)] }),
              '{',
            ])
          : undefined;
      const res = await fetch(`${open.url}${path}${query ? `?${query}` : ''}`, {
        method,
        ...(body !== undefined ? { body } : {}),
      });
      const json = (await res.json()) as { error?: { code?: unknown } };
      expect(res.status, `${method} ${path}?${query}`).toBeLessThan(500);
      if (res.status >= 400) expect(typeof json.error?.code).toBe('string');
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
    await open.stop();
    // Answers and refusals of several kinds, none rate limited: the requests reached the routes.
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.has(429)).toBe(false);
    expect([...statuses.keys()].filter((k) => k >= 400).length).toBeGreaterThanOrEqual(3);
  });

  it('admits a batch transaction by transaction, in request order, on a fresh ledger', async () => {
    const freshDir = await mkdtemp(join(tmpdir(), 'paraloom-ingress-batch-'));
    const freshStorage = await NodeStorage.open(freshDir, { logger: quiet });
    const fresh = await openLedger(freshStorage);
    const server = new IngressServer(new LedgerIngressBackend(fresh, freshStorage), {
      port: 0,
      logger: quiet,
      maxBatchBodyBytes: 8192,
      rateBurst: 12,
      ratePerSecond: 0.001,
    });
    try {
      await server.start();
      const batch = (body: string) =>
        fetch(`${server.url}/v1/transactions/batch`, { method: 'POST', body }).then(async (r) => ({
          status: r.status,
          body: (await r.json()) as Record<string, unknown>,
        }));
      const hexOf = (d: { bytes: Uint8Array }) => bytesToHex(d.bytes);
      // transfer and conflicting share a nullifier: both verify, one lands, the other is refused.
      const r = await batch(
        JSON.stringify({
          transactions: [
            hexOf(scenario.transfer),
            hexOf(scenario.conflicting),
            hexOf(scenario.withdrawal),
            'xyz',
            hexOf(scenario.transfer),
          ],
        }),
      );
      expect(r.status).toBe(200);
      const results = r.body.results as Array<{ id?: string; status?: string; error?: { code: string } }>;
      expect(results).toHaveLength(5);
      const spends = [results[0]!, results[1]!];
      expect(spends.filter((x) => x.status === 'admitted')).toHaveLength(1);
      expect(spends.map((x) => x.error?.code).filter(Boolean)).toEqual(['NULLIFIER_CONFLICT']);
      if (results[0]!.status === 'admitted') expect(results[0]!.id).toBe(scenario.transfer.idHex);
      expect(results[2]!.error?.code).toBe('ROOT_NOT_ANCHORED');
      expect(results[3]!.error?.code).toBe('BAD_TRANSACTION_ENCODING');
      expect(results[4]!.error?.code).toBe('DUPLICATE');
      expect(fresh.mempool.size).toBe(1);

      // The wallet's client over the same route: outcomes in order, typed.
      const client = new IngressClient(server.url);
      expect(await client.submitMany([scenario.transfer.bytes, scenario.withdrawal.bytes])).toEqual([
        { status: 'refused', code: 'DUPLICATE', message: expect.any(String) },
        { status: 'refused', code: 'ROOT_NOT_ANCHORED', message: expect.any(String) },
      ]);
      for (const size of [0, MAX_BATCH_TRANSACTIONS + 1]) {
        await expect(client.submitMany(Array(size).fill(scenario.transfer.bytes))).rejects.toMatchObject({
          code: 'BATCH_SIZE_INVALID',
        });
      }

      const refused: Array<[string, number, string]> = [
        ['{not json', 400, 'BAD_JSON'],
        [JSON.stringify({ transactions: [] }), 400, 'BAD_BATCH_SIZE'],
        [JSON.stringify({ transactions: hexOf(scenario.transfer) }), 400, 'BAD_BATCH_SIZE'],
        [
          JSON.stringify({ transactions: Array(MAX_BATCH_TRANSACTIONS + 1).fill('ab') }),
          400,
          'BAD_BATCH_SIZE',
        ],
        [JSON.stringify({ transactions: ['ab'.repeat(5000)] }), 413, 'BODY_TOO_LARGE'],
      ];
      for (const [body, status, code] of refused) {
        const x = await batch(body);
        expect(x.status).toBe(status);
        expect((x.body.error as { code: string }).code).toBe(code);
      }
      // One token per transaction: of the burst of 12, the batches of 5 and 2 took 7 and each
      // refused request 1, so none remains (sizes the client refuses never reach the server); a
      // batch of 3 is refused whole.
      const limited = await batch(
        JSON.stringify({ transactions: Array(3).fill(hexOf(scenario.withdrawal)) }),
      );
      expect(limited.status).toBe(429);
      expect((limited.body.error as { code: string }).code).toBe('RATE_LIMITED');
      await expect(client.submitMany([scenario.withdrawal.bytes])).rejects.toMatchObject({
        code: 'INGRESS_REJECTED',
        context: { status: 429, reason: 'RATE_LIMITED' },
      });
      expect(fresh.mempool.size).toBe(1);
    } finally {
      await server.stop();
      await fresh.close();
      await freshStorage.close();
      await rm(freshDir, { recursive: true, force: true });
    }
  });

  it("answers a batch item whose admission failed INTERNAL, and still gives the others' outcomes", async () => {
    const real = new LedgerIngressBackend(app, storage);
    const failing = bytesToHex(scenario.withdrawal.bytes);
    const backend: IngressBackend = {
      submit: (tx) =>
        bytesToHex(tx) === failing ? Promise.reject(new Error('storage went away')) : real.submit(tx),
      status: () => real.status(),
      roots: () => real.roots(),
      path: (i) => real.path(i),
      outputs: (from, limit) => real.outputs(from, limit),
      frontier: (leafCount) => real.frontier(leafCount),
      subtreeRoots: (level, from, count) => real.subtreeRoots(level, from, count),
    };
    const server = new IngressServer(backend, { port: 0, logger: quiet });
    await server.start();
    try {
      const res = await fetch(`${server.url}/v1/transactions/batch`, {
        method: 'POST',
        body: JSON.stringify({ transactions: [failing, bytesToHex(scenario.conflicting.bytes)] }),
      });
      expect(res.status).toBe(200);
      const { results } = (await res.json()) as { results: Array<{ error?: { code: string } }> };
      // The transfer is final by now, so the conflicting spend meets a spent nullifier.
      expect(results.map((r) => r.error?.code)).toEqual(['INTERNAL', 'NULLIFIER_SPENT']);
    } finally {
      await server.stop();
    }
  });

  it('answers settlement routes with clear errors, before any chain read', async () => {
    const untouched = () => {
      throw new Error('the backend must not be reached for a refused request');
    };
    const server = new IngressServer(new LedgerIngressBackend(app, storage), {
      port: 0,
      logger: quiet,
      settlement: {
        anchors: untouched,
        withdrawal: async () => undefined,
        relayer: () => undefined,
        relayers: () => [],
        solanaSlot: () => 7n,
      },
    });
    await server.start();
    const get = async (path: string) => {
      const r = await fetch(`${server.url}${path}`);
      return {
        status: r.status,
        body: (await r.json()) as { error?: { code: string }; solanaSlot?: string },
      };
    };
    try {
      // p itself is not a canonical field element.
      const p = '21888242871839275222246405745257275088548364400416034343698204186575808495617';
      expect(await get(`/v1/withdrawals/${p}`)).toMatchObject({
        status: 400,
        body: { error: { code: 'FIELD_NOT_CANONICAL' } },
      });
      expect(await get('/v1/withdrawals/12x')).toMatchObject({
        status: 404,
        body: { error: { code: 'NOT_FOUND' } },
      });
      expect(await get('/v1/withdrawals/5')).toMatchObject({
        status: 404,
        body: { error: { code: 'WITHDRAWAL_NOT_FOUND' } },
      });
      expect(await get('/v1/relayer')).toMatchObject({
        status: 404,
        body: { error: { code: 'NOT_A_RELAYER' } },
      });
      expect((await get('/v1/status')).body.solanaSlot).toBe('7');
    } finally {
      await server.stop();
    }
    // Without settlement, the routes do not exist.
    expect((await fetch(`${ingress.url}/v1/anchors`)).status).toBe(404);
  });

  it("refuses a withdrawal under its relayer's floor with its code, and quotes the relayers", async () => {
    // The scenario's withdrawal names relayer 0x08..08 and pays it 5,000,000 lamports.
    const relayerHex = '08'.repeat(32);
    const floors = new Map([[relayerHex, 5_000_001n]]);
    const own = await mkdtemp(join(tmpdir(), 'paraloom-ingress-floor-'));
    const store = await NodeStorage.open(own, { logger: quiet });
    const ledger = await openLedger(store, {
      isAnchored: (root) => root === scenario.root1,
      relayerFloor: (relayer) => floors.get(Buffer.from(relayer).toString('hex')),
    });
    const quotes = [
      {
        address: 'Re1ayer1111111111111111111111111111111111111',
        fees: [{ asset: toField(0n), floor: 5_000_001n }],
      },
    ];
    const server = new IngressServer(new LedgerIngressBackend(ledger, store), {
      port: 0,
      logger: quiet,
      settlement: {
        anchors: async () => [],
        withdrawal: async () => undefined,
        relayer: () => ({ address: quotes[0]!.address }),
        relayers: () => quotes,
        solanaSlot: () => 7n,
      },
    });
    await server.start();
    const submit = async () => {
      const r = await fetch(`${server.url}/v1/transactions`, {
        method: 'POST',
        body: JSON.stringify({ transaction: bytesToHex(scenario.withdrawal.bytes) }),
      });
      return { status: r.status, body: (await r.json()) as { error?: { code: string }; status?: string } };
    };
    try {
      expect(await submit()).toMatchObject({ status: 400, body: { error: { code: 'FEE_BELOW_FLOOR' } } });
      floors.delete(relayerHex);
      expect(await submit()).toMatchObject({
        status: 400,
        body: { error: { code: 'RELAYER_NOT_REGISTERED' } },
      });
      expect(ledger.mempool.size).toBe(0);
      const relayers = await fetch(`${server.url}/v1/relayers`);
      expect(relayers.status).toBe(200);
      expect(await relayers.json()).toEqual({
        self: quotes[0]!.address,
        relayers: [{ address: quotes[0]!.address, fees: [{ asset: '0', floor: '5000001' }] }],
      });
      const relayer = await fetch(`${server.url}/v1/relayer`);
      expect(await relayer.json()).toEqual({ address: quotes[0]!.address, minFeeLamports: '5000001' });
      floors.set(relayerHex, 5_000_000n);
      expect(await submit()).toMatchObject({ status: 202, body: { status: 'admitted' } });
    } finally {
      await server.stop();
      await ledger.close();
      await store.close();
      await rm(own, { recursive: true, force: true });
    }
  });

  it('rate limits each client', async () => {
    const limited = new IngressServer(new LedgerIngressBackend(app, storage), {
      port: 0,
      logger: quiet,
      rateBurst: 3,
      ratePerSecond: 0.001,
    });
    await limited.start();
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${limited.url}/v1/status`)).status);
    await limited.stop();
    expect(statuses).toEqual([200, 200, 200, 429, 429]);
  });
});
