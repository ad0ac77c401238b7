/**
 * `paraloom wallet` as separate processes against a validator's ingress over a real ledger (RocksDB,
 * worker-pool verifier) run by this test, which makes blocks as consensus would: a sync killed with
 * SIGKILL in the middle of 40,000 outputs resumes from its last checkpoint on disk and ends with the
 * same balance, and a payment that needs three notes merges two of them first (a dry run shows the
 * plan), waits until the merge is final and pays.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PARALOOM_BIN as BIN } from '../src/devnet/index.js';
import { IngressServer, LedgerIngressBackend } from '../src/ingress/index.js';
import { LedgerApp, nextAccumulator } from '../src/ledger/index.js';
import {
  BatchVerifierPool,
  FIELD_ZERO,
  type Field,
  loadCircuitArtifacts,
  loadWasmPoseidon,
  privacyReady,
  randomField,
  VerifyingKey,
} from '../src/privacy/index.js';
import { NodeStorage } from '../src/storage/index.js';
import { IngressClient, Wallet } from '../src/wallet/index.js';

const quiet = pino({ level: 'silent' });
const SOL = 1_000_000_000n;
const cheapKdf = { scrypt: { log2N: 10, r: 8, p: 1 } };
let pool: BatchVerifierPool;
let storage: NodeStorage;
let app: LedgerApp;
let ingress: IngressServer;
let dir: string;
let depositIndex = 0n;
let accumulator: Field = FIELD_ZERO;

async function commitNext(): Promise<void> {
  const tip = app.tip;
  const proposal = await app.buildProposal(tip.height + 1n, 0, tip.hash);
  await app.commit(tip.height + 1n, proposal.bytes, new Uint8Array([1]));
}

/** Deposits of these commitments, in order, landed in as many blocks as they fill. */
async function landDeposits(commitments: readonly Field[]): Promise<void> {
  const deposits = commitments.map((commitment) => {
    accumulator = nextAccumulator(accumulator, commitment);
    return { index: depositIndex++, amount: SOL, commitment, accumulator, slot: 10n };
  });
  app.addDeposits(deposits);
  while (app.hasWork) await commitNext();
}

interface Finished {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function paraloom(args: string[]): { child: ChildProcess; done: Promise<Finished> } {
  const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<Finished>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done };
}

const walletArgs = (name: string) => ['--wallet', join(dir, name), '--ingress', ingress.url, '--json'];
const lastJson = <T>(r: Finished): T => JSON.parse(r.stdout.trim().split('\n').at(-1)!) as T;

function checkpointOnDisk(name: string): number | undefined {
  const path = join(dir, name, 'notes.json');
  if (!existsSync(path)) return undefined;
  const json = JSON.parse(readFileSync(path, 'utf8')) as { checkpoint?: { leafCount: number } };
  return json.checkpoint?.leafCount;
}

beforeAll(async () => {
  const artifacts = await loadCircuitArtifacts();
  await privacyReady();
  await loadWasmPoseidon();
  pool = new BatchVerifierPool(VerifyingKey.fromSnarkjs(artifacts.verifyingKey), { threads: 1 });
  await pool.start();
  dir = await mkdtemp(join(tmpdir(), 'paraloom-wallet-sync-'));
  storage = await NodeStorage.open(join(dir, 'db'), { logger: quiet });
  let clock = 1_700_000_000_000;
  app = await LedgerApp.open({
    storage,
    pool,
    registry: new Registry(),
    leader: new Uint8Array(32).fill(3),
    isAnchored: () => false,
    currentSlot: () => 0n,
    now: () => clock++,
    maxDepositsPerBlock: 1024,
    logger: quiet,
  });
  ingress = new IngressServer(new LedgerIngressBackend(app, storage), {
    port: 0,
    logger: quiet,
    ratePerSecond: 10_000,
    rateBurst: 10_000,
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

describe('wallet sync and payments across processes', () => {
  it('a sync killed with SIGKILL mid-way resumes from its last checkpoint and ends with the same balance', async () => {
    const carol = Wallet.create(join(dir, 'carol'), cheapKdf);
    const mine = [carol.prepareDeposit(SOL), carol.prepareDeposit(2n * SOL), carol.prepareDeposit(3n * SOL)];
    const commitments = carol.store.pendingDeposits.map((d) => d.commitment);
    expect(mine).toHaveLength(3);
    const total = 40_000;
    const at = new Map([
      [100, commitments[0]!],
      [20_000, commitments[1]!],
      [39_900, commitments[2]!],
    ]);
    await landDeposits(Array.from({ length: total }, (_, i) => at.get(i) ?? randomField()));
    const client = new IngressClient(ingress.url);
    expect((await client.status()).leafCount).toBe(total);

    const first = paraloom(['wallet', 'sync', '--checkpoint-every', '2000', ...walletArgs('carol')]);
    let killedAt: number | undefined;
    const watch = setInterval(() => {
      const leafCount = checkpointOnDisk('carol');
      if (killedAt === undefined && leafCount !== undefined && leafCount >= 2_000 && leafCount < total) {
        killedAt = leafCount;
        first.child.kill('SIGKILL');
      }
    }, 5);
    const cut = await first.done.finally(() => clearInterval(watch));
    expect(cut.signal).toBe('SIGKILL');
    const durable = checkpointOnDisk('carol')!;
    expect(durable).toBeGreaterThanOrEqual(killedAt!);
    expect(durable).toBeLessThan(total);
    expect(durable % 2_000).toBe(0);

    const resumed = await paraloom(['wallet', 'sync', ...walletArgs('carol')]).done;
    expect(resumed.code).toBe(0);
    expect(lastJson<{ scanned: number }>(resumed).scanned).toBe(total - durable);
    const balance = await paraloom(['wallet', 'balance', ...walletArgs('carol')]).done;
    expect(lastJson<{ spendable: string; depositing: string }>(balance)).toMatchObject({
      spendable: `${6n * SOL}`,
      depositing: '0',
    });
    const reopened = Wallet.open(join(dir, 'carol'));
    expect(reopened.store.checkpoint!.frontier.root).toBe((await client.status()).root);
    expect(reopened.store.checkpoint!.witnesses.size).toBe(3);
  }, 600_000);

  it('a payment that needs three notes merges two first, waits until final, and pays', async () => {
    const alice = Wallet.create(join(dir, 'alice'), cheapKdf);
    const bob = Wallet.create(join(dir, 'bob'), cheapKdf);
    for (let i = 0; i < 3; i++) alice.prepareDeposit(SOL);
    await landDeposits(alice.store.pendingDeposits.map((d) => d.commitment));
    const client = new IngressClient(ingress.url);
    expect(await alice.sync(client)).toMatchObject({ depositsLanded: 3 });

    const dry = await paraloom([
      'wallet',
      'transfer',
      '--to',
      bob.address,
      '--amount',
      '2.5',
      '--dry-run',
      ...walletArgs('alice'),
    ]).done;
    expect(dry.code).toBe(0);
    const plan = lastJson<{ merges: Array<{ inputs: unknown[]; amount: string }>; payWith: unknown[] }>(dry);
    expect(plan.merges).toHaveLength(1);
    expect(plan.merges[0]!.amount).toBe(`${2n * SOL}`);
    expect(plan.payWith).toHaveLength(2);
    expect(Wallet.open(join(dir, 'alice')).store.pendingTransactions).toHaveLength(0);

    // The CLI proves and sends the merge, waits for it to be final, then proves and sends the payment;
    // meanwhile this process makes a block whenever something is waiting.
    const pay = paraloom([
      'wallet',
      'transfer',
      '--to',
      bob.address,
      '--amount',
      '2.5',
      ...walletArgs('alice'),
    ]);
    let running = true;
    const blocks = (async () => {
      while (running) {
        if (app.hasWork) await commitNext();
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const paid = await pay.done.finally(() => {
      running = false;
    });
    await blocks;
    expect(paid.code, paid.stderr).toBe(0);
    expect(lastJson<{ merged: number; status: string }>(paid)).toMatchObject({
      merged: 1,
      status: 'submitted',
    });
    while (app.hasWork) await commitNext();

    expect(await bob.sync(client)).toMatchObject({ received: 1 });
    expect(bob.balance().spendable).toBe((25n * SOL) / 10n);
    const after = Wallet.open(join(dir, 'alice'));
    await after.sync(client);
    expect(after.balance()).toEqual({ spendable: SOL / 2n, pending: 0n, depositing: 0n });
    expect(
      after.store.history.map((h) => h.kind).filter((k) => k !== 'received' && k !== 'deposited'),
    ).toEqual(['merged', 'sent']);
  }, 900_000);

  it('a payment killed between its merges continues, when run again, from what is final', async () => {
    const dave = Wallet.create(join(dir, 'dave'), cheapKdf);
    const erin = Wallet.create(join(dir, 'erin'), cheapKdf);
    for (let i = 0; i < 5; i++) dave.prepareDeposit(SOL);
    await landDeposits(dave.store.pendingDeposits.map((d) => d.commitment));
    const client = new IngressClient(ingress.url);
    expect(await dave.sync(client)).toMatchObject({ depositsLanded: 5 });
    // Five notes for 4.5 SOL: three merges (two in the first round, one in the second), then the payment.
    expect(dave.planPayment((45n * SOL) / 10n)).toMatchObject({ rounds: 2 });

    let running = true;
    const blocks = (async () => {
      while (running) {
        if (app.hasWork) await commitNext();
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    try {
      const args = ['wallet', 'transfer', '--to', erin.address, '--amount', '4.5', ...walletArgs('dave')];
      const first = paraloom(args);
      // Killed as soon as its first merge is sent (and saved): the second is being proven.
      const watch = setInterval(() => {
        const json = JSON.parse(readFileSync(join(dir, 'dave', 'notes.json'), 'utf8')) as {
          pendingTransactions?: Array<{ kind: string }>;
        };
        if (json.pendingTransactions?.some((t) => t.kind === 'merged')) first.child.kill('SIGKILL');
      }, 20);
      const cut = await first.done.finally(() => clearInterval(watch));
      expect(cut.signal).toBe('SIGKILL');
      const again = await paraloom(args).done;
      expect(again.code, again.stderr).toBe(0);
      // The merge sent before the kill is kept (waited for until final); two more finish the plan.
      expect(lastJson<{ merged: number }>(again)).toMatchObject({ merged: 2 });
    } finally {
      running = false;
      await blocks;
    }
    while (app.hasWork) await commitNext();
    await erin.sync(client);
    expect(erin.balance().spendable).toBe((45n * SOL) / 10n);
    const after = Wallet.open(join(dir, 'dave'));
    await after.sync(client);
    expect(after.balance()).toEqual({ spendable: SOL / 2n, pending: 0n, depositing: 0n });
    expect(after.store.history.filter((h) => h.kind === 'merged')).toHaveLength(3);
  }, 900_000);
});
