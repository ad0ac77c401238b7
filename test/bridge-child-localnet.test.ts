import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AnchorSubmitter,
  anchorDigest,
  BridgeRpc,
  checkProgramVersion,
  type Deposit,
  DepositListener,
  PARALOOM_DEV_PROGRAM_ID,
  PROGRAM_VERSION,
  TransactionSender,
} from '../src/bridge/index.js';
import type { RpcDriver, TestKey } from '../src/bridge/testing/index.js';
import {
  bridgeRpc,
  deposit,
  driver,
  faultyTransport,
  openCursor,
  registerValidators,
} from '../src/bridge/testing/index.js';
import { fieldToBytesBE } from '../src/privacy/index.js';

// The same bridge code against `paraloom localnet` run as its own process, as a node would meet it.
const BIN = fileURLToPath(new URL('../bin/paraloom.js', import.meta.url));
let child: ChildProcess;
let rpcUrl: string;
let wsUrl: string;
let d: RpcDriver;
let user: TestKey;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'paraloom-bridge-child-'));
  child = spawn(
    process.execPath,
    [BIN, 'localnet', '--port', '0', '--host', '127.0.0.1', '--slot-ms', '25', '--finalized-lag', '3'],
    { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, PARALOOM_LOG_LEVEL: 'warn' } },
  );
  rpcUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /localnet RPC (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`paraloom localnet exited with ${code}: ${out}`)));
  });
  wsUrl = rpcUrl.replace('http', 'ws');
  d = await driver(bridgeRpc(rpcUrl));
  user = await d.fundedKey(50n);
}, 120_000);
afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }
  await rm(dir, { recursive: true, force: true });
});

describe('bridge against a separately started `paraloom localnet`', () => {
  const seen: Deposit[] = [];
  const listen = async (transport?: Parameters<typeof bridgeRpc>[1]) => {
    const { db, cursor } = await openCursor(join(dir, 'db'));
    const rpc = new BridgeRpc({ rpcUrl, wsUrl, timeoutMs: 5000, ...(transport ? { transport } : {}) });
    const listener = new DepositListener({
      rpc,
      programId: PARALOOM_DEV_PROGRAM_ID,
      cursor,
      pollMs: 100,
      onDeposits: async (batch) => {
        seen.push(...batch);
      },
    });
    return { db, cursor, listener };
  };

  it('the program is loaded and initialized by default; the version handshake passes', async () => {
    await expect
      .poll(
        async () =>
          (await checkProgramVersion(d.rpc, PARALOOM_DEV_PROGRAM_ID).catch(() => null))?.programVersion,
        { timeout: 10_000 },
      )
      .toBe(PROGRAM_VERSION);
  });

  it('deposits are seen once each, in order, across a listener restart and injected failures', async () => {
    const a = await listen();
    await a.listener.start();
    const commitments = [];
    for (const amount of [1n, 2n, 3n]) commitments.push(await deposit(d, user, amount * 1_000_000n));
    await expect.poll(() => seen.length, { timeout: 15_000 }).toBe(3);
    await a.listener.stop();
    await a.db.close();

    for (const amount of [4n, 5n]) commitments.push(await deposit(d, user, amount * 1_000_000n));
    const fault = faultyTransport(rpcUrl, 'getSignaturesForAddress', 3);
    const b = await listen(fault.transport);
    await b.listener.start();
    await expect.poll(() => seen.length, { timeout: 15_000 }).toBe(5);
    await b.listener.stop();
    expect(fault.failed()).toBe(3);
    expect(seen.map((s) => s.index)).toEqual([0n, 1n, 2n, 3n, 4n]);
    expect(seen.map((s) => s.commitment)).toEqual(commitments);
    expect(b.cursor.get()?.consumed).toBe(5n);

    // What the listener delivered is exactly what an anchor must cite: the program accepts it.
    const validators = await registerValidators(d, 3);
    const coordinator = await d.fundedKey(5n);
    const cursor = b.cursor.get()!;
    const fields = {
      height: 1n,
      root: new Uint8Array(32).fill(1),
      depositsConsumed: cursor.consumed,
      depositAcc: fieldToBytesBE(cursor.accumulator),
      withdrawalsRoot: new Uint8Array(32),
      blockHash: new Uint8Array(32).fill(9),
      maxExpirationSlot: 0n,
    };
    await b.db.close();
    const rpc = bridgeRpc(rpcUrl);
    const submitter = new AnchorSubmitter({
      rpc,
      sender: new TransactionSender(rpc, { feePayer: coordinator.signer, confirmTimeoutMs: 5000 }),
      programId: PARALOOM_DEV_PROGRAM_ID,
      submitter: validators[0]!.signer,
    });
    const digest = anchorDigest(PARALOOM_DEV_PROGRAM_ID, 0, fields);
    const quorum = validators
      .slice(1)
      .map((v) => ({ publicKey: v.publicKey, signature: v.sign(digest), message: digest }));
    expect((await submitter.submit(fields, quorum)).status).toBe('anchored');
    expect((await submitter.submit(fields, quorum)).status).toBe('already-anchored');
  });
});
