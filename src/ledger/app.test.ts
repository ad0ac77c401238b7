import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WithdrawalsTree, withdrawalLeaf } from '../bridge/index.js';
import type { ConsensusApplication } from '../consensus/index.js';
import {
  BatchVerifierPool,
  type Field,
  loadCircuitArtifacts,
  MemoryTreeStorage,
  MerkleTree,
  VerifyingKey,
} from '../privacy/index.js';
import { NodeStorage } from '../storage/index.js';
import {
  type Block,
  blockHash,
  type DecodedTransaction,
  decodeBlock,
  decodedFromTransaction,
  encodeBlock,
  extDataHashOf,
  isWithdrawal,
  LedgerApp,
  type LedgerExtension,
  type LedgerTip,
  nextNullifierAccumulator,
  sectionsRoot,
  transactionRoot,
} from './index.js';
import { type LedgerScenario, ledgerScenario, WITHDRAWAL_EXPIRATION_SLOT } from './testing/index.js';

const quiet = pino({ level: 'silent' });

// LedgerApp must satisfy the consensus module's interface structurally (it does not import it).
const asConsensusApplication = (app: LedgerApp): ConsensusApplication => app;
const LEADER = new Uint8Array(32).fill(9);

let scenario: LedgerScenario;
let pool: BatchVerifierPool;
const dirs: string[] = [];

beforeAll(async () => {
  const artifacts = await loadCircuitArtifacts();
  scenario = await ledgerScenario(artifacts);
  pool = new BatchVerifierPool(VerifyingKey.fromSnarkjs(artifacts.verifyingKey), {
    threads: 2,
  });
  await pool.start();
}, 600_000);

afterAll(async () => {
  await pool?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

interface Node {
  app: LedgerApp;
  storage: NodeStorage;
  registry: Registry;
  anchored: Set<bigint>;
  slot: { value: bigint };
  path: string;
}

async function openNode(
  path?: string,
  extensions?: readonly LedgerExtension[],
  relayerFloor?: (relayer: Uint8Array, asset: Field) => bigint | undefined,
): Promise<Node> {
  const dir = path ?? (await mkdtemp(join(tmpdir(), 'paraloom-ledger-')));
  if (!path) dirs.push(dir);
  const storage = await NodeStorage.open(dir, { logger: quiet });
  const registry = new Registry();
  const anchored = new Set<bigint>();
  const slot = { value: 0n };
  let clock = 1_700_000_000_000;
  const app = await LedgerApp.open({
    storage,
    pool,
    registry,
    leader: LEADER,
    isAnchored: (root) => anchored.has(root),
    currentSlot: () => slot.value,
    now: () => clock++,
    logger: quiet,
    extensions,
    ...(relayerFloor ? { relayerFloor } : {}),
  });
  return { app, storage, registry, anchored, slot, path: dir };
}

async function closeNode(n: Node): Promise<void> {
  await n.app.close();
  await n.storage.close();
}

/** Independent recomputation of a header from a replica tree (not the ledger's own code path). */
async function forge(
  tip: LedgerTip,
  leavesBefore: readonly Field[],
  deposits: readonly Field[],
  txs: readonly DecodedTransaction[],
  accumulator: Field,
): Promise<Block> {
  const tree = await MerkleTree.open(new MemoryTreeStorage());
  if (leavesBefore.length) await tree.appendBatch(leavesBefore);
  await tree.appendBatch([...deposits, ...txs.flatMap((t) => t.tx.statement.outputCommitments)]);
  const spent = txs.flatMap((t) => t.tx.statement.nullifiers);
  const withdrawals = txs
    .filter((t) => isWithdrawal(t.tx))
    .map((t) =>
      withdrawalLeaf(
        t.tx.statement.nullifiers[0],
        t.tx.statement.nullifiers[1],
        extDataHashOf(t.tx),
        t.tx.statement.root,
      ),
    );
  return {
    header: {
      height: tip.height + 1n,
      round: 0,
      previousHash: tip.hash,
      leader: LEADER,
      depositsConsumed: tip.depositsConsumed + BigInt(deposits.length),
      depositAccumulator: accumulator,
      commitmentRoot: tree.root,
      leafCount: BigInt(tree.size),
      nullifierCount: tip.nullifierCount + BigInt(spent.length),
      nullifierAccumulator: nextNullifierAccumulator(tip.nullifierAccumulator, spent),
      withdrawalsRoot: new WithdrawalsTree(withdrawals).root,
      transactionRoot: transactionRoot(txs.map((t) => t.id)),
      sectionsRoot: sectionsRoot([]),
      timestampMs: tip.timestampMs + 1n,
    },
    deposits,
    transactions: txs,
    sections: [],
  };
}

function rejectionCount(registry: Registry, reason: string): Promise<number> {
  return registry
    .getSingleMetric('paraloom_ledger_mempool_rejections_total')!
    .get()
    .then((m) => m.values.find((v) => v.labels.reason === reason)?.value ?? 0);
}

async function snapshot(n: Node) {
  return {
    tip: n.app.tip,
    root: n.app.root,
    leaves: n.app.leafCount,
    stored: n.storage.blocks.tip(),
    nullifiers: n.storage.nullifiers.size,
    cursor: n.storage.deposits.get(),
  };
}

/** Builds, validates on every node, and commits the next block everywhere. */
async function finalize(
  proposer: Node,
  others: readonly Node[],
): Promise<{ hash: Uint8Array; bytes: Uint8Array }> {
  const tip = proposer.app.tip;
  const proposal = await proposer.app.buildProposal(tip.height + 1n, 0, tip.hash);
  for (const n of others) {
    expect(await n.app.validateProposal(tip.height + 1n, 0, proposal.bytes)).toEqual({
      ok: true,
      hash: proposal.hash,
    });
  }
  const qc = new Uint8Array([1, 2, 3, Number(tip.height)]);
  for (const n of [proposer, ...others]) await n.app.commit(tip.height + 1n, proposal.bytes, qc);
  return proposal;
}

describe('ledger: mempool, blocks, consensus application', () => {
  let a: Node;
  let b: Node;
  let block2: { hash: Uint8Array; bytes: Uint8Array };

  it('applies deposits in queue order; two ledgers reach the same root', async () => {
    a = await openNode();
    b = await openNode();
    expect(asConsensusApplication(a.app)).toBe(a.app);
    for (const n of [a, b]) n.app.addDeposits(scenario.deposits);
    const { bytes } = await finalize(a, [b]);
    const block = decodeBlock(bytes);
    expect(block.deposits).toEqual(scenario.deposits.map((d) => d.commitment));
    expect(block.header.depositAccumulator).toBe(scenario.deposits[4]!.accumulator);
    for (const n of [a, b]) {
      expect(n.app.root).toBe(scenario.root1);
      expect(n.app.tip.depositsConsumed).toBe(5n);
      expect(n.storage.deposits.get()).toMatchObject({ consumed: 5n, slot: 104n });
    }
    expect(b.app.tip.hash).toEqual(a.app.tip.hash);
  });

  it('mempool rejects oversize, non-canonical, unknown roots, unanchored and expiring withdrawals', async () => {
    const r = (bytes: Uint8Array) => a.app.submit(bytes).then((x) => (x.ok ? 'OK' : x.reason));
    expect(await r(new Uint8Array(64 * 1024))).toBe('OVERSIZE');
    expect(await r(scenario.transfer.bytes.subarray(1))).toBe('MALFORMED');
    const nonCanonical = scenario.transfer.bytes.slice();
    nonCanonical.fill(0xff, 130, 162);
    expect(await r(nonCanonical)).toBe('NON_CANONICAL');
    const t = scenario.transfer.tx;
    const unknownRoot = decodedFromTransaction({
      ...t,
      statement: { ...t.statement, root: scenario.deposits[0]!.commitment },
    });
    expect(await r(unknownRoot.bytes)).toBe('UNKNOWN_ROOT');
    expect(await r(scenario.withdrawal.bytes)).toBe('ROOT_NOT_ANCHORED');
    a.anchored.add(scenario.root1);
    a.slot.value = WITHDRAWAL_EXPIRATION_SLOT - 100n; // inside the 150-slot margin
    expect(await r(scenario.withdrawal.bytes)).toBe('EXPIRED');
    a.slot.value = 0n;
    expect(a.app.mempool.size).toBe(0);
    expect(await rejectionCount(a.registry, 'EXPIRED')).toBe(1);
  });

  it('admits a withdrawal only when its relayer is registered and its fee reaches the floor', async () => {
    // The scenario's withdrawal names relayer 0x08..08 with a fee of 5,000,000 lamports.
    const floors = new Map<string, bigint>();
    const asked: Field[] = [];
    const n = await openNode(undefined, undefined, (relayer, asset) => {
      asked.push(asset);
      return floors.get(Buffer.from(relayer).toString('hex'));
    });
    n.anchored.add(scenario.root1);
    const r = (bytes: Uint8Array) => n.app.submit(bytes).then((x) => (x.ok ? 'OK' : x.reason));
    expect(await r(scenario.withdrawal.bytes)).toBe('RELAYER_NOT_REGISTERED');
    const relayer = '08'.repeat(32);
    floors.set(relayer, 5_000_001n);
    expect(await r(scenario.withdrawal.bytes)).toBe('FEE_BELOW_FLOOR');
    expect(n.app.mempool.size).toBe(0);
    expect(await rejectionCount(n.registry, 'FEE_BELOW_FLOOR')).toBe(1);
    expect(await rejectionCount(n.registry, 'RELAYER_NOT_REGISTERED')).toBe(1);
    // Transfers name no relayer: never asked (this fresh ledger does not know the transfer's root).
    expect(await r(scenario.transfer.bytes)).toBe('UNKNOWN_ROOT');
    expect(asked).toEqual([
      scenario.withdrawal.tx.statement.assetPublic,
      scenario.withdrawal.tx.statement.assetPublic,
    ]);
    floors.set(relayer, 5_000_000n);
    expect(await r(scenario.withdrawal.bytes)).toBe('OK');
    expect(n.app.mempool.size).toBe(1);
    await closeNode(n);
  });

  it('verifies in batches and names the bad proof; refuses double spends in the mempool', async () => {
    const w = scenario.withdrawal.tx;
    const badProof = decodedFromTransaction({ proof: scenario.transfer.tx.proof, statement: w.statement });
    const results = await Promise.all([a.app.submit(badProof.bytes), a.app.submit(scenario.transfer.bytes)]);
    expect(results.map((x) => (x.ok ? 'OK' : x.reason))).toEqual(['BAD_PROOF', 'OK']);
    const batches = await a.registry.getSingleMetric('paraloom_ledger_verify_batch_size')!.get();
    // One batch of two: the bad proof was named by the batch verifier, the good one admitted with it.
    const named = batches.values as ReadonlyArray<{ value: number; metricName?: string }>;
    expect(named.find((v) => v.metricName?.endsWith('_count'))?.value).toBe(1);
    expect(named.find((v) => v.metricName?.endsWith('_sum'))?.value).toBe(2);
    const again = await a.app.submit(scenario.transfer.bytes);
    expect(again.ok ? 'OK' : again.reason).toBe('DUPLICATE');
    const conflict = await a.app.submit(scenario.conflicting.bytes);
    expect(conflict.ok ? 'OK' : conflict.reason).toBe('NULLIFIER_CONFLICT');
    const ok = await a.app.submit(scenario.withdrawal.bytes);
    expect(ok.ok).toBe(true);
    expect(a.app.mempool.size).toBe(2);
    // What a proposal's decoding reuses: admitted entries only, never the refused ones.
    expect(a.app.mempool.known(scenario.transfer.idHex)?.bytes).toEqual(scenario.transfer.bytes);
    expect(a.app.mempool.known(badProof.idHex)).toBeUndefined();
    expect(a.app.mempool.known(scenario.conflicting.idHex)).toBeUndefined();
    const size = await a.registry.getSingleMetric('paraloom_ledger_mempool_size')!.get();
    expect(size.values[0]!.value).toBe(2);
  });

  it('refuses bad proposals without changing anything', async () => {
    b.anchored.add(scenario.root1);
    const before = await snapshot(b);
    const tip = b.app.tip;
    const leaves1 = scenario.deposits.map((d) => d.commitment);
    const txs = [scenario.transfer, scenario.withdrawal];
    const good = await forge(tip, leaves1, [], txs, tip.depositAccumulator);
    const refuse = async (block: Block) => {
      const res = await b.app.validateProposal(tip.height + 1n, 0, encodeBlock(block));
      expect(res.ok).toBe(false);
      return res.ok ? '' : res.reason.split(':')[0];
    };
    expect(await refuse({ ...good, header: { ...good.header, commitmentRoot: scenario.root1 } })).toBe(
      'COMMITMENT_ROOT_MISMATCH',
    );
    expect(await refuse({ ...good, header: { ...good.header, withdrawalsRoot: scenario.root1 } })).toBe(
      'WITHDRAWALS_ROOT_MISMATCH',
    );
    // The nullifier set is committed by count and chain: a header off by either is refused.
    expect(
      await refuse({ ...good, header: { ...good.header, nullifierCount: good.header.nullifierCount + 1n } }),
    ).toBe('NULLIFIER_ACCUMULATOR_MISMATCH');
    expect(
      await refuse({ ...good, header: { ...good.header, nullifierAccumulator: new Uint8Array(32).fill(9) } }),
    ).toBe('NULLIFIER_ACCUMULATOR_MISMATCH');
    const w = scenario.withdrawal.tx;
    const bad = decodedFromTransaction({ proof: scenario.transfer.tx.proof, statement: w.statement });
    expect(
      await refuse(await forge(tip, leaves1, [], [scenario.transfer, bad], tip.depositAccumulator)),
    ).toBe('BAD_PROOF');
    expect(
      await refuse(
        await forge(tip, leaves1, [], [scenario.transfer, scenario.conflicting], tip.depositAccumulator),
      ),
    ).toBe('NULLIFIER_CONFLICT');
    b.slot.value = WITHDRAWAL_EXPIRATION_SLOT;
    expect(await refuse(good)).toBe('EXPIRED');
    b.slot.value = 0n;
    expect(await snapshot(b)).toEqual(before);
    // The honest proposal still passes after all of that.
    expect((await b.app.validateProposal(tip.height + 1n, 0, encodeBlock(good))).ok).toBe(true);
  });

  it('refuses reordered deposits and a deposit this node has not seen', async () => {
    const fresh = await openNode();
    fresh.app.addDeposits(scenario.deposits.slice(0, 4));
    const genesis = fresh.app.tip;
    const d = scenario.deposits.map((x) => x.commitment);
    const reordered = [d[1]!, d[0]!, d[2]!, d[3]!];
    const forged = await forge(genesis, [], reordered, [], scenario.deposits[3]!.accumulator);
    const res = await fresh.app.validateProposal(1n, 0, encodeBlock(forged));
    expect(res.ok ? '' : res.reason.split(':')[0]).toBe('DEPOSIT_MISMATCH');
    // Without the local queue check (a final block being applied) the accumulator catches it.
    await expect(fresh.app.commit(1n, encodeBlock(forged), new Uint8Array(1))).rejects.toMatchObject({
      code: 'BLOCK_INVALID',
    });
    const all = await forge(genesis, [], d, [], scenario.deposits[4]!.accumulator);
    const unknown = await fresh.app.validateProposal(1n, 0, encodeBlock(all));
    expect(unknown.ok ? '' : unknown.reason.split(':')[0]).toBe('DEPOSIT_UNKNOWN');
    expect(fresh.app.tip).toEqual(genesis);
    expect(fresh.storage.blocks.tip()).toBeUndefined();
    await closeNode(fresh);
  });

  it('commits a block of transactions on both ledgers; spent nullifiers are refused afterwards', async () => {
    block2 = await finalize(a, [b]);
    const block = decodeBlock(block2.bytes);
    expect(block.transactions.map((t) => t.idHex)).toEqual([
      scenario.transfer.idHex,
      scenario.withdrawal.idHex,
    ]);
    expect(block.header.withdrawalsRoot).not.toBe(0n);
    expect(b.app.root).toBe(a.app.root);
    expect(b.app.tip.hash).toEqual(blockHash(block.header));
    expect(a.app.mempool.size).toBe(0);
    expect(a.storage.nullifiers.size).toBe(4n);
    for (const tx of [scenario.transfer, scenario.conflicting]) {
      const res = await a.app.submit(tx.bytes);
      expect(res.ok ? 'OK' : res.reason).toBe('NULLIFIER_SPENT');
    }
    const tip = b.app.tip;
    const spent = await forge(tip, [], [], [scenario.conflicting], tip.depositAccumulator);
    const res = await b.app.validateProposal(3n, 0, encodeBlock(spent));
    expect(res.ok ? '' : res.reason.split(':')[0]).toBe('NULLIFIER_SPENT');
    // The transfer's root (block 1's) is still among the last 64, so only the nullifier stops it.
    expect(b.app.tip.height).toBe(2n);
  });

  it("keeps a block's effects across a reopen", async () => {
    const root = a.app.root;
    const tip = a.app.tip;
    await closeNode(a);
    a = await openNode(a.path);
    expect(a.app.root).toBe(root);
    expect(a.app.tip).toEqual(tip);
    expect(a.app.leafCount).toBe(5 + 4);
    expect(await a.storage.blocks.getQc(2n)).toEqual(new Uint8Array([1, 2, 3, 1]));
    expect((await a.storage.blocks.getByHeight(2n))?.block).toEqual(block2.bytes);
    const res = await a.app.submit(scenario.transfer.bytes);
    expect(res.ok ? 'OK' : res.reason).toBe('NULLIFIER_SPENT');
    // An empty block still chains and both ledgers agree on it.
    await finalize(a, [b]);
    expect(a.app.root).toBe(b.app.root);
    expect(a.app.tip.hash).toEqual(b.app.tip.hash);
    // A node catching up applies final blocks it never validated (re-executed, proofs verified).
    const late = await openNode();
    for (let h = 1n; h <= 3n; h++) {
      const stored = (await a.storage.blocks.getByHeight(h))!;
      await late.app.commit(h, stored.block, (await a.storage.blocks.getQc(h))!);
    }
    expect(late.app.root).toBe(a.app.root);
    expect(late.app.tip).toEqual(a.app.tip);
    expect(late.storage.nullifiers.size).toBe(4n);
    await closeNode(late);
    await closeNode(a);
    await closeNode(b);
  });

  it('is bounded: first come, first served, newcomers refused when full', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paraloom-ledger-'));
    dirs.push(dir);
    const storage = await NodeStorage.open(dir, { logger: quiet });
    const registry = new Registry();
    const app = await LedgerApp.open({
      storage,
      pool,
      registry,
      leader: LEADER,
      isAnchored: (root) => root === scenario.root1,
      currentSlot: () => 0n,
      mempool: { maxEntries: 1 },
      logger: quiet,
    });
    app.addDeposits(scenario.deposits);
    const p = await app.buildProposal(1n, 0, new Uint8Array(32));
    await app.commit(1n, p.bytes, new Uint8Array(1));
    expect((await app.submit(scenario.transfer.bytes)).ok).toBe(true);
    const full = await app.submit(scenario.withdrawal.bytes);
    expect(full.ok ? 'OK' : full.reason).toBe('MEMPOOL_FULL');
    expect([...app.mempool.candidates()].map((t) => t.idHex)).toEqual([scenario.transfer.idHex]);
    await app.close();
    await storage.close();
  });

  it('tells onAdmitted where each transaction came from (the node publishes only its own ingress)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paraloom-ledger-'));
    dirs.push(dir);
    const storage = await NodeStorage.open(dir, { logger: quiet });
    const admitted: Array<[string, string]> = [];
    const app = await LedgerApp.open({
      storage,
      pool,
      registry: new Registry(),
      leader: LEADER,
      isAnchored: (root) => root === scenario.root1,
      currentSlot: () => 0n,
      mempool: { onAdmitted: (tx, origin) => admitted.push([tx.idHex, origin]) },
      logger: quiet,
    });
    app.addDeposits(scenario.deposits);
    const p = await app.buildProposal(1n, 0, new Uint8Array(32));
    await app.commit(1n, p.bytes, new Uint8Array(1));
    expect((await app.submit(scenario.transfer.bytes)).ok).toBe(true);
    expect((await app.submit(scenario.withdrawal.bytes, 'gossip')).ok).toBe(true);
    // A refused copy reports nothing.
    expect((await app.submit(scenario.transfer.bytes, 'gossip')).ok).toBe(false);
    expect(admitted).toEqual([
      [scenario.transfer.idHex, 'local'],
      [scenario.withdrawal.idHex, 'gossip'],
    ]);
    await app.close();
    await storage.close();
  });
});

/** Proposes what is queued, refuses entries starting with 0xff, records what final blocks carry. */
class RecordingExtension implements LedgerExtension {
  readonly name = 'recording';
  readonly queued: Uint8Array[] = [];
  readonly applied: { height: bigint; entries: readonly Uint8Array[] }[] = [];
  constructor(readonly kind: number) {}
  async propose(): Promise<readonly Uint8Array[]> {
    return this.queued.splice(0);
  }
  async check(_height: bigint, entries: readonly Uint8Array[]): Promise<string | undefined> {
    return entries.some((e) => e[0] === 0xff) ? 'entry starts with 0xff' : undefined;
  }
  async apply(height: bigint, entries: readonly Uint8Array[]): Promise<void> {
    this.applied.push({ height, entries });
  }
  async appliedHeight(): Promise<bigint> {
    return this.applied.at(-1)?.height ?? 0n;
  }
}

describe('ledger: waiting for work (idle pacing)', () => {
  it('times out without work, wakes on a deposit, and reports work at once when there is some', async () => {
    const n = await openNode();
    expect(n.app.hasWork).toBe(false);
    const t0 = Date.now();
    await n.app.waitForWork(30);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    const woken = n.app.waitForWork(60_000);
    n.app.addDeposits(scenario.deposits.slice(0, 1));
    await woken;
    expect(n.app.hasWork).toBe(true);
    const t1 = Date.now();
    await n.app.waitForWork(60_000);
    expect(Date.now() - t1).toBeLessThan(1_000);
    await closeNode(n);
  });
});

describe('ledger extensions: block sections', () => {
  it('proposes, checks, applies in height order and replays stored blocks an extension missed', async () => {
    const extA = new RecordingExtension(3);
    const extB = new RecordingExtension(3);
    const a = await openNode(undefined, [extA]);
    const b = await openNode(undefined, [extB]);
    extA.queued.push(Uint8Array.of(1, 2), Uint8Array.of(3));
    const built = await a.app.buildProposal(1n, 0, a.app.tip.hash);
    const block = decodeBlock(built.bytes);
    expect(block.sections).toEqual([{ kind: 3, entries: [Uint8Array.of(1, 2), Uint8Array.of(3)] }]);
    expect((await b.app.validateProposal(1n, 0, built.bytes)).ok).toBe(true);

    const refused = async (bytes: Uint8Array) => {
      const res = await b.app.validateProposal(1n, 0, bytes);
      return res.ok ? 'OK' : res.reason.split(':')[0];
    };
    const forged = (sections: Block['sections'], root = sectionsRoot(sections)) =>
      encodeBlock({ ...block, header: { ...block.header, sectionsRoot: root }, sections });
    // Entries swapped under the old root, an entry the extension refuses, a kind nobody reads.
    expect(await refused(forged([{ kind: 3, entries: [Uint8Array.of(3)] }], block.header.sectionsRoot))).toBe(
      'SECTIONS_ROOT_MISMATCH',
    );
    expect(await refused(forged([{ kind: 3, entries: [Uint8Array.of(0xff)] }]))).toBe('SECTION_INVALID');
    expect(await refused(forged([{ kind: 5, entries: [Uint8Array.of(1)] }]))).toBe('SECTION_INVALID');
    // Kind 4 is the ledger's own refund section.
    expect(await refused(forged([{ kind: 4, entries: [Uint8Array.of(1)] }]))).toBe('REFUND_INVALID');
    expect(extB.applied).toEqual([]);

    await a.app.commit(1n, built.bytes, Uint8Array.of(1));
    await b.app.commit(1n, built.bytes, Uint8Array.of(1));
    const empty = await a.app.buildProposal(2n, 0, a.app.tip.hash);
    await a.app.commit(2n, empty.bytes, Uint8Array.of(2));
    expect(extA.applied).toEqual([
      { height: 1n, entries: [Uint8Array.of(1, 2), Uint8Array.of(3)] },
      { height: 2n, entries: [] },
    ]);
    expect(extB.applied.map((x) => x.height)).toEqual([1n]);

    // Reopened with a fresh extension that remembers nothing: the stored blocks are applied again.
    await closeNode(a);
    const fresh = new RecordingExtension(3);
    const reopened = await openNode(a.path, [fresh]);
    expect(fresh.applied).toEqual(extA.applied);
    await closeNode(reopened);
    await closeNode(b);
  });
});
