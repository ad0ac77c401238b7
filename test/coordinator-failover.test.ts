/**
 * Coordinator high availability with real processes: four validators, three of them candidates. The
 * primary is killed with SIGKILL while withdrawals wait for their approving anchor: a passive takes
 * over, anchors resume and every withdrawal is paid exactly once by the relayer it names. A primary paused with SIGSTOP (cut
 * off from everyone) steps down when its lease runs out and, resumed, acts no more. Two nodes forced
 * to act at once (one elected, one configured) are fenced by the program: anchor heights only grow
 * and no withdrawal is paid twice.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { address, generateKeyPairSigner, getAddressEncoder, type KeyPairSigner } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BridgeRpc,
  decodeBridgeState,
  depositInstruction,
  deriveProgramAddresses,
  PARALOOM_DEV_PROGRAM_ID,
  type ProgramAddresses,
  TransactionSender,
} from '../src/bridge/index.js';
import { createLogger } from '../src/common/index.js';
import { Devnet, type DevnetValidator } from '../src/devnet/index.js';
import { encodeTransaction } from '../src/ledger/index.js';
import {
  type CircuitArtifacts,
  generateWalletKeys,
  loadCircuitArtifacts,
  MemoryTreeStorage,
  MerkleTree,
  NATIVE_ASSET,
  proveTransact,
  shutdownProver,
} from '../src/privacy/index.js';
import { buildWithdraw, IngressClient, Wallet } from '../src/wallet/index.js';
import { until } from './helpers/paraloom-child.js';

const SOL = 1_000_000_000n;
const logger = createLogger('test', 'silent');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const logTimes = (v: DevnetValidator, msg: string) =>
  (v.node?.logs ?? []).filter((l) => l.msg === msg).map((l) => Number(l.time));

/** Log lines `msg` written at or after `since` whose transaction landed at or after `slot`. */
const landedAfter = (v: DevnetValidator, msg: string, since: number, slot: bigint) =>
  (v.node?.logs ?? []).filter(
    (l) =>
      l.msg === msg && Number(l.time) >= since && (l.slot === undefined || BigInt(String(l.slot)) >= slot),
  );

describe('coordinator failover (multi-process)', () => {
  let dir: string;
  let devnet: Devnet;
  let rpc: BridgeRpc;
  let p: ProgramAddresses;
  let artifacts: CircuitArtifacts;
  let payer: KeyPairSigner;

  async function floorOf(client: IngressClient, relayer: string): Promise<bigint> {
    const quoted = (await client.relayers()).relayers.find((r) => r.address === relayer);
    const floor = quoted?.fees.find((f) => f.asset === NATIVE_ASSET)?.floor;
    if (floor === undefined) throw new Error(`${relayer} quotes no SOL floor`);
    return floor;
  }

  /** A proven withdrawal of 0.1 SOL to a fresh address naming `relayer`, submitted and final. */
  async function finalWithdrawal(via: DevnetValidator, relayer: string) {
    const client = new IngressClient(via.ingress!);
    const w = Wallet.inMemory(generateWalletKeys());
    const note = w.prepareDeposit(SOL / 2n);
    await new TransactionSender(rpc, { feePayer: payer, commitment: 'confirmed', logger }).send(
      [
        depositInstruction(p, payer, {
          amount: SOL / 2n,
          ownerPk: note.pkD,
          blinding: note.blinding,
          asset: note.asset,
        }),
      ],
      'deposit',
    );
    await until('the deposit in a block', async () =>
      (await w.sync(client)).depositsLanded > 0 ? true : undefined,
    );
    const leaf = w.store.unspent(NATIVE_ASSET)[0]!.leafIndex;
    const anchor = await until('an anchor over the note', async () =>
      (await client.anchors()).filter((a) => (a.leafCount ?? 0) > leaf).at(-1),
    );
    const tree = await MerkleTree.open(new MemoryTreeStorage());
    await tree.appendBatch(
      (await client.outputsSince(0)).slice(0, anchor.leafCount!).map((o) => o.commitment),
    );
    const recipient = (await generateKeyPairSigner()).address;
    const enc = getAddressEncoder();
    const built = await buildWithdraw(w.keys, w.store, {
      recipient: Uint8Array.from(enc.encode(recipient)),
      relayer: Uint8Array.from(enc.encode(address(relayer))),
      amount: SOL / 10n,
      // The L2 admits a withdrawal only at or above its relayer's on-chain floor.
      fee: await floorOf(client, relayer),
      expirationSlot: (await client.status()).solanaSlot! + 5_000n,
      root: anchor.root,
      pathOf: (i) => tree.path(i),
      leavesBelow: anchor.leafCount!,
    });
    const proof = await proveTransact(built.request, artifacts);
    await client.submit(encodeTransaction({ proof: proof.proof.toWire(), statement: proof.statement }));
    await until(
      'the withdrawal final',
      async () => (await client.withdrawal(proof.statement.nullifiers[0])) ?? undefined,
    );
    return { recipient, nullifier0: proof.statement.nullifiers[0] };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paraloom-failover-'));
    // Anchors only every 5 s, so withdrawals wait for their approval long enough to be "in flight".
    devnet = new Devnet({
      dir,
      validators: 4,
      slotMs: 200,
      env: () => ({
        PARALOOM_COORDINATOR_ANCHOR_EVERY_MS: '5000',
        PARALOOM_COORDINATOR_ANCHOR_EVERY_BLOCKS: '100000',
        PARALOOM_COORDINATOR_WITHDRAWAL_ANCHOR_MS: '5000',
      }),
    });
    await devnet.start();
    await devnet.waitHeight(2n, 120_000);
    rpc = new BridgeRpc({ rpcUrl: devnet.rpcUrl, logger });
    p = await deriveProgramAddresses(address(PARALOOM_DEV_PROGRAM_ID));
    artifacts = await loadCircuitArtifacts();
    payer = await generateKeyPairSigner();
    await rpc.airdrop(payer.address, 20n * SOL);
  }, 300_000);

  afterAll(async () => {
    await shutdownProver();
    for (const v of devnet?.validators ?? []) if (v.node) v.node.child.kill('SIGCONT');
    await devnet?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('kill -9 of the primary with withdrawals in flight: a passive takes over and pays each exactly once', async () => {
    const first = await until('a primary', () => devnet.primary());
    const via = devnet.validators.find((v) => v !== first)!;
    // Both name a validator that stays up: each relayer settles what names it, whoever anchors
    // (a withdrawal naming the dead primary would wait for it, or expire into a refund).
    const inFlight = [await finalWithdrawal(via, via.address), await finalWithdrawal(via, via.address)];
    const client = new IngressClient(via.ingress!);
    const states = await Promise.all(
      inFlight.map(async (w) => (await client.withdrawal(w.nullifier0))!.state),
    );
    const killedAt = Date.now();
    await devnet.stopValidator(first.index, 'SIGKILL');
    const second = await until('a new primary', async () => {
      const v = await devnet.primary();
      return v && v !== first ? v : undefined;
    });
    const firstAnchor = await until(
      "the new primary's first anchor",
      async () => logTimes(second, 'anchored').find((t) => t > killedAt),
      30_000,
    );
    for (const w of inFlight) {
      await until('settlement', async () =>
        (await client.withdrawal(w.nullifier0))?.state === 'settled' ? true : undefined,
      );
      expect(await rpc.balance(w.recipient)).toBe(SOL / 10n);
    }
    expect(firstAnchor - killedAt).toBeLessThan(15_000);
    expect(states.every((s) => s === 'final' || s === 'approved' || s === 'settled')).toBe(true);
    await devnet.startValidator(first.index);
  }, 300_000);

  it('a primary cut off (SIGSTOP) steps down when its lease expires; resumed, it does not act', async () => {
    const primary = await until('a primary', () => devnet.primary());
    primary.node!.child.kill('SIGSTOP');
    const stoppedAt = Date.now();
    const next = await until(
      'another primary',
      async () => {
        const v = await devnet.primary();
        return v && v !== primary ? v : undefined;
      },
      30_000,
    );
    const before = decodeBridgeState((await rpc.accountData(p.bridgeState, 'confirmed'))!.data).lastHeight;
    await until('anchors by the new primary', async () =>
      logTimes(next, 'anchored').some((t) => t > stoppedAt) ? true : undefined,
    );
    // A transaction sent just before the pause can confirm (and be logged) after it: what must not
    // happen is a transaction that lands after the resume, so log lines are judged by their slot.
    const resumedAt = Date.now();
    const resumeSlot = await rpc.slot('processed');
    primary.node!.child.kill('SIGCONT');
    await until('the old primary to see it lost the lease', async () =>
      primary.node!.logs.some(
        (l) => l.msg === 'coordinator role' && Number(l.time) >= stoppedAt && l.role === 'passive',
      )
        ? true
        : undefined,
    );
    await sleep(6_000);
    expect(landedAfter(primary, 'anchored', resumedAt, resumeSlot)).toEqual([]);
    expect(landedAfter(primary, 'withdrawal relayed', resumedAt, resumeSlot)).toEqual([]);
    const after = decodeBridgeState((await rpc.accountData(p.bridgeState, 'confirmed'))!.data).lastHeight;
    expect(after).toBeGreaterThan(before);
    expect(await devnet.primary()).toBe(next);
  }, 180_000);

  it('two nodes acting at once cannot fork anchors or pay a withdrawal twice', async () => {
    const elected = await until('a primary', () => devnet.primary());
    const forced = devnet.validators.find((v) => !v.coordinator)!;
    await devnet.stopValidator(forced.index);
    await devnet.startValidator(forced.index, { PARALOOM_COORDINATOR_ENABLED: 'true' });
    const via = devnet.validators.find((v) => v !== elected && v !== forced)!;
    const w = await finalWithdrawal(via, forced.address);
    const client = new IngressClient(via.ingress!);
    await until('settlement', async () =>
      (await client.withdrawal(w.nullifier0))?.state === 'settled' ? true : undefined,
    );
    await sleep(8_000);
    expect(await rpc.balance(w.recipient)).toBe(SOL / 10n);
    const anchors = decodeBridgeState((await rpc.accountData(p.bridgeState, 'confirmed'))!.data).anchors;
    for (let i = 1; i < anchors.length; i++)
      expect(anchors[i]!.height).toBeGreaterThan(anchors[i - 1]!.height);
    // Both acted: each anchored at least once since the forced start.
    expect(logTimes(forced, 'anchored').length).toBeGreaterThan(0);
    expect(logTimes(elected, 'anchored').length).toBeGreaterThan(0);
  }, 240_000);
});
