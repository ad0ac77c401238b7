import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchVerifierPool,
  type Field,
  loadCircuitArtifacts,
  randomField,
  toField,
  VerifyingKey,
} from '../privacy/index.js';
import { NodeStorage } from '../storage/index.js';
import {
  decodeBlock,
  encodeBlock,
  LedgerApp,
  LedgerError,
  LedgerState,
  nextAccumulator,
  type PendingDeposit,
  SpendRootWindow,
} from './index.js';
import { type LedgerScenario, ledgerScenario } from './testing/index.js';

const quiet = pino({ level: 'silent' });
const LEADER = new Uint8Array(32).fill(9);
const f = (n: number): Field => toField(BigInt(n));

describe('SpendRootWindow', () => {
  it('accepts a root within the window of the given time, and prunes from the oldest', () => {
    const w = new SpendRootWindow(1_000n);
    const commit = (height: bigint, ms: bigint, root: Field) => {
      const changes = w.plan(height, ms, root);
      w.adopt(changes);
      return changes;
    };
    commit(1n, 10_000n, f(1));
    commit(2n, 10_500n, f(2));
    commit(3n, 10_900n, f(1)); // the root again (no leaves appended): moves to block 3
    expect(w.list().map((e) => [e.root, e.height])).toEqual([
      [f(2), 2n],
      [f(1), 3n],
    ]);
    expect(w.accepts(f(2), 11_500n)).toBe(true);
    expect(w.accepts(f(2), 11_501n)).toBe(false);
    expect(w.accepts(f(1), 11_900n)).toBe(true);
    expect(w.accepts(f(3), 10_900n)).toBe(false);
    // Block 4 at 11,600: root 2 (10,500) falls out; root 1 (10,900) stays.
    expect(commit(4n, 11_600n, f(4))).toEqual({
      put: [{ root: f(4), height: 4n, timestampMs: 11_600n }],
      delete: [f(2)],
    });
    expect(w.size).toBe(2);
    // A long pause: everything but the new block's root goes.
    expect(commit(5n, 20_000n, f(1)).delete).toEqual([f(4)]);
    expect(w.list()).toEqual([{ root: f(1), height: 5n, timestampMs: 20_000n }]);
  });

  it('keeps nothing at window 0, refuses blocks out of order, and loads stored entries in time order', () => {
    const zero = SpendRootWindow.from(0n, [{ root: f(1), height: 1n, timestampMs: 5n }]);
    expect(zero.accepts(f(1), 5n)).toBe(false);
    expect(zero.plan(2n, 6n, f(2))).toEqual({ put: [], delete: [f(1)] });
    expect(() => new SpendRootWindow(-1n)).toThrow(LedgerError);

    const w = SpendRootWindow.from(100n, [
      { root: f(3), height: 3n, timestampMs: 30n },
      { root: f(1), height: 1n, timestampMs: 10n },
      { root: f(2), height: 2n, timestampMs: 30n },
    ]);
    expect(w.list().map((e) => e.height)).toEqual([1n, 2n, 3n]);
    expect(() => w.adopt(w.plan(3n, 40n, f(9)))).toThrow(LedgerError);
    expect(() => w.adopt(w.plan(4n, 29n, f(9)))).toThrow(LedgerError);
    expect(w.size).toBe(3);
  });
});

let scenario: LedgerScenario;
let pool: BatchVerifierPool;
const dirs: string[] = [];

beforeAll(async () => {
  const artifacts = await loadCircuitArtifacts();
  scenario = await ledgerScenario(artifacts);
  pool = new BatchVerifierPool(VerifyingKey.fromSnarkjs(artifacts.verifyingKey), { threads: 2 });
  await pool.start();
}, 600_000);

afterAll(async () => {
  await pool?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

const WINDOW = 60_000;
const T0 = 1_700_000_000_000;

interface Node {
  app: LedgerApp;
  storage: NodeStorage;
  registry: Registry;
  path: string;
}

async function openNode(clock: { ms: number }, path?: string, windowMs = WINDOW): Promise<Node> {
  const dir = path ?? (await mkdtemp(join(tmpdir(), 'paraloom-spend-roots-')));
  if (!path) dirs.push(dir);
  const storage = await NodeStorage.open(dir, { logger: quiet });
  const registry = new Registry();
  const app = await LedgerApp.open({
    storage,
    pool,
    registry,
    leader: LEADER,
    isAnchored: () => false,
    currentSlot: () => 0n,
    now: () => clock.ms,
    logger: quiet,
    spendRootWindowMs: windowMs,
  });
  return { app, storage, registry, path: dir };
}

async function closeNode(n: Node): Promise<void> {
  await n.app.close();
  await n.storage.close();
}

/** Builds on `proposer`, validates on the others, commits everywhere. */
async function finalize(proposer: Node, others: readonly Node[]): Promise<Uint8Array> {
  const tip = proposer.app.tip;
  const proposal = await proposer.app.buildProposal(tip.height + 1n, 0, tip.hash);
  for (const n of others) {
    expect(await n.app.validateProposal(tip.height + 1n, 0, proposal.bytes)).toEqual({
      ok: true,
      hash: proposal.hash,
    });
  }
  for (const n of [proposer, ...others])
    await n.app.commit(tip.height + 1n, proposal.bytes, Uint8Array.of(1));
  return proposal.bytes;
}

/** Deposits after the scenario's five, one per block, so every block moves the root. */
function moreDeposits(count: number): PendingDeposit[] {
  let acc = scenario.deposits.at(-1)!.accumulator;
  return Array.from({ length: count }, (_, i) => {
    const commitment = randomField();
    acc = nextAccumulator(acc, commitment);
    return { index: 5n + BigInt(i), amount: 1n, commitment, accumulator: acc, slot: 200n + BigInt(i) };
  });
}

/** What the store holds, as a reopened state reads it. */
async function stored(n: Node, windowMs = WINDOW) {
  const state = await LedgerState.open(n.storage, { spendRootWindowMs: windowMs });
  return {
    tip: state.tip,
    root: state.tree.root,
    history: [...state.tree.rootHistory],
    roots: state.spendRoots.list(),
  };
}

const reason = (r: { ok: boolean; reason?: string }) => (r.ok ? 'OK' : (r.reason ?? '').split(':')[0]);

describe('ledger: spends from the spend-root window', () => {
  it('admits and executes a root older than the last 64 inside the window, refuses it past the window by header time, and keeps the window across restarts', async () => {
    const clock = { ms: T0 };
    let a = await openNode(clock);
    const b = await openNode(clock);
    for (const n of [a, b]) n.app.addDeposits(scenario.deposits);
    await finalize(a, [b]);
    expect(a.app.root).toBe(scenario.root1);
    const rootMs = BigInt(T0);

    // 70 blocks that each append one deposit: root1 leaves the last 64 roots.
    const extra = moreDeposits(72);
    for (const d of extra.slice(0, 70)) {
      clock.ms += 100;
      for (const n of [a, b]) n.app.addDeposits([d]);
      await finalize(a, [b]);
    }
    const before = await stored(a);
    expect(before.history).not.toContain(scenario.root1);
    expect(before.roots.find((e) => e.root === scenario.root1)).toEqual({
      root: scenario.root1,
      height: 1n,
      timestampMs: rootMs,
    });

    // Restart: the window comes back from RocksDB, not from the last 64.
    await closeNode(a);
    a = await openNode(clock, a.path);
    expect((await stored(a)).roots).toEqual(before.roots);
    // Another width: rebuilt from the stored blocks' headers (0: nothing; back to 60 s: as before).
    await closeNode(a);
    a = await openNode(clock, a.path, 0);
    expect(reason(await a.app.submit(scenario.transfer.bytes))).toBe('UNKNOWN_ROOT');
    expect((await stored(a, 0)).roots).toEqual([]);
    await closeNode(a);
    a = await openNode(clock, a.path);
    expect((await stored(a)).roots).toEqual(before.roots);

    // Withdrawals are not widened: root1 is in the window but not anchored.
    expect(reason(await a.app.submit(scenario.withdrawal.bytes))).toBe('ROOT_NOT_ANCHORED');

    // At the window's edge (the clock exactly WINDOW past root1's block): admitted.
    clock.ms = T0 + WINDOW;
    expect(reason(await a.app.submit(scenario.transfer.bytes))).toBe('OK');
    const tip = a.app.tip;
    const proposal = await a.app.buildProposal(tip.height + 1n, 0, tip.hash);
    const block = decodeBlock(proposal.bytes);
    expect(block.transactions.map((t) => t.idHex)).toEqual([scenario.transfer.idHex]);
    expect(block.header.timestampMs).toBe(rootMs + BigInt(WINDOW));

    // The same block timestamped 1 ms later: refused at execution, whatever the voter's clock says.
    const late = encodeBlock({
      ...block,
      header: { ...block.header, timestampMs: block.header.timestampMs + 1n },
    });
    const untouched = await stored(b);
    const refused = await b.app.validateProposal(tip.height + 1n, 0, late);
    expect(refused.ok ? '' : refused.reason.split(':')[0]).toBe('UNKNOWN_ROOT');
    await expect(b.app.commit(tip.height + 1n, late, Uint8Array.of(1))).rejects.toMatchObject({
      code: 'BLOCK_INVALID',
    });
    expect(await stored(b)).toEqual(untouched);
    expect(await b.storage.nullifiers.hasMany(scenario.transfer.tx.statement.nullifiers)).toEqual([
      false,
      false,
    ]);

    // Admission past the window (the clock 1 ms later): refused.
    clock.ms = T0 + WINDOW + 1;
    expect(reason(await b.app.submit(scenario.transfer.bytes))).toBe('UNKNOWN_ROOT');
    expect(b.app.mempool.size).toBe(0);

    // The block at the edge executes on both, though b's clock is past the window: header time rules.
    expect(await b.app.validateProposal(tip.height + 1n, 0, proposal.bytes)).toEqual({
      ok: true,
      hash: proposal.hash,
    });
    for (const n of [a, b]) await n.app.commit(tip.height + 1n, proposal.bytes, Uint8Array.of(1));
    for (const n of [a, b]) {
      expect(await n.storage.nullifiers.hasMany(scenario.transfer.tx.statement.nullifiers)).toEqual([
        true,
        true,
      ]);
    }

    // Pruning: a block WINDOW later leaves only the roots of blocks within the window of it.
    clock.ms = T0 + 2 * WINDOW + 5_000;
    for (const n of [a, b]) n.app.addDeposits([extra[70]!]);
    await finalize(a, [b]);
    clock.ms += 10;
    for (const n of [a, b]) n.app.addDeposits([extra[71]!]);
    await finalize(a, [b]);
    const pruned = await stored(a);
    // Block 72 (the transfer, at T0 + WINDOW) is more than WINDOW before block 74.
    expect(pruned.roots.map((e) => e.height)).toEqual([73n, 74n]);
    expect(pruned.roots.every((e) => e.timestampMs >= pruned.tip.timestampMs - BigInt(WINDOW))).toBe(true);
    expect((await stored(b)).roots).toEqual(pruned.roots);
    const gauge = await a.registry.getSingleMetric('paraloom_ledger_spend_roots')!.get();
    expect(gauge.values[0]?.value).toBe(2);
    expect(reason(await a.app.submit(scenario.conflicting.bytes))).toBe('UNKNOWN_ROOT');
    for (const n of [a, b]) await closeNode(n);
  }, 120_000);
});
