import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngressClient } from './ingress-client.js';
import { birthdayLeafIndex } from './restore.js';

let server: Server;
let url: string;
let answer: { status: number; body: unknown };

beforeAll(async () => {
  server = createServer((req, res) => {
    res.statusCode = req.url === '/v1/anchors' ? answer.status : 404;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify(req.url === '/v1/anchors' ? answer.body : { error: { code: 'NOT_FOUND', message: '' } }),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const anchor = (height: number, leafCount: number | null) => ({
  height: String(height),
  root: '1',
  leafCount: leafCount === null ? null : String(leafCount),
});

describe("a restore's birthday", () => {
  it('starts at the tree size of the newest anchored root at or below the birthday height, else at leaf 0', async () => {
    answer = {
      status: 200,
      body: { anchors: [anchor(5, 10), anchor(9, 30), anchor(12, null), anchor(15, 80)] },
    };
    const warnings: string[] = [];
    const client = new IngressClient(url);
    expect(await birthdayLeafIndex(client, 10n, (m) => warnings.push(m))).toBe(30);
    expect(await birthdayLeafIndex(client, 15n, (m) => warnings.push(m))).toBe(80);
    expect(await birthdayLeafIndex(client, 9n, (m) => warnings.push(m))).toBe(30);
    expect(warnings).toEqual([]);
    expect(await birthdayLeafIndex(client, 4n, (m) => warnings.push(m))).toBe(0);
    expect(await birthdayLeafIndex(client, 0n, (m) => warnings.push(m))).toBe(0);
    expect(warnings).toHaveLength(1);
  });

  it('scans from 0 on a node without anchors, and fails on any other error', async () => {
    const warnings: string[] = [];
    answer = {
      status: 404,
      body: { error: { code: 'NOT_FOUND', message: 'this node does not serve settlement' } },
    };
    expect(await birthdayLeafIndex(new IngressClient(url), 10n, (m) => warnings.push(m))).toBe(0);
    expect(warnings).toHaveLength(1);
    answer = { status: 500, body: { error: { code: 'INTERNAL', message: 'boom' } } };
    await expect(birthdayLeafIndex(new IngressClient(url), 10n, () => undefined)).rejects.toMatchObject({
      code: 'INGRESS_REJECTED',
    });
    await expect(
      birthdayLeafIndex(new IngressClient('http://127.0.0.1:1'), 10n, () => undefined),
    ).rejects.toMatchObject({
      code: 'INGRESS_UNAVAILABLE',
    });
  });
});
