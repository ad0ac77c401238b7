import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Localnet } from '../../localnet/index.js';
import { hash2, noteCommitment } from '../../privacy/index.js';
import {
  BridgeError,
  checkProgramVersion,
  type Deposit,
  DepositListener,
  decodeBridgeState,
  depositOpenings,
  PARALOOM_DEV_PROGRAM_ID,
} from '../index.js';
import type { RpcDriver, TestKey } from '../testing/index.js';
import {
  bridgeRpc,
  deposit,
  driver,
  faultyTransport,
  openCursor,
  paraloomLocalnet,
} from '../testing/index.js';

// Slots move only when the test ticks, so "not yet finalized" is exact, not a race.
const FINALIZED_LAG = 3;
let net: Localnet;
let d: RpcDriver;
let user: TestKey;
let dir: string;
const ticks = (n: number) => {
  for (let i = 0; i < n; i++) net.tick();
};

beforeAll(async () => {
  net = await paraloomLocalnet({ slotMs: 3_600_000, confirmedLag: 1, finalizedLag: FINALIZED_LAG });
  ticks(FINALIZED_LAG);
  d = await driver(bridgeRpc(net.rpcUrl));
  user = await d.fundedKey(50n);
  dir = await mkdtemp(join(tmpdir(), 'paraloom-bridge-listener-'));
});
afterAll(async () => {
  await net.stop();
  await rm(dir, { recursive: true, force: true });
});

function listenerFor(
  url: string,
  cursor: Awaited<ReturnType<typeof openCursor>>['cursor'],
  seen: Deposit[],
  opts: { pageSize?: number; transport?: Parameters<typeof bridgeRpc>[1] } = {},
) {
  const rpc = bridgeRpc(url, opts.transport);
  const listener = new DepositListener({
    rpc,
    programId: PARALOOM_DEV_PROGRAM_ID,
    cursor,
    pollMs: 20,
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
    onDeposits: async (batch) => {
      seen.push(...batch);
    },
  });
  return { rpc, listener };
}

describe('deposit listener against the in-process localnet', () => {
  const seen: Deposit[] = [];
  const commitments: bigint[] = [];

  it('credits a deposit only once it is finalized, then in queue order', async () => {
    const { db, cursor } = await openCursor(join(dir, 'db'));
    const { listener } = listenerFor(net.rpcUrl, cursor, seen);
    commitments.push(await deposit(d, user, 1_000_000n));
    expect(await listener.pollOnce()).toBe(0); // processed only
    ticks(1);
    expect(await listener.pollOnce()).toBe(0); // confirmed, still not final
    ticks(FINALIZED_LAG - 1);
    expect(await listener.pollOnce()).toBe(1);
    commitments.push(await deposit(d, user, 2_000_000n));
    commitments.push(await deposit(d, user, 3_000_000n));
    ticks(FINALIZED_LAG);
    expect(await listener.pollOnce()).toBe(2);
    expect(await listener.pollOnce()).toBe(0);
    expect(seen.map((s) => s.index)).toEqual([0n, 1n, 2n]);
    expect(seen.map((s) => s.commitment)).toEqual(commitments);
    expect(seen.map((s) => s.amount)).toEqual([1_000_000n, 2_000_000n, 3_000_000n]);
    const acc = seen.reduce((a, s) => hash2(a, s.commitment), 0n as ReturnType<typeof hash2>);
    expect(cursor.get()).toMatchObject({ consumed: 3n, accumulator: acc });
    // The chain agrees: acc_3 in the program's ring is what the cursor holds.
    const state = decodeBridgeState((await d.rpc.accountData(d.addresses.bridgeState, 'finalized'))!.data);
    expect(state.depositCount).toBe(3n);
    await db.close();
  });

  it('survives a restart without duplicating or skipping, paging one signature at a time', async () => {
    commitments.push(await deposit(d, user, 4_000_000n));
    commitments.push(await deposit(d, user, 5_000_000n));
    ticks(FINALIZED_LAG);
    const { db, cursor } = await openCursor(join(dir, 'db'));
    expect(cursor.get()?.consumed).toBe(3n);
    const { listener } = listenerFor(net.rpcUrl, cursor, seen, { pageSize: 1 });
    await listener.start();
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(5);
    await listener.stop();
    expect(seen.map((s) => s.index)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(seen.map((s) => s.commitment)).toEqual(commitments);
    expect(cursor.get()?.consumed).toBe(5n);
    await db.close();
  });

  it('an injected RPC failure does not move the cursor; the next pass delivers', async () => {
    commitments.push(await deposit(d, user, 6_000_000n));
    ticks(FINALIZED_LAG);
    const { db, cursor } = await openCursor(join(dir, 'db'));
    const fault = faultyTransport(net.rpcUrl, 'getTransaction', 2);
    const { listener, rpc } = listenerFor(net.rpcUrl, cursor, seen, { transport: fault.transport });
    const before = cursor.get();
    await expect(listener.pollOnce()).rejects.toMatchObject({ code: 'RPC_UNAVAILABLE' });
    expect(cursor.get()).toEqual(before);
    // The running loop logs, counts and retries on its own.
    await listener.start();
    await expect.poll(() => seen.length, { timeout: 10_000 }).toBe(6);
    await listener.stop();
    expect(fault.failed()).toBe(2);
    expect(cursor.get()?.consumed).toBe(6n);
    const failures = await rpc.metrics.rpcFailures.get();
    expect(failures.values.find((v) => v.labels.method === 'getTransaction')?.value).toBe(2);
    const passFailures = await rpc.metrics.depositPollFailures.get();
    expect(passFailures.values.reduce((n, v) => n + v.value, 0)).toBeGreaterThanOrEqual(1);
    await db.close();
  });

  it('a handler that throws gets the same deposits again; the cursor waits for it', async () => {
    commitments.push(await deposit(d, user, 7_000_000n));
    ticks(FINALIZED_LAG);
    const { db, cursor } = await openCursor(join(dir, 'db'));
    let calls = 0;
    const rpc = bridgeRpc(net.rpcUrl);
    const listener = new DepositListener({
      rpc,
      programId: PARALOOM_DEV_PROGRAM_ID,
      cursor,
      onDeposits: async (batch) => {
        if (calls++ === 0) throw new Error('L2 not ready');
        seen.push(...batch);
      },
    });
    await expect(listener.pollOnce()).rejects.toThrow('L2 not ready');
    expect(cursor.get()?.consumed).toBe(6n);
    expect(await listener.pollOnce()).toBe(1);
    expect(seen.map((s) => s.index)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n]);
    await db.close();
  });

  it('gives a restoring wallet every deposit opening at confirmed, oldest first, matching its commitment', async () => {
    commitments.push(await deposit(d, user, 8_000_000n));
    const rpc = bridgeRpc(net.rpcUrl);
    // Processed only: not yet seen (a restore reads what the cluster confirmed).
    expect((await depositOpenings(rpc, PARALOOM_DEV_PROGRAM_ID)).map((o) => o.commitment)).toEqual(
      commitments.slice(0, -1),
    );
    ticks(1);
    const openings = await depositOpenings(rpc, PARALOOM_DEV_PROGRAM_ID, { pageSize: 2 });
    expect(openings.map((o) => o.commitment)).toEqual(commitments);
    expect(openings.map((o) => o.amount)).toEqual(commitments.map((_, i) => BigInt(i + 1) * 1_000_000n));
    for (const o of openings) {
      expect(noteCommitment({ amount: o.amount, pkD: o.ownerPk, blinding: o.blinding, asset: o.asset })).toBe(
        o.commitment,
      );
    }
  });

  it('refuses to start against another program version, saying which', async () => {
    const rpc = bridgeRpc(net.rpcUrl);
    const err = await checkProgramVersion(rpc, PARALOOM_DEV_PROGRAM_ID, { expected: 3 }).catch((e) => e);
    expect(err).toBeInstanceOf(BridgeError);
    expect(err.code).toBe('PROGRAM_VERSION_MISMATCH');
    expect(err.message).toMatch(/program_version 2, but this node speaks version 3/);

    // A deployment whose state says version 3: the listener stops at start, before reading anything.
    const account = net.chain.account(d.addresses.bridgeState, 'processed')!;
    const data = new Uint8Array(account.data);
    data[8] = 3;
    net.chain.setAccount(d.addresses.bridgeState, { ...account, data });
    ticks(FINALIZED_LAG);
    const { db, cursor } = await openCursor(join(dir, 'db'));
    const listener = new DepositListener({
      rpc,
      programId: PARALOOM_DEV_PROGRAM_ID,
      cursor,
      onDeposits: async () => {},
    });
    await expect(listener.start()).rejects.toMatchObject({ code: 'PROGRAM_VERSION_MISMATCH' });
    await db.close();
  });
});
