import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngressServer, LedgerIngressBackend } from '../src/ingress/index.js';
import { encodeTransaction, LedgerApp, nextAccumulator } from '../src/ledger/index.js';
import {
  BatchVerifierPool,
  type CircuitArtifacts,
  FIELD_ZERO,
  loadCircuitArtifacts,
  privacyReady,
  shutdownProver,
  type TransactProof,
  VerifyingKey,
} from '../src/privacy/index.js';
import { NodeStorage } from '../src/storage/index.js';
import { IngressClient, Wallet } from '../src/wallet/index.js';

// A wallet against a validator's ingress over a real ledger (RocksDB, worker-pool verifier). Blocks
// are produced here by calling the ledger as consensus would (consensus has its own tests).

const quiet = pino({ level: 'silent' });
const SOL = 1_000_000_000n;
let artifacts: CircuitArtifacts;
let pool: BatchVerifierPool;
let storage: NodeStorage;
let app: LedgerApp;
let ingress: IngressServer;
let dir: string;
const encode = (p: TransactProof) => encodeTransaction({ proof: p.proof.toWire(), statement: p.statement });

async function commitNext(): Promise<void> {
  const tip = app.tip;
  const proposal = await app.buildProposal(tip.height + 1n, 0, tip.hash);
  await app.commit(tip.height + 1n, proposal.bytes, new Uint8Array([1]));
}

beforeAll(async () => {
  artifacts = await loadCircuitArtifacts();
  await privacyReady();
  pool = new BatchVerifierPool(VerifyingKey.fromSnarkjs(artifacts.verifyingKey), {
    threads: 2,
  });
  await pool.start();
  dir = await mkdtemp(join(tmpdir(), 'paraloom-wallet-e2e-'));
  storage = await NodeStorage.open(join(dir, 'db'), { logger: quiet });
  let clock = 1_700_000_000_000;
  app = await LedgerApp.open({
    storage,
    pool,
    registry: new Registry(),
    leader: new Uint8Array(32).fill(2),
    isAnchored: () => false,
    currentSlot: () => 0n,
    now: () => clock++,
    logger: quiet,
  });
  ingress = new IngressServer(new LedgerIngressBackend(app, storage), { port: 0, logger: quiet });
  await ingress.start();
}, 600_000);

afterAll(async () => {
  await shutdownProver();
  await ingress?.stop();
  await app?.close();
  await storage?.close();
  await pool?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('wallet over the ingress', () => {
  it('deposits land, a private transfer is admitted and becomes final, both wallets reconcile', async () => {
    const alice = Wallet.create(join(dir, 'alice'));
    const bob = Wallet.create(join(dir, 'bob'));
    const client = new IngressClient(ingress.url);

    // What the deposit listener would deliver for two on-chain deposits of Alice's notes.
    const notes = [alice.prepareDeposit(2n * SOL), alice.prepareDeposit(SOL)];
    expect(alice.balance()).toEqual({ spendable: 0n, pending: 0n, depositing: 3n * SOL });
    let acc = FIELD_ZERO;
    const deposits = notes.map((n, i) => {
      const commitment = alice.store.pendingDeposits[i]!.commitment;
      acc = nextAccumulator(acc, commitment);
      return { index: BigInt(i), amount: n.amount, commitment, accumulator: acc, slot: 10n };
    });
    app.addDeposits(deposits);
    await commitNext();

    expect(await alice.sync(client)).toMatchObject({ depositsLanded: 2 });
    expect(alice.balance()).toEqual({ spendable: 3n * SOL, pending: 0n, depositing: 0n });

    const id = await alice.transfer(client, {
      to: bob.address,
      amount: (12n * SOL) / 10n,
      artifacts,
      encode,
    });
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    // Coin selection took the smallest sufficient note (2 SOL); the 1 SOL note stays spendable.
    expect(alice.balance()).toMatchObject({ spendable: SOL, pending: 2n * SOL });
    expect((await client.status()).mempool).toBe(1);
    // A note being spent is not offered again while its spend is pending (1 SOL left, 1.5 asked).
    await expect(
      alice.transfer(client, { to: bob.address, amount: (15n * SOL) / 10n, artifacts, encode }),
    ).rejects.toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
    });

    await commitNext();
    expect(await bob.sync(client)).toMatchObject({ received: 1 });
    expect(bob.balance().spendable).toBe((12n * SOL) / 10n);
    expect(await alice.sync(client)).toMatchObject({ received: 1, finalized: 1 });
    expect(alice.balance()).toEqual({ spendable: (18n * SOL) / 10n, pending: 0n, depositing: 0n });
    // Her two deposits, then the transfer; its change is part of the transfer, not a payment received.
    expect(alice.store.history.map((h) => h.kind)).toEqual(['deposited', 'deposited', 'sent']);

    // Reopened from disk, the wallets know the same.
    expect(Wallet.open(join(dir, 'bob')).balance().spendable).toBe((12n * SOL) / 10n);
    expect(Wallet.open(join(dir, 'alice')).store.all.filter((n) => n.status === 'spent').length).toBe(1);
  });

  it('reports an unreachable validator clearly', async () => {
    const client = new IngressClient('http://127.0.0.1:1', 2000);
    await expect(client.status()).rejects.toMatchObject({ code: 'INGRESS_UNAVAILABLE' });
  });
});
