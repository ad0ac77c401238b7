import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchVerifierPool,
  ENVELOPE_BYTES,
  ENVELOPE_VERSION,
  FIELD_MODULUS,
  type Field,
  hash4,
  loadCircuitArtifacts,
  MerkleTree,
  toField,
  tryDecryptNote,
  VerifyingKey,
} from '../privacy/index.js';
import { NodeStorage } from '../storage/index.js';
import {
  type Block,
  decodeBlock,
  decodeRefundEntry,
  encodeBlock,
  encodeRefundEntry,
  LedgerApp,
  REFUND_ENTRY_BYTES,
  REFUNDS_SECTION_KIND,
  type RefundEntry,
  RefundWatch,
  refundEntriesOf,
  refundTag,
  sectionsRoot,
} from './index.js';
import { type LedgerScenario, ledgerScenario, WITHDRAWAL_EXPIRATION_SLOT } from './testing/index.js';

const quiet = pino({ level: 'silent' });
const LEADER = new Uint8Array(32).fill(9);
const EXPIRY = WITHDRAWAL_EXPIRATION_SLOT;

/** P4(gross debit, refund_owner, refund_blinding, asset_public): the refund the cohort must append. */
function expectedRefund(d: { tx: { statement: LedgerScenario['withdrawal']['tx']['statement'] } }): Field {
  const s = d.tx.statement;
  return hash4(
    toField(-s.extData.extAmount),
    s.extData.refundOwner!,
    s.extData.refundBlinding!,
    s.assetPublic,
  );
}

function codeOf(f: () => unknown): string | undefined {
  try {
    f();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
}

function envelope(): Uint8Array {
  const e = crypto.getRandomValues(new Uint8Array(ENVELOPE_BYTES));
  e[0] = ENVELOPE_VERSION;
  return e;
}

describe('refund entry codec', () => {
  const entry: RefundEntry = { height: 7n, index: 3, commitment: toField(12345n), ciphertext: envelope() };

  it('round-trips the documented 198-byte layout', () => {
    const bytes = encodeRefundEntry(entry);
    expect(REFUND_ENTRY_BYTES).toBe(198);
    expect(bytes.length).toBe(REFUND_ENTRY_BYTES);
    expect(bytes[0]).toBe(1);
    expect(bytes.subarray(1, 9)).toEqual(Uint8Array.of(7, 0, 0, 0, 0, 0, 0, 0));
    expect(bytes.subarray(9, 13)).toEqual(Uint8Array.of(3, 0, 0, 0));
    expect(bytes.subarray(13, 15)).toEqual(Uint8Array.of(0x39, 0x30));
    expect(bytes.subarray(45)).toEqual(entry.ciphertext);
    expect(decodeRefundEntry(bytes)).toEqual(entry);
  });

  it('refuses other versions, lengths and non-canonical commitments', () => {
    const bytes = encodeRefundEntry(entry);
    const version = bytes.slice();
    version[0] = 2;
    expect(codeOf(() => decodeRefundEntry(version))).toBe('BLOCK_MALFORMED');
    expect(codeOf(() => decodeRefundEntry(bytes.subarray(0, 197)))).toBe('BLOCK_MALFORMED');
    expect(codeOf(() => decodeRefundEntry(Uint8Array.of(...bytes, 0)))).toBe('BLOCK_MALFORMED');
    const big = bytes.slice();
    let v = FIELD_MODULUS + 12345n;
    for (let i = 13; i < 45; i++, v >>= 8n) big[i] = Number(v & 0xffn);
    expect(codeOf(() => decodeRefundEntry(big))).toBe('FIELD_NOT_CANONICAL');
    expect(codeOf(() => encodeRefundEntry({ ...entry, ciphertext: new Uint8Array(120) }))).toBe(
      'ARGUMENT_INVALID',
    );
  });

  it('tags a withdrawal by its nullifiers, in order', () => {
    const a = toField(1n);
    const b = toField(2n);
    expect(refundTag([a, b])).not.toBe(refundTag([b, a]));
    expect(refundTag([a, b])).toBe(refundTag([a, b]));
    expect(refundTag([a, b]) < FIELD_MODULUS).toBe(true);
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

/** What a node's RPC says at finalized: the slot, the nullifier records that exist, or a failure. */
function finalizedChain() {
  const chain = {
    slot: 0n,
    present: new Set<Field>(),
    down: false,
    hung: false,
    finalizedSlot: () => chain.slot,
    readNullifiers: async (nullifiers: readonly Field[]) => {
      if (chain.down) throw new Error('rpc unreachable');
      if (chain.hung) return new Promise<never>(() => {});
      return { slot: chain.slot, present: nullifiers.map((n) => chain.present.has(n)) };
    },
  };
  return chain;
}

interface Node {
  app: LedgerApp;
  storage: NodeStorage;
  anchored: Set<bigint>;
  chain: ReturnType<typeof finalizedChain>;
  path: string;
}

async function openNode(path?: string, withChain = true): Promise<Node> {
  const dir = path ?? (await mkdtemp(join(tmpdir(), 'paraloom-refunds-')));
  if (!path) dirs.push(dir);
  const storage = await NodeStorage.open(dir, { logger: quiet });
  const anchored = new Set<bigint>();
  const chain = finalizedChain();
  let clock = 1_700_000_000_000;
  const app = await LedgerApp.open({
    storage,
    pool,
    registry: new Registry(),
    leader: LEADER,
    isAnchored: (root) => anchored.has(root),
    currentSlot: () => 0n,
    now: () => clock++,
    logger: quiet,
    ...(withChain ? { refunds: chain } : {}),
  });
  return { app, storage, anchored, chain, path: dir };
}

async function closeNode(n: Node): Promise<void> {
  await n.app.close();
  await n.storage.close();
}

async function finalize(proposer: Node, others: readonly Node[]): Promise<Block> {
  const tip = proposer.app.tip;
  const proposal = await proposer.app.buildProposal(tip.height + 1n, 0, tip.hash);
  for (const n of others) {
    expect(await n.app.validateProposal(tip.height + 1n, 0, proposal.bytes)).toEqual({
      ok: true,
      hash: proposal.hash,
    });
  }
  for (const n of [proposer, ...others]) {
    await n.app.commit(tip.height + 1n, proposal.bytes, new Uint8Array([Number(tip.height)]));
  }
  return decodeBlock(proposal.bytes);
}

async function snapshot(n: Node) {
  return {
    tip: n.app.tip,
    root: n.app.root,
    leaves: n.app.leafCount,
    nullifiers: n.storage.nullifiers.size,
  };
}

/**
 * The next block with `entries` as its refund section and a header that is right in every other
 * respect (from an honest empty proposal, with the tree root recomputed on a second tree instance).
 */
async function withRefunds(n: Node, entries: readonly Uint8Array[]): Promise<Uint8Array> {
  const tip = n.app.tip;
  const empty = decodeBlock((await n.app.buildProposal(tip.height + 1n, 0, tip.hash)).bytes);
  const tree = await MerkleTree.open(n.storage.tree);
  const plan = tree.planAppend(entries.map((e) => decodeRefundEntry(e).commitment));
  const sections = [{ kind: REFUNDS_SECTION_KIND, entries }];
  return encodeBlock({
    ...empty,
    sections,
    header: {
      ...empty.header,
      sectionsRoot: sectionsRoot(sections),
      commitmentRoot: plan.state.rootHistory.at(-1)!,
      leafCount: BigInt(plan.state.leafCount),
    },
  });
}

describe('refund section: propose, check against each node, execute', () => {
  let a: Node;
  let b: Node;
  let refundBlock: Block;

  it('keeps a final withdrawal with a refund in the watch, and proposes nothing before it expires', async () => {
    a = await openNode();
    b = await openNode();
    for (const n of [a, b]) n.app.addDeposits(scenario.deposits);
    await finalize(a, [b]);
    for (const n of [a, b]) {
      n.anchored.add(scenario.root1);
      expect((await n.app.submit(scenario.withdrawal.bytes)).ok).toBe(true);
    }
    const block2 = await finalize(a, [b]);
    expect(block2.transactions.map((t) => t.idHex)).toEqual([scenario.withdrawal.idHex]);
    // Finalized up to the expiration slot itself: the program would still accept the withdrawal.
    a.chain.slot = EXPIRY;
    const unexpired = await finalize(a, [b]);
    expect(unexpired.sections).toEqual([]);
  });

  it('refuses a refund a node finds unexpired, settled, or cannot check, without changing anything', async () => {
    a.chain.slot = EXPIRY + 1n;
    const tip = a.app.tip;
    const proposal = await a.app.buildProposal(tip.height + 1n, 0, tip.hash);
    refundBlock = decodeBlock(proposal.bytes);
    const [entry] = refundEntriesOf(refundBlock);
    const w = scenario.withdrawal.tx.statement;
    expect(entry).toEqual({
      height: 2n,
      index: 0,
      commitment: expectedRefund(scenario.withdrawal),
      ciphertext: w.extData.refundCiphertext,
    });
    const before = await snapshot(b);
    const reason = async () => {
      const res = await b.app.validateProposal(tip.height + 1n, 0, proposal.bytes);
      return res.ok ? 'OK' : res.reason;
    };
    b.chain.slot = EXPIRY; // b's RPC has not finalized past the expiration yet
    expect(await reason()).toMatch(/^REFUND_INVALID: .*expires at slot 10000; finalized is 10000/);
    b.chain.slot = EXPIRY + 5n;
    b.chain.present.add(w.nullifiers[1]); // b sees the withdrawal settled
    expect(await reason()).toMatch(/^REFUND_INVALID: .*settled on Solana/);
    b.chain.present.clear();
    b.chain.down = true;
    expect(await reason()).toMatch(/^REFUND_INVALID: nullifier records unreadable: rpc unreachable/);
    b.chain.down = false;
    // A hung RPC costs the vote after refundReadTimeoutMs (default 2 s), not the round.
    b.chain.hung = true;
    const t0 = Date.now();
    expect(await reason()).toMatch(/^REFUND_INVALID: nullifier records unreadable: no answer within 2000 ms/);
    expect(Date.now() - t0).toBeLessThan(10_000);
    b.chain.hung = false;
    expect(await snapshot(b)).toEqual(before);
    const noChain = await openNode(undefined, false);
    for (let h = 1n; h <= tip.height; h++) {
      const stored = (await a.storage.blocks.getByHeight(h))!;
      await noChain.app.commit(h, stored.block, new Uint8Array(1));
    }
    const res = await noChain.app.validateProposal(tip.height + 1n, 0, proposal.bytes);
    expect(res.ok ? 'OK' : res.reason).toMatch(/^REFUND_INVALID: this node has no chain/);
    await closeNode(noChain);
    expect(await reason()).toBe('OK');
  });

  it('appends the refund note as an ordinary output and marks the withdrawal refunded', async () => {
    const before = await snapshot(a);
    const w = scenario.withdrawal.tx.statement;
    const expected = (await MerkleTree.open(a.storage.tree)).planAppend([
      expectedRefund(scenario.withdrawal),
    ]);
    const tip = a.app.tip;
    const proposal = await a.app.buildProposal(tip.height + 1n, 0, tip.hash);
    for (const n of [a, b]) await n.app.commit(tip.height + 1n, proposal.bytes, new Uint8Array(1));
    for (const n of [a, b]) {
      expect(n.app.leafCount).toBe(before.leaves + 1);
      expect(n.app.root).toBe(expected.state.rootHistory.at(-1));
      expect(n.storage.nullifiers.size).toBe(before.nullifiers + 1n);
      expect(await n.storage.nullifiers.hasMany([refundTag(w.nullifiers)])).toEqual([true]);
    }
    // The owner's scanner finds it like any output: its envelope opens to the gross amount.
    const note = tryDecryptNote(
      w.extData.refundCiphertext!,
      scenario.owner,
      expectedRefund(scenario.withdrawal),
    );
    expect(note?.note.amount).toBe(1_000_000_000n);
    expect(-w.extData.extAmount).toBe(note?.note.amount);
  });

  it('never refunds a withdrawal twice', async () => {
    // The proposer does not offer it again...
    a.chain.slot = EXPIRY + 10n;
    const next = await finalize(a, [b]);
    expect(next.sections).toEqual([]);
    // ...and a proposal that does is refused, whether across blocks or twice in one.
    const entry = refundBlock.sections[0]!.entries[0]!;
    const before = await snapshot(b);
    b.chain.slot = EXPIRY + 10n;
    const again = await b.app.validateProposal(b.app.tip.height + 1n, 0, await withRefunds(a, [entry]));
    expect(again.ok ? 'OK' : again.reason).toMatch(
      /^REFUND_INVALID: entry 0: the withdrawal was refunded already/,
    );
    const twice = await b.app.validateProposal(
      b.app.tip.height + 1n,
      0,
      await withRefunds(a, [entry, entry]),
    );
    expect(twice.ok ? 'OK' : twice.reason).toMatch(/^REFUND_INVALID: entry 1 refunds a withdrawal twice/);
    // An entry naming a transaction without a refund (or none at all) is refused too.
    const stray = encodeRefundEntry({ ...decodeRefundEntry(entry), index: 1 });
    const none = await b.app.validateProposal(b.app.tip.height + 1n, 0, await withRefunds(a, [stray]));
    expect(none.ok ? 'OK' : none.reason).toMatch(/^REFUND_INVALID: entry 0: transaction 1 of block 2/);
    expect(await snapshot(b)).toEqual(before);
  });

  it('applies final refund blocks on a node catching up, and rebuilds its watch on reopen', async () => {
    const late = await openNode(undefined, false);
    for (let h = 1n; h <= a.app.tip.height; h++) {
      const stored = (await a.storage.blocks.getByHeight(h))!;
      await late.app.commit(h, stored.block, new Uint8Array(1));
    }
    expect(late.app.root).toBe(a.app.root);
    expect(late.storage.nullifiers.size).toBe(a.storage.nullifiers.size);
    await closeNode(late);
    // A reopened proposer's watch comes from the stored blocks: the refunded withdrawal is not in it.
    await closeNode(a);
    a = await openNode(a.path);
    a.chain.slot = EXPIRY + 20n;
    const block = await finalize(a, [b]);
    expect(block.sections).toEqual([]);
    await closeNode(a);
    await closeNode(b);
  });
});

describe('a refund is worth exactly what the withdrawal debited', () => {
  it('appends P4(gross, refund_owner, refund_blinding, asset) whatever the ciphertext claims', async () => {
    const a = await openNode();
    const b = await openNode();
    for (const n of [a, b]) n.app.addDeposits(scenario.deposits);
    await finalize(a, [b]);
    for (const n of [a, b]) {
      n.anchored.add(scenario.root1);
      expect((await n.app.submit(scenario.inflated.bytes)).ok).toBe(true);
    }
    await finalize(a, [b]);
    a.chain.slot = EXPIRY + 1n;
    b.chain.slot = EXPIRY + 1n;
    const s = scenario.inflated.tx.statement;
    const gross = -s.extData.extAmount;
    expect(gross).toBe(400_000_000n);
    const expected = expectedRefund(scenario.inflated);
    // The ciphertext is a well-formed note of the same owner and blinding worth 3,000,000,000: the
    // commitment a minting wallet wanted.
    const claimed = hash4(
      toField(3_000_000_000n),
      s.extData.refundOwner!,
      s.extData.refundBlinding!,
      s.assetPublic,
    );
    const tip = a.app.tip;
    const proposal = await a.app.buildProposal(tip.height + 1n, 0, tip.hash);
    const [entry] = refundEntriesOf(decodeBlock(proposal.bytes));
    expect(entry).toEqual({
      height: 2n,
      index: 0,
      commitment: expected,
      ciphertext: s.extData.refundCiphertext,
    });
    expect(entry!.commitment).not.toBe(claimed);
    // A proposer appending the claimed commitment instead is refused by every honest node.
    const before = await snapshot(b);
    const forged = encodeRefundEntry({ ...entry!, commitment: claimed });
    const res = await b.app.validateProposal(tip.height + 1n, 0, await withRefunds(a, [forged]));
    expect(res.ok ? 'OK' : res.reason).toMatch(/^REFUND_INVALID: entry 0: the refund differs/);
    expect(await snapshot(b)).toEqual(before);
    const plan = (await MerkleTree.open(a.storage.tree)).planAppend([expected]);
    expect(await b.app.validateProposal(tip.height + 1n, 0, proposal.bytes)).toEqual({
      ok: true,
      hash: proposal.hash,
    });
    for (const n of [a, b]) await n.app.commit(tip.height + 1n, proposal.bytes, new Uint8Array(1));
    for (const n of [a, b]) expect(n.app.root).toBe(plan.state.rootHistory.at(-1));
    // The appended note is worth the gross debit; the lying envelope opens to nothing spendable.
    expect(tryDecryptNote(s.extData.refundCiphertext!, scenario.owner, expected)).toBeUndefined();
    expect(tryDecryptNote(s.extData.refundCiphertext!, scenario.owner, claimed)?.note.amount).toBe(
      3_000_000_000n,
    );
    await closeNode(a);
    await closeNode(b);
  });
});

describe('refund watch', () => {
  it('offers expired withdrawals by expiration, forgets refunded and dropped ones', () => {
    const watch = new RefundWatch();
    watch.follow(2n, { transactions: [scenario.transfer, scenario.withdrawal], sections: [] });
    expect(watch.size).toBe(1);
    expect(watch.due(EXPIRY, 10)).toEqual([]);
    const [due] = watch.due(EXPIRY + 1n, 10);
    expect(due).toMatchObject({ height: 2n, index: 1, expirationSlot: EXPIRY });
    watch.drop(due!);
    expect(watch.size).toBe(0);
    watch.follow(2n, { transactions: [scenario.transfer, scenario.withdrawal], sections: [] });
    const entry = encodeRefundEntry(due!);
    watch.follow(3n, { transactions: [], sections: [{ kind: REFUNDS_SECTION_KIND, entries: [entry] }] });
    expect(watch.size).toBe(0);
  });
});
