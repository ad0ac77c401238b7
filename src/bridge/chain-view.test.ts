import { createDefaultRpcTransport, type RpcTransport } from '@solana/kit';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { initializeParaloom, Localnet, paraloomProgram } from '../localnet/index.js';
import { ChainView } from './chain-view.js';
import { PARALOOM_DEV_PROGRAM_ID, PROGRAM_VERSION } from './constants.js';
import { BridgeError } from './errors.js';
import { relayCost } from './relay-cost.js';
import { BridgeRpc } from './rpc/client.js';
import { registerValidators } from './testing/fixture.js';
import { RpcDriver } from './testing/rpc-driver.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The confirmed slot over plain JSON-RPC (not through the view's RPC client, whose calls are counted). */
async function confirmedSlot(rpcUrl: string): Promise<number> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'getSlot', params: [{ commitment: 'confirmed' }] }),
  });
  return ((await res.json()) as { result: number }).result;
}

/** A Paraloom localnet, a view over it whose transport fails while `down.value` is true. */
async function setup(refreshMs = 60_000) {
  const net = new Localnet({ port: 0, slotMs: 40, programs: [paraloomProgram()] });
  await initializeParaloom(net.chain);
  await net.start();
  cleanups.push(() => net.stop());
  // A fresh localnet's confirmed slot is 0 for its first slots; the tests read a chain that has moved.
  for (let i = 0; i < 200 && (await confirmedSlot(net.rpcUrl)) === 0; i++) {
    await new Promise((r) => setTimeout(r, 20));
  }
  const down = { value: false };
  const inner = createDefaultRpcTransport({ url: net.rpcUrl });
  const transport = ((config: Parameters<RpcTransport>[0]) => {
    if (down.value) return Promise.reject(new Error('connect ECONNREFUSED (test: RPC down)'));
    return inner(config);
  }) as RpcTransport;
  const registry = new Registry();
  const rpc = new BridgeRpc({ rpcUrl: net.rpcUrl, transport, timeoutMs: 5_000, registry });
  const view = new ChainView({ rpc, programId: PARALOOM_DEV_PROGRAM_ID, refreshMs, registry });
  cleanups.push(() => view.stop());
  const metric = async (name: string, labels: Record<string, string> = {}) =>
    (await registry.getSingleMetric(name)!.get()).values
      .filter((v) => Object.entries(labels).every(([k, l]) => v.labels[k] === l))
      .reduce((n, v) => n + v.value, 0);
  return { net, rpc, view, down, metric };
}

describe('ChainView against a localnet', () => {
  it('reads state, finalized state, slot, vault and registry in one round of two calls', async () => {
    const { view, metric } = await setup();
    expect(view.reading).toBeUndefined();
    expect(view.age).toBe(Number.POSITIVE_INFINITY);
    await view.start();
    const r = view.reading!;
    expect(r.state?.programVersion).toBe(PROGRAM_VERSION);
    expect(r.finalizedState?.programVersion).toBe(PROGRAM_VERSION);
    expect(r.slot).toBeGreaterThan(0n);
    expect(view.slot).toBe(r.slot);
    // The finalized read's context slot, from the same round's getAccountInfo.
    expect(view.finalizedSlot).toBe(r.finalizedSlot);
    expect(r.finalizedSlot).toBeGreaterThanOrEqual(0n);
    expect(r.vaultLamports).toBeGreaterThan(0n);
    expect(r.validators).toEqual([]);
    expect(view.age).toBeLessThan(5_000);
    expect(await metric('paraloom_bridge_rpc_requests_total', { method: 'getMultipleAccounts' })).toBe(1);
    expect(await metric('paraloom_bridge_rpc_requests_total', { method: 'getAccountInfo' })).toBe(1);
    expect(await metric('paraloom_bridge_rpc_requests_total')).toBe(2);
  });

  it('shares one round between concurrent refreshes', async () => {
    const { view, metric } = await setup();
    const [a, b, c] = await Promise.all([view.refresh(), view.refresh(), view.refresh()]);
    expect(a).toBe(b);
    expect(b).toBe(c);
    expect(await metric('paraloom_bridge_rpc_requests_total')).toBe(2);
  });

  it('emits validators once per change, with the accounts decoded, and slot changes', async () => {
    const { rpc, view } = await setup();
    await view.start();
    const seen: number[] = [];
    const slots: bigint[] = [];
    view.on('validators', (v, prev) => seen.push(v.length, prev?.length ?? -1));
    view.on('slot', (s) => slots.push(s));
    const driver = await RpcDriver.create(rpc, PARALOOM_DEV_PROGRAM_ID);
    const [v] = await registerValidators(driver, 1);
    // The registration shows at confirmed one slot later; poll through the view.
    for (let i = 0; i < 100 && view.validators.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 40));
      await view.refresh();
    }
    expect(view.validators.map((a) => a.key)).toEqual([v!.address]);
    expect(view.validators[0]!.active).toBe(true);
    expect(seen).toEqual([1, 0]);
    // Registration's default SOL floor is the real cost of settling one withdrawal on this cluster.
    const cost = await relayCost(rpc);
    expect(cost.total).toBe(2n * cost.nullifierRecordRent + 5_000n);
    const sol = new Uint8Array(32);
    expect(view.relayers).toEqual([{ address: v!.address, fees: [{ asset: sol, floor: cost.total }] }]);
    expect(view.relayerFloor(v!.address, sol)).toBe(cost.total);
    expect(view.relayerFloor(v!.address, new Uint8Array(32).fill(1))).toBeUndefined();
    expect(view.relayerFloor(PARALOOM_DEV_PROGRAM_ID, sol)).toBeUndefined();
    // Nothing changed in the accounts: later rounds do not emit validators again.
    await new Promise((r) => setTimeout(r, 100));
    await view.refresh();
    expect(seen).toEqual([1, 0]);
    expect(slots.length).toBeGreaterThan(0);
    expect(slots.every((s, i) => i === 0 || s > slots[i - 1]!)).toBe(true);
  });

  it('keeps the last good values when a round fails, counts and rejects with a BridgeError', async () => {
    const { view, down, metric } = await setup();
    await view.start();
    const before = view.reading!;
    down.value = true;
    const failure = await view.refresh().catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(BridgeError);
    expect((failure as BridgeError).code).toBe('RPC_UNAVAILABLE');
    expect(view.reading).toBe(before);
    expect(view.error).toMatch(/ECONNREFUSED|unavailable|fetch/i);
    expect(await metric('paraloom_chain_view_failures_total', { code: 'RPC_UNAVAILABLE' })).toBe(1);
    down.value = false;
    expect((await view.refresh()).at).toBeGreaterThanOrEqual(before.at);
    expect(view.error).toBeUndefined();
  });

  it('a failing first read does not fail start; the loop recovers on its own', async () => {
    const { view, down } = await setup(30);
    down.value = true;
    await view.start();
    expect(view.reading).toBeUndefined();
    down.value = false;
    for (let i = 0; i < 200 && !view.reading; i++) await new Promise((r) => setTimeout(r, 20));
    expect(view.reading?.state?.programVersion).toBe(PROGRAM_VERSION);
  });

  it('a listener that throws is counted and does not stop the others', async () => {
    const { view, metric } = await setup();
    const heard: string[] = [];
    view.on('state', () => {
      throw new Error('consumer bug');
    });
    view.on('state', (s) => heard.push(`v${s?.programVersion}`));
    await view.refresh();
    expect(heard).toEqual([`v${PROGRAM_VERSION}`]);
    expect(await metric('paraloom_chain_view_failures_total', { code: 'LISTENER_FAILED' })).toBe(1);
  });

  it('stop ends the loop: no call after it', async () => {
    const { view, metric } = await setup(20);
    await view.start();
    await new Promise((r) => setTimeout(r, 100));
    await view.stop();
    const calls = await metric('paraloom_bridge_rpc_requests_total');
    expect(calls).toBeGreaterThan(2);
    await new Promise((r) => setTimeout(r, 100));
    expect(await metric('paraloom_bridge_rpc_requests_total')).toBe(calls);
  });
});
