import { getBase64Decoder } from '@solana/kit';
import { describe, expect, it } from 'vitest';
import { type BridgeState, eventDiscriminator, type ValidatorAccount } from '../bridge/index.js';
import { bytesToHex, concatBytes } from '../common/index.js';
import { EvidenceStore, equivocation, MemoryKv, type Vote } from '../consensus/index.js';
import { decodeBlock, type FinalBlock } from '../ledger/index.js';
import { addressOf, blockDetail, blockSummary } from './blocks.js';
import { type ChainSnapshot, EMPTY_CHAIN, programEvents, slashKey } from './chain.js';
import { type LedgerView, NodeDashboardBackend, type NodeDashboardSources } from './node-backend.js';
import { SIGNERS, secretsIn, syntheticChain } from './testing/index.js';
import type { DashboardEvent } from './views.js';

const chain = syntheticChain(4);
const blocks: NodeDashboardSources['blocks'] = {
  getByHeight: async (h) => chain[Number(h) - 1],
  getQc: async (h) => chain[Number(h) - 1]?.qc,
  range: async (from, limit) => chain.slice(Number(from) - 1, Number(from) - 1 + limit),
};
const PROGRAM = 'PaRa1oomDev11111111111111111111111111111111';

function ledgerAt(height: number): LedgerView {
  const b = chain[height - 1];
  return {
    tip: {
      height: BigInt(height),
      hash: b?.hash ?? new Uint8Array(32),
      timestampMs: BigInt(1_700_000_000_000 + height * 1000),
      depositsConsumed: BigInt((height * (height + 1)) / 2),
    },
    root: 123n,
    leafCount: 42,
    mempool: { size: 3 },
  };
}

const account = (key: Uint8Array, over: Partial<ValidatorAccount> = {}): ValidatorAccount => ({
  key: addressOf(key) as ValidatorAccount['key'],
  stake: 2_000_000_000n,
  registeredSlot: 1n,
  unbondingUntil: 0n,
  totalEarnings: 0n,
  pendingRewards: 0n,
  totalSlashed: 0n,
  lastSlashSlot: 0n,
  reputation: 100,
  slashCount: 0,
  active: true,
  bump: 255,
  peerId: new Uint8Array(),
  multiaddrs: new Uint8Array(),
  relayFees: [],
  ...over,
});

const anchorEntry = (h: number) => ({
  height: BigInt(h),
  root: new Uint8Array(32).fill(h),
  withdrawalsRoot: new Uint8Array(32),
  blockHash: new Uint8Array(32).fill(0x10 + h),
});

const chainSnapshot = (over: Partial<ChainSnapshot> = {}): ChainSnapshot => ({
  ...EMPTY_CHAIN,
  at: 1,
  state: {
    lastHeight: 2n,
    anchorCount: 2n,
    depositCount: 12n,
    anchors: [anchorEntry(1), anchorEntry(2)],
  } as unknown as BridgeState,
  vaultLamports: 5_000_000_000n,
  validators: [
    account(SIGNERS[0]!),
    account(SIGNERS[1]!),
    account(SIGNERS[2]!, { slashCount: 1, totalSlashed: 100n, lastSlashSlot: 77n }),
  ],
  anchorTx: new Map([[2n, { signature: 'sig-anchor-2', slot: 40n }]]),
  ...over,
});

function backend(over: Partial<NodeDashboardSources> = {}, now = { t: 1_700_000_010_000 }) {
  const snapshot = chainSnapshot();
  return new NodeDashboardBackend({
    blocks,
    ledger: () => ledgerAt(4),
    chain: { snapshot: () => snapshot },
    self: () => addressOf(SIGNERS[0]!),
    heartbeatIntervalMs: 1_000,
    // SIGNERS[1] heard 1 s ago, SIGNERS[2] 9 s ago (down after max(3 s, 5 s)), others never.
    lastHeartbeat: (a) =>
      a === addressOf(SIGNERS[1]!) ? now.t - 1_000 : a === addressOf(SIGNERS[2]!) ? now.t - 9_000 : undefined,
    reputation: async () =>
      new Map([[bytesToHex(SIGNERS[1]!), { score: 140, missedRounds: 2, streak: 0, unavailable: 0 }]]),
    coordinator: async () => 'candidate',
    now: () => now.t,
    ...over,
  });
}

describe('block views', () => {
  it('count transfers, withdrawals, deposits, nullifiers, commitments and signers', () => {
    const s = blockSummary(chain[3]!);
    expect(s).toMatchObject({
      height: '4',
      transactions: 4,
      transfers: 3,
      withdrawals: 1,
      deposits: 4,
      nullifiers: 8,
      commitments: 12,
      signers: 3,
      leader: addressOf(SIGNERS[1]!),
    });
    const d = blockDetail(chain[3]!);
    expect(d.transactionList.map((t) => t.kind)).toEqual(['transfer', 'transfer', 'transfer', 'withdrawal']);
    expect(d.transactionList[0]!.nullifiers).toHaveLength(2);
    expect(d.depositCommitments).toHaveLength(4);
    expect(d.qc!.signers).toEqual(SIGNERS.map(addressOf));
    expect(d.previousHash).toBe(bytesToHex(chain[2]!.hash));
  });

  it('never carry an amount, recipient, relayer, fee or note envelope', () => {
    for (const b of chain) {
      const text = JSON.stringify([blockSummary(b), blockDetail(b)]);
      expect(secretsIn(text), `block ${b.height}`).toEqual([]);
    }
    // The check itself sees them when they are there.
    expect(secretsIn(JSON.stringify({ amount: '987654321' })).length).toBeGreaterThan(0);
  });
});

describe('NodeDashboardBackend', () => {
  it('pages blocks newest first and reads one block', async () => {
    const b = backend();
    expect((await b.blocks(undefined, 2)).map((x) => x.height)).toEqual(['4', '3']);
    expect((await b.blocks(3n, 10)).map((x) => x.height)).toEqual(['2', '1']);
    expect(await b.blocks(1n, 10)).toEqual([]);
    expect(await b.blocks(99n, 1)).toHaveLength(1);
    expect((await b.block(2n))!.withdrawals).toBe(1);
    expect(await b.block(9n)).toBeUndefined();
  });

  it('summarises the node and the chain in the overview', async () => {
    const o = await backend().overview();
    expect(o).toMatchObject({
      height: '4',
      mempool: 3,
      poolSize: 42,
      depositsConsumed: '10',
      depositQueue: 2,
      anchoredHeight: '2',
      anchorLag: '2',
      vaultLamports: '5000000000',
      validators: { total: 3, up: 2, down: 1 },
      self: { address: addressOf(SIGNERS[0]!), coordinator: 'candidate' },
    });
    expect(secretsIn(JSON.stringify(o))).toEqual([]);
  });

  it('marks validators up, down (silent past the threshold) and unknown; shows reputation and slashing', async () => {
    const now = { t: 1_700_000_010_000 };
    const v = await backend({}, now).validators();
    expect(v.heartbeatDownAfterMs).toBe(5_000);
    const [self, heard, silent] = v.validators;
    expect(self).toMatchObject({ self: true, status: 'up', coordinator: 'candidate' });
    expect(heard).toMatchObject({ status: 'up', heartbeatAgeMs: 1_000, reputation: 140, missedRounds: 2 });
    expect(silent).toMatchObject({
      status: 'down',
      heartbeatAgeMs: 9_000,
      reputation: null,
      slashCount: 1,
      lastSlashSlot: '77',
    });
    const never = await backend({ lastHeartbeat: () => undefined }).validators();
    expect(never.validators[1]!.status).toBe('unknown');
  });

  it('lists anchors newest first with the transaction found for each', async () => {
    const a = await backend().anchors();
    expect(a.anchors.map((x) => [x.height, x.signature])).toEqual([
      ['2', 'sig-anchor-2'],
      ['1', null],
    ]);
    const none = await backend({ chain: { snapshot: () => EMPTY_CHAIN } }).anchors();
    expect(none).toEqual({ lastHeight: null, anchorCount: null, anchors: [] });
  });

  it('lists stored evidence, newest first, with its slash transaction', async () => {
    const kv = new MemoryKv();
    const store = new EvidenceStore(kv);
    const vote = (height: bigint, hashByte: number): Vote => ({
      height,
      round: 1,
      type: 'prevote',
      blockHash: new Uint8Array(32).fill(hashByte),
      validator: SIGNERS[2]!,
      signature: new Uint8Array(64),
    });
    const first = equivocation(vote(3n, 1), vote(3n, 2));
    await store.record(first);
    await store.record(equivocation(vote(5n, 1), vote(5n, 2)));
    await store.claim(first);
    const offender = addressOf(SIGNERS[2]!);
    const snapshot = chainSnapshot({
      slashTx: new Map([[slashKey(offender, 3n, 1, 1), { signature: 'sig-slash', slot: 9n }]]),
    });
    const e = await backend({ evidence: store, chain: { snapshot: () => snapshot } }).evidence();
    expect(e.evidence.map((x) => [x.height, x.submitted, x.slashSignature])).toEqual([
      ['5', false, null],
      ['3', true, 'sig-slash'],
    ]);
    expect(e.evidence[1]).toMatchObject({ validator: offender, round: 1, type: 'prevote' });
  });

  it('notices new blocks, emits them, and measures finality from them', async () => {
    const now = { t: 1_700_000_003_000 };
    let height = 2;
    const b = backend({ ledger: () => ledgerAt(height) }, now);
    const events: DashboardEvent[] = [];
    b.subscribe((e) => events.push(e));
    await b.checkTip(); // start-up: blocks 1-2 are history, not events
    expect(events).toEqual([]);
    height = 4;
    now.t = 1_700_000_004_250; // block 4 was proposed at ...4_000
    await b.checkTip();
    expect(events.map((e) => e.type === 'block' && e.data.height)).toEqual(['3', '4']);
    const o = await b.overview();
    expect(o.finalityMs).toBe(750); // mean of 1250 (block 3) and 250 (block 4)
    expect(o.blockIntervalMs).toBe(1000);
    expect(o.tps).toBeCloseTo(8 / 60, 3); // 0 + 2 + 2 + 4 transactions in the last 60 s
    await b.sample();
    expect(b.series()).toMatchObject({ height: [4], poolSize: [42], vaultSol: [5] });
    expect(events.at(-1)!.type).toBe('validators');
  });

  it('follows block-final events: the decoded block, no storage read; a repeat is ignored', async () => {
    const now = { t: 1_700_000_003_000 };
    let height = 2;
    let reads = 0;
    const counting: NodeDashboardSources['blocks'] = {
      getByHeight: blocks.getByHeight,
      getQc: blocks.getQc,
      range: async (from, limit) => {
        reads++;
        return blocks.range(from, limit);
      },
    };
    let emitFinal: ((f: FinalBlock) => void) | undefined;
    const b = backend(
      {
        blocks: counting,
        ledger: () => ledgerAt(height),
        finalBlocks: (listener) => {
          emitFinal = listener;
          return () => {
            emitFinal = undefined;
          };
        },
      },
      now,
    );
    const final = (h: number): FinalBlock => {
      const stored = chain[h - 1]!;
      return {
        height: stored.height,
        hash: stored.hash,
        block: decodeBlock(stored.block),
        bytes: stored.block,
        certificate: stored.qc!,
      };
    };
    const events: DashboardEvent[] = [];
    b.subscribe((e) => events.push(e));
    await b.start();
    await b.checkTip(); // start-up: blocks 1-2 from storage, as history
    expect(reads).toBe(1);
    height = 3;
    now.t = 1_700_000_003_500;
    emitFinal!(final(3));
    expect(events.map((e) => e.type === 'block' && e.data.height)).toEqual(['3']);
    expect(reads).toBe(1);
    expect((await b.blocks(undefined, 1))[0]).toEqual(blockSummary(chain[2]!));
    emitFinal!(final(3)); // a repeat changes nothing
    expect(events).toHaveLength(1);
    await b.stop();
    expect(emitFinal).toBeUndefined();
  });

  it('reads storage when an event skips a height', async () => {
    let height = 2;
    let emitFinal: ((f: FinalBlock) => void) | undefined;
    const b = backend({
      ledger: () => ledgerAt(height),
      finalBlocks: (listener) => {
        emitFinal = listener;
        return () => undefined;
      },
    });
    const events: DashboardEvent[] = [];
    b.subscribe((e) => events.push(e));
    await b.start();
    await b.checkTip();
    height = 4;
    const stored = chain[3]!;
    emitFinal!({
      height: 4n,
      hash: stored.hash,
      block: decodeBlock(stored.block),
      bytes: stored.block,
      certificate: stored.qc!,
    });
    for (let i = 0; i < 100 && events.length < 2; i++) await new Promise((r) => setTimeout(r, 10));
    expect(events.map((e) => e.type === 'block' && e.data.height)).toEqual(['3', '4']);
    await b.stop();
  });
});

describe('programEvents', () => {
  const b64 = getBase64Decoder();
  const u64 = (n: bigint) => {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, n, true);
    return b;
  };
  it('finds AnchorEvent heights and SlashEvent slots emitted by the program itself', () => {
    const anchor = concatBytes(eventDiscriminator('AnchorEvent'), u64(17n), new Uint8Array(32));
    const slash = concatBytes(
      eventDiscriminator('SlashEvent'),
      SIGNERS[1]!,
      u64(9n),
      Uint8Array.of(2, 0, 0, 0),
      Uint8Array.of(2),
      u64(1n),
      u64(1n),
    );
    const logs = [
      `Program ${PROGRAM} invoke [1]`,
      `Program data: ${b64.decode(anchor)}`,
      `Program data: ${b64.decode(slash)}`,
      'Program Other111111111111111111111111111111111 invoke [2]',
      `Program data: ${b64.decode(concatBytes(eventDiscriminator('AnchorEvent'), u64(99n)))}`,
      'Program Other111111111111111111111111111111111 success',
      `Program ${PROGRAM} success`,
    ];
    expect(programEvents(logs, PROGRAM)).toEqual([
      { kind: 'anchor', height: 17n },
      { kind: 'slash', validator: addressOf(SIGNERS[1]!), height: 9n, round: 2, voteType: 2 },
    ]);
  });
});
