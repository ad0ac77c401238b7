import { address, lamports } from '@solana/kit';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type DroppingRpcServer, droppingRpcServer } from '../testing/index.js';
import { isConnectionLoss } from './classify.js';
import { BridgeRpc } from './client.js';

const servers: DroppingRpcServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

async function clientFor(drops: number) {
  const server = await droppingRpcServer(drops, (method) => (method === 'getSlot' ? 4242 : 'sig'));
  servers.push(server);
  const registry = new Registry();
  const rpc = new BridgeRpc({ rpcUrl: server.url, registry, timeoutMs: 5_000 });
  const metric = async (name: string) =>
    (await registry.getSingleMetric(name)!.get()).values.reduce((n, v) => n + v.value, 0);
  return { rpc, received: server.received, metric };
}

describe('isConnectionLoss', () => {
  const coded = (code: string) => Object.assign(new Error(code), { code });
  it('finds a lost connection anywhere in the cause chain, and nothing else', () => {
    for (const code of ['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']) {
      expect(isConnectionLoss(new TypeError('fetch failed', { cause: coded(code) }))).toBe(true);
    }
    // Refused, timed out, or answered with an error: not a connection closed under a sent call.
    for (const code of ['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'ABORT_ERR']) {
      expect(isConnectionLoss(new TypeError('fetch failed', { cause: coded(code) }))).toBe(false);
    }
    expect(isConnectionLoss(new Error('HTTP 500'))).toBe(false);
    expect(isConnectionLoss(undefined)).toBe(false);
  });
});

describe('BridgeRpc on a connection closed under a call', () => {
  it('sends a read once more and returns its answer, counting the retry', async () => {
    const { rpc, received, metric } = await clientFor(1);
    expect(await rpc.slot('confirmed')).toBe(4242n);
    expect(received).toEqual(['getSlot', 'getSlot']);
    expect(await metric('paraloom_bridge_rpc_retries_total')).toBe(1);
    expect(await metric('paraloom_bridge_rpc_failures_total')).toBe(0);
  });

  it('retries only once: a second loss is RPC_UNAVAILABLE', async () => {
    const { rpc, received, metric } = await clientFor(2);
    await expect(rpc.slot('confirmed')).rejects.toMatchObject({ code: 'RPC_UNAVAILABLE' });
    expect(received).toEqual(['getSlot', 'getSlot']);
    expect(await metric('paraloom_bridge_rpc_retries_total')).toBe(1);
    expect(await metric('paraloom_bridge_rpc_failures_total')).toBe(1);
  });

  it('never sends a faucet request twice', async () => {
    const { rpc, received, metric } = await clientFor(1);
    await expect(
      rpc.call('requestAirdrop', (r) =>
        r.requestAirdrop(address('11111111111111111111111111111111'), lamports(1n)),
      ),
    ).rejects.toMatchObject({ code: 'RPC_UNAVAILABLE' });
    expect(received).toEqual(['requestAirdrop']);
    expect(await metric('paraloom_bridge_rpc_retries_total')).toBe(0);
  });
});
