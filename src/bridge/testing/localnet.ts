/** Shared by the bridge tests: a Paraloom localnet, deposits over RPC, a RocksDB cursor, a faulty transport. */
import { createDefaultRpcTransport, type RpcTransport } from '@solana/kit';
import { Registry } from 'prom-client';
import { initializeParaloom, Localnet, type LocalnetOptions, paraloomProgram } from '../../localnet/index.js';
import { NATIVE_ASSET, noteCommitment, randomField } from '../../privacy/index.js';
import { Database, DepositCursorStore } from '../../storage/index.js';
import { BridgeRpc, depositInstruction, PARALOOM_DEV_PROGRAM_ID } from '../index.js';
import type { TestKey } from './litesvm-harness.js';
import { RpcDriver } from './rpc-driver.js';

export async function paraloomLocalnet(opts: LocalnetOptions = {}): Promise<Localnet> {
  const net = new Localnet({ port: 0, programs: [paraloomProgram()], ...opts });
  await initializeParaloom(net.chain);
  await net.start();
  return net;
}

/** Fails the first `count` calls of `method` (every method when '*') as a dead node would. */
export function faultyTransport(
  url: string,
  method: string,
  count: number,
): { transport: RpcTransport; failed: () => number } {
  const inner = createDefaultRpcTransport({ url });
  let failed = 0;
  const transport = (async (config: Parameters<RpcTransport>[0]) => {
    const m = (config.payload as { method?: string }).method;
    if ((method === '*' || m === method) && failed < count) {
      failed++;
      throw new Error(`injected failure of ${m}`);
    }
    return inner(config);
  }) as RpcTransport;
  return { transport, failed: () => failed };
}

export function bridgeRpc(url: string, transport?: RpcTransport): BridgeRpc {
  return new BridgeRpc({
    rpcUrl: url,
    timeoutMs: 5000,
    registry: new Registry(),
    ...(transport ? { transport } : {}),
  });
}

export async function driver(rpc: BridgeRpc): Promise<RpcDriver> {
  return RpcDriver.create(rpc, PARALOOM_DEV_PROGRAM_ID);
}

/** A deposit of `amount` lamports by `user`; returns the commitment the program must log. */
export async function deposit(d: RpcDriver, user: TestKey, amount: bigint): Promise<bigint> {
  const note = { amount, pkD: randomField(), blinding: randomField(), asset: NATIVE_ASSET };
  await d.sendRaw([depositInstruction(d.addresses, user.signer, { ...note, ownerPk: note.pkD })], user);
  return noteCommitment(note);
}

export async function openCursor(path: string): Promise<{ db: Database; cursor: DepositCursorStore }> {
  const db = await Database.open(path);
  return { db, cursor: await DepositCursorStore.open(db) };
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Forwards the first `count` calls of `method` to the node, then throws as if the response was lost. */
export function lostResponseTransport(
  url: string,
  method: string,
  count: number,
): { transport: RpcTransport; lost: () => number } {
  const inner = createDefaultRpcTransport({ url });
  let lost = 0;
  const transport = (async (config: Parameters<RpcTransport>[0]) => {
    const response = await inner(config);
    if ((config.payload as { method?: string }).method === method && lost < count) {
      lost++;
      throw new Error(`response of ${method} lost`);
    }
    return response;
  }) as RpcTransport;
  return { transport, lost: () => lost };
}
