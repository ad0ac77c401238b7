import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Localnet } from './index.js';

// Malformed requests get Solana's JSON-RPC error codes and change nothing.

let net: Localnet;
beforeAll(async () => {
  net = new Localnet({ port: 0, slotMs: 1_000_000 });
  await net.start();
});
afterAll(async () => net.stop());

async function post(body: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(net.rpcUrl, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json' },
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: res.status, json };
}

const call = (method: string, params: unknown[]) =>
  post(JSON.stringify({ jsonrpc: '2.0', id: 7, method, params }));
const codeOf = (r: { json: unknown }) => (r.json as { error?: { code: number } }).error?.code;

describe('localnet JSON-RPC errors', () => {
  it('answers invalid params with -32602', async () => {
    const cases: Array<[string, unknown[]]> = [
      ['getAccountInfo', ['not-an-address']],
      ['getBalance', [42]],
      ['getSlot', [{ commitment: 'eventually' }]],
      ['getMultipleAccounts', [Array.from({ length: 101 }, () => '11111111111111111111111111111111')]],
      [
        'getSignaturesForAddress',
        ['11111111111111111111111111111111', { limit: 1001, commitment: 'finalized' }],
      ],
      ['requestAirdrop', ['11111111111111111111111111111111', 0]],
      ['sendTransaction', ['!!!', { encoding: 'base64' }]],
      ['getProgramAccounts', ['11111111111111111111111111111111', { filters: [{ unknown: 1 }] }]],
      ['getTransaction', ['x', { commitment: 'processed' }]],
    ];
    for (const [method, params] of cases) expect(codeOf(await call(method, params)), method).toBe(-32602);
  });

  it('refuses a minContextSlot the node has not reached with -32016 and the context slot', async () => {
    const answer = (await call('getBalance', ['11111111111111111111111111111111', { minContextSlot: 1e9 }]))
      .json as { error: { code: number; message: string; data: { contextSlot: number } } };
    expect(answer.error).toEqual({
      code: -32016,
      message: 'Minimum context slot has not been reached',
      data: { contextSlot: Number(net.chain.slotAt('finalized')) },
    });
    const reached = (await call('getSlot', [{ commitment: 'processed', minContextSlot: 0 }])).json as {
      result: number;
    };
    expect(reached.result).toBe(Number(net.chain.slot));
  });

  it('rejects malformed envelopes, empty and oversized batches, and non-POST methods', async () => {
    expect(codeOf(await post('{"jsonrpc":"1.0","id":1,"method":"getSlot"}'))).toBe(-32600);
    expect(codeOf(await post('[]'))).toBe(-32600);
    const batch = JSON.stringify(
      Array.from({ length: 101 }, (_, i) => ({ jsonrpc: '2.0', id: i, method: 'getSlot' })),
    );
    expect(codeOf(await post(batch))).toBe(-32600);
    const ok = await post(
      JSON.stringify([
        { jsonrpc: '2.0', id: 1, method: 'getSlot' },
        { jsonrpc: '2.0', id: 2, method: 'nope' },
      ]),
    );
    const answers = ok.json as Array<{ id: number; result?: unknown; error?: { code: number } }>;
    expect(answers.map((a) => a.error?.code ?? 'ok')).toEqual(['ok', -32601]);
    const big = await post(
      `{"jsonrpc":"2.0","id":1,"method":"getSlot","params":["${'a'.repeat(1 << 20)}"]}`,
    ).catch(() => ({
      status: 413,
      json: undefined,
    }));
    expect(big.status).toBe(413);
    expect((await fetch(net.rpcUrl, { method: 'PUT', body: '{}' })).status).toBe(405);
    expect(await (await fetch(`${net.rpcUrl}/health`)).text()).toBe('ok');
  });
});
