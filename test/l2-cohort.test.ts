/**
 * The L2 end to end, as operators and users run it, on the cohort the multi-process tests share
 * (test/helpers/shared-cohort.ts: `paraloom localnet` and four `paraloom node` validator processes,
 * three of them coordinator candidates, one elected). Deposits land in queue order and roots are
 * anchored on Solana; a withdrawal from the command line; every attack of issue 9 fails with a clear
 * error and no loss; a double spend sent to two validators at once lands once. Other files act on the
 * same cohort meanwhile: every check is about this file's own notes, accounts and transactions.
 * The demo, a killed validator and an equivocator need a devnet of their own: test/l2-faults.test.ts.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  address,
  generateKeyPairSigner,
  getAddressEncoder,
  type KeyPairSigner,
  type Signature,
} from '@solana/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BridgeError,
  BridgeRpc,
  decodeBridgeState,
  depositInstruction,
  deriveProgramAddresses,
  PARALOOM_DEV_PROGRAM_ID,
  type ProgramAddresses,
  TransactionSender,
  type WithdrawArgs,
  withdrawInstruction,
} from '../src/bridge/index.js';
import { createLogger } from '../src/common/index.js';
import { runParaloom, runParaloomOk } from '../src/devnet/index.js';
import { encodeTransaction } from '../src/ledger/index.js';
import {
  type CircuitArtifacts,
  computeOutputsDigest,
  FIELD_MODULUS,
  type Field,
  generateWalletKeys,
  loadCircuitArtifacts,
  MemoryTreeStorage,
  MerkleTree,
  NATIVE_ASSET,
  proveTransact,
  randomField,
  shutdownProver,
  type TransactProof,
} from '../src/privacy/index.js';
import { generateKeypair, writeKeypairFile } from '../src/validator/index.js';
import { buildTransfer, buildWithdraw, IngressClient, Wallet, WalletError } from '../src/wallet/index.js';
import { until } from './helpers/paraloom-child.js';
import { NON_RELAYER, type SharedCohort, sharedCohort } from './helpers/shared-cohort.js';

const SOL = 1_000_000_000n;
const logger = createLogger('test', 'silent');

const encode = (p: TransactProof) => encodeTransaction({ proof: p.proof.toWire(), statement: p.statement });

/** The ingress' rejection code of a submission, or 'admitted'. */
async function submitOutcome(client: IngressClient, tx: Uint8Array): Promise<string> {
  try {
    await client.submit(tx);
    return 'admitted';
  } catch (e) {
    if (e instanceof WalletError) return String(e.code === 'INGRESS_REJECTED' ? e.context.reason : undefined);
    throw e;
  }
}

/** Lamports each account gained (or lost) in one confirmed transaction, from its meta. */
async function balanceChanges(rpcUrl: string, signature: Signature): Promise<Map<string, bigint>> {
  const res = await fetch(rpcUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'getTransaction',
      params: [signature, { encoding: 'json', commitment: 'confirmed', maxSupportedTransactionVersion: 0 }],
    }),
  });
  const { result } = (await res.json()) as {
    result: {
      transaction: { message: { accountKeys: string[] } };
      meta: { preBalances: (number | string)[]; postBalances: (number | string)[] };
    } | null;
  };
  if (!result) throw new Error(`transaction ${signature} not found`);
  const { accountKeys } = result.transaction.message;
  const { preBalances, postBalances } = result.meta;
  return new Map(accountKeys.map((k, i) => [k, BigInt(postBalances[i]!) - BigInt(preBalances[i]!)]));
}

describe('four validators, one coordinator (multi-process, end to end)', () => {
  let dir: string;
  let cohort: SharedCohort;
  let rpc: BridgeRpc;
  let p: ProgramAddresses;
  let artifacts: CircuitArtifacts;
  let payer: KeyPairSigner;
  const ingress = (i: number) => new IngressClient(cohort.validators[i]!.ingress);

  /** A wallet holding exactly one deposited note of `amount`. */
  async function fundedWallet(amount: bigint): Promise<Wallet> {
    const w = Wallet.inMemory(generateWalletKeys());
    const note = w.prepareDeposit(amount);
    await new TransactionSender(rpc, { feePayer: payer, commitment: 'confirmed', logger }).send(
      [
        depositInstruction(p, payer, {
          amount,
          ownerPk: note.pkD,
          blinding: note.blinding,
          asset: note.asset,
        }),
      ],
      'deposit',
    );
    await until('the deposit in an L2 block', async () =>
      (await w.sync(ingress(0))).depositsLanded > 0 ? true : undefined,
    );
    return w;
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paraloom-l2-cohort-'));
    cohort = await sharedCohort();
    rpc = new BridgeRpc({ rpcUrl: cohort.rpcUrl, logger });
    p = await deriveProgramAddresses(address(PARALOOM_DEV_PROGRAM_ID));
    artifacts = await loadCircuitArtifacts();
    payer = await generateKeyPairSigner();
    await rpc.airdrop(payer.address, 40n * SOL);
  }, 300_000);

  afterAll(async () => {
    await shutdownProver();
    // The cohort is the run's: its global teardown stops it and keeps the validators' logs
    // (test-artifacts/shared-cohort/).
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('puts deposits into L2 blocks in queue order and anchors roots on Solana', async () => {
    const wallets = [];
    const sender = new TransactionSender(rpc, { feePayer: payer, commitment: 'confirmed', logger });
    const before = decodeBridgeState((await rpc.accountData(p.bridgeState, 'confirmed'))!.data).depositCount;
    const commitments: Field[] = [];
    for (const amount of [SOL / 10n, SOL / 5n, (3n * SOL) / 10n]) {
      const w = Wallet.inMemory(generateWalletKeys());
      const note = w.prepareDeposit(amount);
      commitments.push(w.store.pendingDeposits[0]!.commitment);
      await sender.send(
        [
          depositInstruction(p, payer, {
            amount,
            ownerPk: note.pkD,
            blinding: note.blinding,
            asset: note.asset,
          }),
        ],
        'deposit',
      );
      wallets.push(w);
    }
    const outputs = await until('three deposits in L2 blocks', async () => {
      const all = await ingress(2).outputsSince(0);
      const found = commitments.map((c) => all.find((o) => o.commitment === c));
      return found.every(Boolean) ? found.map((o) => o!.leafIndex) : undefined;
    });
    expect(outputs).toEqual([...outputs].sort((a, b) => a - b));
    const state = await until('an anchor covering them', async () => {
      const s = decodeBridgeState((await rpc.accountData(p.bridgeState, 'confirmed'))!.data);
      return s.depositsConsumed >= before + 3n ? s : undefined;
    });
    expect(state.lastHeight).toBeGreaterThan(0n);
    // Every validator agrees with what is anchored: its block at that height has that root (once it
    // has applied that height: under load validator 3 may still be a block behind the anchor).
    const last = await until('validator 3 holds the anchored block', async () => {
      const a = (await ingress(3).anchors()).find((x) => x.height === state.lastHeight);
      return a?.leafCount === undefined ? undefined : a;
    });
    expect(last.height).toBe(state.lastHeight);
    expect(last.leafCount).toBeDefined();
  }, 120_000);

  it('withdraws from the command line: wallet new, deposit, withdraw (waits until settled), balance', async () => {
    const wallet = join(dir, 'cli-wallet');
    const ingressUrl = cohort.validators[2]!.ingress;
    await runParaloomOk(['wallet', 'new', '--wallet', wallet, '--json']);
    const payerFile = join(dir, 'cli-payer.json');
    const kp = generateKeypair();
    await writeKeypairFile(payerFile, kp);
    await rpc.airdrop(kp.address, 2n * SOL);
    const common = ['--wallet', wallet, '--ingress', ingressUrl, '--json'];
    await runParaloomOk([
      'wallet',
      'deposit',
      '--amount',
      '0.5',
      '--payer',
      payerFile,
      '--rpc',
      cohort.rpcUrl,
      ...common,
    ]);
    await until(
      'the deposit spendable',
      async () => {
        const b = await runParaloomOk(['wallet', 'balance', ...common]);
        return (JSON.parse(b.stdout.at(-1)!) as { spendable: string }).spendable === '500000000'
          ? true
          : undefined;
      },
      90_000,
    );
    const recipient = (await generateKeyPairSigner()).address;
    const out = await runParaloomOk(['wallet', 'withdraw', '--to', recipient, '--amount', '0.2', ...common]);
    const result = JSON.parse(out.stdout.at(-1)!) as { state: string; fee: string; height: string };
    expect(result.state).toBe('settled');
    expect(await rpc.balance(recipient)).toBe(SOL / 5n);
    const b = JSON.parse((await runParaloomOk(['wallet', 'balance', ...common])).stdout.at(-1)!) as {
      spendable: string;
    };
    expect(BigInt(b.spendable)).toBe(SOL / 2n - SOL / 5n - BigInt(result.fee));
    // A bad recipient is refused with a clear message before anything is proven or sent.
    const bad = runParaloom(['wallet', 'withdraw', '--to', 'not-an-address', '--amount', '0.1', ...common]);
    expect(await bad.exited).toBe(1);
    expect(bad.stderr.join('\n')).toMatch(/ADDRESS_INVALID/);
  }, 240_000);

  it('lands a double spend sent to two validators at once exactly once', async () => {
    const w = await fundedWallet(SOL);
    const friend = Wallet.inMemory(generateWalletKeys());
    // The wallet synced from validator 0; validator 1, asked for the path, may be a block behind.
    const synced = (await ingress(0).status()).leafCount;
    await until('validator 1 holds the note', async () =>
      (await ingress(1).status()).leafCount >= synced ? true : undefined,
    );
    // Root and path from one answer: another file's deposit may land between two requests.
    const leaf = w.store.unspent(NATIVE_ASSET)[0]!.leafIndex;
    const { root, path } = await ingress(1).path(leaf);
    const pathOf = async (i: number) => (i === leaf ? path : (await ingress(1).path(i)).path);
    const a = await buildTransfer(w.keys, w.store, {
      to: friend.keys.address,
      amount: SOL / 2n,
      root,
      pathOf,
    });
    const b = await buildTransfer(w.keys, w.store, {
      to: friend.keys.address,
      amount: SOL / 4n,
      root,
      pathOf,
    });
    expect(a.spends[0]!.commitment).toBe(b.spends[0]!.commitment);
    const [pa, pb] = [await proveTransact(a.request, artifacts), await proveTransact(b.request, artifacts)];
    const outcomes = await Promise.all([
      submitOutcome(ingress(1), encode(pa)),
      submitOutcome(ingress(2), encode(pb)),
    ]);
    expect(outcomes).toContain('admitted');
    const landed = await until('one of the two in a block', async () => {
      const all = new Set((await ingress(0).outputsSince(0)).map((o) => o.commitment));
      const inA = pa.statement.outputCommitments.every((c) => all.has(c));
      const inB = pb.statement.outputCommitments.every((c) => all.has(c));
      return inA || inB ? { inA, inB } : undefined;
    });
    // A few more blocks: the other one never follows.
    const h = await cohort.height(0);
    await cohort.waitHeight(h + 4n);
    const all = new Set((await ingress(3).outputsSince(0)).map((o) => o.commitment));
    const inA = pa.statement.outputCommitments.every((c) => all.has(c));
    const inB = pb.statement.outputCommitments.every((c) => all.has(c));
    expect([inA, inB].filter(Boolean)).toHaveLength(1);
    expect(landed.inA || landed.inB).toBe(true);
    // Spending the same note again, now as a withdrawal, is refused too.
    const anchor = await until('an anchored root', async () =>
      (await ingress(0).anchors()).filter((x) => x.leafCount !== undefined).at(-1),
    );
    const tree = await MerkleTree.open(new MemoryTreeStorage());
    await tree.appendBatch(
      (await ingress(0).outputsSince(0)).slice(0, anchor.leafCount!).map((o) => o.commitment),
    );
    const again = await buildWithdraw(w.keys, w.store, {
      recipient: new Uint8Array(32).fill(7),
      relayer: new Uint8Array(32).fill(8),
      amount: SOL / 10n,
      fee: 0n,
      expirationSlot: (await ingress(0).status()).solanaSlot! + 2_000n,
      root: anchor.root,
      pathOf: (i) => tree.path(i),
      leavesBelow: anchor.leafCount!,
    });
    expect(await submitOutcome(ingress(0), encode(await proveTransact(again.request, artifacts)))).toBe(
      'NULLIFIER_SPENT',
    );
  }, 240_000);

  it('refuses an unknown root, a non-canonical nullifier and a tampered ciphertext, and admits the honest transaction', async () => {
    const w = await fundedWallet(SOL / 2n);
    const friend = Wallet.inMemory(generateWalletKeys());
    // Unknown root: the note's real path, in a tree with one extra leaf nobody appended.
    const tree = await MerkleTree.open(new MemoryTreeStorage());
    await tree.appendBatch([...(await ingress(0).outputsSince(0)).map((o) => o.commitment), randomField()]);
    const forged = await buildTransfer(w.keys, w.store, {
      to: friend.keys.address,
      amount: SOL / 10n,
      root: tree.root,
      pathOf: (i) => tree.path(i),
    });
    expect(await submitOutcome(ingress(0), encode(await proveTransact(forged.request, artifacts)))).toBe(
      'UNKNOWN_ROOT',
    );

    // Root and path from one answer: another file's deposit may land between two requests.
    const leaf = w.store.unspent(NATIVE_ASSET)[0]!.leafIndex;
    const { root, path } = await ingress(0).path(leaf);
    const honest = await buildTransfer(w.keys, w.store, {
      to: friend.keys.address,
      amount: SOL / 10n,
      root,
      pathOf: async (i) => (i === leaf ? path : (await ingress(0).path(i)).path),
    });
    const bytes = encode(await proveTransact(honest.request, artifacts));
    // nullifier0 (LE, offset 194) + p: the same value mod p, not canonical.
    const nonCanonical = bytes.slice();
    let n0 = 0n;
    for (let i = 31; i >= 0; i--) n0 = (n0 << 8n) | BigInt(nonCanonical[194 + i]!);
    let v = n0 + FIELD_MODULUS;
    for (let i = 0; i < 32; i++, v >>= 8n) nonCanonical[194 + i] = Number(v & 0xffn);
    expect(await submitOutcome(ingress(1), nonCanonical)).toBe('NON_CANONICAL');
    // One byte of the first output's envelope (offset 410 + 10): bound in ext_data_hash, so the proof fails.
    const tampered = bytes.slice();
    tampered[420]! ^= 0x01;
    expect(await submitOutcome(ingress(2), tampered)).toBe('BAD_PROOF');
    expect(await submitOutcome(ingress(3), bytes)).toBe('admitted');
  }, 240_000);

  it('settles a withdrawal only as proven: a settler cannot change fee or recipient, a replay and an expired one fail', async () => {
    // The proof names the validator that does not relay; anyone may settle it (here `evil`), and
    // the fee still goes to the named relayer.
    const relayer = address(cohort.validators[NON_RELAYER]!.address);
    const evil = await generateKeyPairSigner();
    await rpc.airdrop(evil.address, 2n * SOL);
    const recipient = (await generateKeyPairSigner()).address;
    const enc = getAddressEncoder();
    const prepare = async (validFor: bigint) => {
      const w = await fundedWallet(SOL / 2n);
      const leaf = w.store.unspent(NATIVE_ASSET)[0]!.leafIndex;
      const anchor = await until('an anchored root with the note', async () =>
        (await ingress(0).anchors()).filter((x) => (x.leafCount ?? 0) > leaf).at(-1),
      );
      const commitments = (await ingress(0).outputsSince(0))
        .slice(0, anchor.leafCount!)
        .map((o) => o.commitment);
      const tree = await MerkleTree.open(new MemoryTreeStorage());
      await tree.appendBatch(commitments);
      const built = await buildWithdraw(w.keys, w.store, {
        recipient: Uint8Array.from(enc.encode(recipient)),
        relayer: Uint8Array.from(enc.encode(relayer)),
        amount: SOL / 5n,
        fee: SOL / 100n,
        expirationSlot: (await ingress(0).status()).solanaSlot! + validFor,
        root: anchor.root,
        pathOf: (i) => tree.path(i),
        leavesBelow: anchor.leafCount!,
      });
      const proof = await proveTransact(built.request, artifacts);
      expect(await submitOutcome(ingress(1), encode(proof))).toBe('admitted');
      const status = await until('the withdrawal approved by an anchor', async () => {
        const s = await ingress(2).withdrawal(proof.statement.nullifiers[0]);
        return s?.state === 'approved' ? s : undefined;
      });
      const raw = (await (
        await fetch(`${cohort.validators[2]!.ingress}/v1/withdrawals/${proof.statement.nullifiers[0]}`)
      ).json()) as {
        approval: { height: string; index: number; siblings: string[] };
      };
      const e = proof.statement.extData;
      const args: WithdrawArgs = {
        proof: proof.proof.toChainCompressed(),
        root: proof.statement.root,
        nullifiers: proof.statement.nullifiers,
        outputs: proof.statement.outputCommitments,
        extAmount: e.extAmount,
        fee: e.fee,
        expirationSlot: e.expirationSlot,
        outputsDigest: computeOutputsDigest(e),
        recipient,
        relayer,
        approval: {
          height: BigInt(raw.approval.height),
          index: raw.approval.index,
          siblings: raw.approval.siblings.map((s) => BigInt(s) as never),
        },
      };
      expect(status.approvalHeight).toBe(args.approval.height);
      return args;
    };
    const sender = new TransactionSender(rpc, {
      feePayer: evil,
      commitment: 'confirmed',
      logger,
      maxAttempts: 1,
    });
    let settled: Signature | undefined;
    const settle = async (args: WithdrawArgs) => {
      try {
        settled = (await sender.send([await withdrawInstruction(p, evil, args)], 'withdraw')).signature;
        return 'settled';
      } catch (e) {
        if (e instanceof BridgeError) return e.code;
        throw e;
      }
    };

    const args = await prepare(3_000n);
    const other = (await generateKeyPairSigner()).address;
    const evilBefore = await rpc.balance(evil.address);
    expect(await settle({ ...args, fee: args.fee * 2n })).toMatch(/APPROVAL_PATH_INVALID|PROOF_INVALID/);
    expect(await settle({ ...args, recipient: other })).toMatch(/APPROVAL_PATH_INVALID|PROOF_INVALID/);
    // Refused: nobody was paid; the settler spent at most transaction fees.
    expect(settled).toBeUndefined();
    expect(await rpc.balance(recipient)).toBe(0n);
    expect(await rpc.balance(other)).toBe(0n);
    expect(await rpc.balance(evil.address)).toBeLessThanOrEqual(evilBefore);
    expect(await settle(args)).toBe('settled');
    // Exactly amount + fee left the vault, in this transaction: measured on the transaction, since
    // other files deposit into the same vault meanwhile.
    const paid = await balanceChanges(cohort.rpcUrl, settled!);
    expect(paid.get(p.vault)).toBe(-(SOL / 5n + SOL / 100n));
    expect(paid.get(recipient)).toBe(SOL / 5n);
    expect(paid.get(relayer)).toBe(SOL / 100n);
    expect(await rpc.balance(recipient)).toBe(SOL / 5n);
    settled = undefined;
    expect(await settle(args)).toBe('NULLIFIER_SPENT');
    expect(settled).toBeUndefined();

    // Valid for 400 slots (60 s): the mempool wants 150 left when it arrives, which leaves 250
    // slots for the witness and proving (260 was too few on a loaded CI run, where
    // proving alongside other test files took more than 110 slots). Settled after its expiration,
    // it is refused.
    const late = await prepare(400n);
    await until(
      'the expiration slot to pass',
      async () => ((await rpc.slot('confirmed')) > late.expirationSlot + 2n ? true : undefined),
      90_000,
    );
    const evilLate = await rpc.balance(evil.address);
    expect(await settle(late)).toBe('EXPIRED');
    expect(settled).toBeUndefined();
    expect(await rpc.balance(recipient)).toBe(SOL / 5n);
    expect(await rpc.balance(other)).toBe(0n);
    expect(await rpc.balance(evil.address)).toBeLessThanOrEqual(evilLate);
  }, 300_000);
});
