import { describe, expect, it } from 'vitest';
import {
  type BridgeState,
  type decodeBridgeState,
  encodeAnchorFields,
  WithdrawalsTree,
  withdrawalLeaf,
} from '../bridge/index.js';
import { MemoryKv } from '../consensus/index.js';
import { type Block, blockHash, extDataHashOf, MAX_BLOCK_TRANSACTIONS } from '../ledger/index.js';
import { DirectRouter, type NetworkMessage } from '../network/index.js';
import { type Field, fieldToBytesBE, hash2 } from '../privacy/index.js';
import { keypairFromSeed, ValidatorSigner, verifyAnchor } from '../validator/index.js';
import {
  DIRECT_KINDS,
  decodeAnchorSignature,
  decodeSignRequest,
  encodeAnchorSignature,
  encodeSignRequest,
} from './anchor-messages.js';
import { MAX_ANCHOR_WITHDRAWALS, nextAnchorHeight, planAnchor } from './anchor-plan.js';
import { AnchorSigningService } from './anchor-signing.js';
import { ANCHORED_RANGES_KEY } from './anchored-ranges-store.js';
import { AnchoredRanges } from './approvals.js';
import { CoordinatorError } from './errors.js';
import { chain } from './testing/index.js';
import { WithdrawalIndex } from './withdrawal-index.js';

const leavesOf = (b: Block): Field[] =>
  b.transactions
    .filter((t) => t.tx.statement.extData.extAmount < 0n)
    .map((t) =>
      withdrawalLeaf(
        t.tx.statement.nullifiers[0],
        t.tx.statement.nullifiers[1],
        extDataHashOf(t.tx),
        t.tx.statement.root,
      ),
    );

describe('anchor plans', () => {
  it('cover every withdrawal of (from, height] in block order, with the block at height', async () => {
    const { blocks, list } = chain([0, 2, 0, 1, 0]);
    const index = new WithdrawalIndex(blocks);
    const plan = await planAnchor(blocks, index, 0n, 5n);
    const leaves = [...leavesOf(list[1]!), ...leavesOf(list[3]!)];
    expect(plan.withdrawals.map((w) => w.leaf)).toEqual(leaves);
    expect(plan.fields.withdrawalsRoot).toEqual(fieldToBytesBE(new WithdrawalsTree(leaves).root));
    expect(plan.fields.root).toEqual(fieldToBytesBE(list[4]!.header.commitmentRoot));
    expect(plan.fields.blockHash).toEqual(blockHash(list[4]!.header));
    const later = await planAnchor(blocks, index, 2n, 4n);
    expect(later.withdrawals.map((w) => w.leaf)).toEqual(leavesOf(list[3]!));
    // An empty range of withdrawals anchors the zero root (nothing can be approved by it).
    expect((await planAnchor(blocks, index, 4n, 5n)).fields.withdrawalsRoot).toEqual(new Uint8Array(32));
    const n0 = list[3]!.transactions[1]!.tx.statement.nullifiers[0];
    expect((await index.find(n0))?.height).toBe(4n);
  });

  it('stop short of the withdrawal that would not fit one approval, and anchor the rest next', async () => {
    const { blocks } = chain([0, 2, 0, 3, 1]);
    const index = new WithdrawalIndex(blocks);
    // At most 4 per anchor: (0, 5] holds 6, the 5th of them is in block 4, so the first anchor ends at 3.
    expect(await nextAnchorHeight(index, 0n, 5n, 4)).toBe(3n);
    expect(await nextAnchorHeight(index, 3n, 5n, 4)).toBe(5n);
    expect(await nextAnchorHeight(index, 0n, 5n)).toBe(5n);
    const first = await planAnchor(blocks, index, 0n, 3n);
    expect(first.withdrawals.length).toBe(2);
    expect(first.fields.maxExpirationSlot).toBe(99n);
    expect((await planAnchor(blocks, index, 2n, 3n)).fields.maxExpirationSlot).toBe(0n);
    // A block never holds more withdrawals than one approval can prove (so one block always fits an
    // anchor); raising the block limit past 2^MAX_APPROVAL_DEPTH would need a withdrawal cap per block.
    expect(MAX_BLOCK_TRANSACTIONS).toBeLessThanOrEqual(MAX_ANCHOR_WITHDRAWALS);
    // A single block holding more than one approval can prove is refused, not split.
    await expect(nextAnchorHeight(index, 3n, 5n, 2)).rejects.toMatchObject({
      code: 'ANCHOR_RANGE_TOO_MANY_WITHDRAWALS',
    });
    // The 512-block bound still applies.
    const long = chain(Array.from({ length: 600 }, () => 0));
    expect(await nextAnchorHeight(new WithdrawalIndex(long.blocks), 0n, 600n)).toBe(512n);
  });

  it('refuse empty, reversed, too long and not-yet-final ranges', async () => {
    const { blocks } = chain([0, 0, 0]);
    const index = new WithdrawalIndex(blocks);
    for (const [from, to] of [
      [2n, 2n],
      [3n, 1n],
      [0n, 4n],
      [0n, 600n],
    ] as const) {
      await expect(planAnchor(blocks, index, from, to)).rejects.toMatchObject({
        code: 'ANCHOR_RANGE_INVALID',
      });
    }
  });
});

describe('anchored ranges', () => {
  const state = (anchors: { height: bigint; withdrawalsRoot: Uint8Array }[]): BridgeState =>
    ({
      ...decodeBridgeStateStub(),
      anchorCount: BigInt(anchors.length),
      anchors: anchors.map((a) => ({ ...a, root: new Uint8Array(32), blockHash: new Uint8Array(32) })),
    }) as BridgeState;

  it('rebuild approvals for the ring and drop a range whose root does not match', async () => {
    const { blocks } = chain([1, 0, 2, 1]);
    const index = new WithdrawalIndex(blocks);
    const a2 = await planAnchor(blocks, index, 0n, 2n);
    const a4 = await planAnchor(blocks, index, 2n, 4n);
    const ranges = new AnchoredRanges(index);
    const got = await ranges.of(
      state([
        { height: 2n, withdrawalsRoot: a2.fields.withdrawalsRoot },
        { height: 4n, withdrawalsRoot: a4.fields.withdrawalsRoot },
      ]),
    );
    expect(got.map((r) => [r.fromHeight, r.entry.height, r.withdrawals.length])).toEqual([
      [0n, 2n, 1],
      [2n, 4n, 3],
    ]);
    // The third withdrawal of (2, 4] proves membership in the anchored root at height 4.
    const leaf = got[1]!.withdrawals[2]!.leaf;
    const path = got[1]!.tree.path(2);
    let node = leaf;
    path.forEach((sib, d) => {
      node = (2 >> d) & 1 ? hash2(sib, node) : hash2(node, sib);
    });
    expect(fieldToBytesBE(node)).toEqual(a4.fields.withdrawalsRoot);
    // A root planned from another start (two racing coordinators) cannot be served.
    const other = await new AnchoredRanges(index).of(
      state([
        { height: 2n, withdrawalsRoot: a2.fields.withdrawalsRoot },
        { height: 4n, withdrawalsRoot: (await planAnchor(blocks, index, 0n, 4n)).fields.withdrawalsRoot },
      ]),
    );
    expect(other.map((r) => r.entry.height)).toEqual([2n]);
  });

  it('keep a range that left the ring until its withdrawals expire (its Approval account lives on)', async () => {
    const { blocks } = chain([1, 0, 2, 1]);
    const index = new WithdrawalIndex(blocks);
    const a2 = await planAnchor(blocks, index, 0n, 2n);
    const a4 = await planAnchor(blocks, index, 2n, 4n);
    const ranges = new AnchoredRanges(index);
    const both = state([
      { height: 2n, withdrawalsRoot: a2.fields.withdrawalsRoot },
      { height: 4n, withdrawalsRoot: a4.fields.withdrawalsRoot },
    ]);
    expect((await ranges.of(both, 10n)).length).toBe(2);
    // The ring has moved on (height 2 rotated out): the test chain's withdrawals expire at slot 99.
    const rotated = { ...both, anchors: both.anchors.slice(1) };
    expect((await ranges.of(rotated, 99n)).map((r) => r.entry.height)).toEqual([2n, 4n]);
    expect((await ranges.of(rotated, 100n)).map((r) => r.entry.height)).toEqual([4n]);
    // Once dropped it is not rebuilt from the ring, which no longer names it.
    expect((await ranges.of(rotated, 10n)).map((r) => r.entry.height)).toEqual([4n]);
    // Without a slot, only the ring counts.
    expect((await ranges.of(both, 10n)).length).toBe(2);
    expect((await ranges.of(rotated)).map((r) => r.entry.height)).toEqual([4n]);
  });

  it('remember a range that left the ring across a restart, and forget one whose stored root is wrong', async () => {
    const { blocks } = chain([1, 0, 2, 1]);
    const index = new WithdrawalIndex(blocks);
    const a2 = await planAnchor(blocks, index, 0n, 2n);
    const a4 = await planAnchor(blocks, index, 2n, 4n);
    const both = state([
      { height: 2n, withdrawalsRoot: a2.fields.withdrawalsRoot },
      { height: 4n, withdrawalsRoot: a4.fields.withdrawalsRoot },
    ]);
    // 65 anchors so far: the ring wrapped, and its oldest entry (4) has no known start, so it is not served.
    const rotated = { ...both, anchorCount: 65n, anchors: both.anchors.slice(1) };
    const store = new MemoryKv();
    expect((await new AnchoredRanges(index, { store }).of(both, 10n)).length).toBe(2);
    // A restarted node sees only the rotated ring, yet still serves (0, 2] until it expires.
    const restarted = await new AnchoredRanges(index, { store }).of(rotated, 10n);
    expect(restarted.map((r) => [r.fromHeight, r.entry.height, r.withdrawals.length])).toEqual([[0n, 2n, 1]]);
    expect(fieldToBytesBE(restarted[0]!.tree.root)).toEqual(a2.fields.withdrawalsRoot);
    // Without the store it could not.
    expect(await new AnchoredRanges(index).of(rotated, 10n)).toEqual([]);
    // Past expiry it is dropped from the store too.
    expect(await new AnchoredRanges(index, { store }).of(rotated, 100n)).toEqual([]);
    expect(await new AnchoredRanges(index, { store }).of(rotated, 10n)).toEqual([]);
    // A stored range whose blocks do not give its root is not served; unreadable bytes are ignored.
    const forged = new MemoryKv();
    await new AnchoredRanges(index, { store: forged }).of(both, 10n);
    const intact = (await forged.get(ANCHORED_RANGES_KEY))!;
    const bytes = intact.slice();
    bytes[3 + 16 + 32] ^= 1; // first range's withdrawals_root
    await forged.put(ANCHORED_RANGES_KEY, bytes);
    expect(await new AnchoredRanges(index, { store: forged }).of(rotated, 10n)).toEqual([]);
    await forged.put(ANCHORED_RANGES_KEY, new Uint8Array([9, 9, 9]));
    expect(await new AnchoredRanges(index, { store: forged }).of(rotated, 10n)).toEqual([]);
    // The intact bytes do restore it: the two refusals above are the root and the bytes.
    await forged.put(ANCHORED_RANGES_KEY, intact);
    expect((await new AnchoredRanges(index, { store: forged }).of(rotated, 10n)).length).toBe(1);
  });
});

describe('anchor signing over the direct protocol', () => {
  it('signs what the validator recomputes, and refuses ranges it cannot', async () => {
    const { blocks } = chain([0, 1, 0]);
    const index = new WithdrawalIndex(blocks);
    let handler: ((req: NetworkMessage, from: string) => Promise<NetworkMessage>) | undefined;
    const router = new DirectRouter({ handle: (_n, h) => (handler = h) });
    const signer = new ValidatorSigner(keypairFromSeed(new Uint8Array(32).fill(3)), {
      programId: 'PaRa1oomDev11111111111111111111111111111111',
      cluster: 'localnet',
    });
    await new AnchorSigningService({ router, signer, blocks, index }).start();
    const ask = (fromHeight: bigint, height: bigint) =>
      handler!(
        {
          type: 'DIRECT',
          kind: DIRECT_KINDS.anchorSignRequest,
          body: encodeSignRequest({ fromHeight, height }),
        },
        'peer',
      );
    const res = await ask(0n, 3n);
    expect(res.type === 'DIRECT' && res.kind).toBe(DIRECT_KINDS.anchorSignature);
    const sig = decodeAnchorSignature((res as { body: Uint8Array }).body);
    expect(verifyAnchor(signer.domain, sig)).toBe(true);
    expect(encodeAnchorFields(sig.fields)).toEqual(
      encodeAnchorFields((await planAnchor(blocks, index, 0n, 3n)).fields),
    );
    expect(await ask(0n, 9n)).toMatchObject({ type: 'ERROR', text: 'ANCHOR_RANGE_INVALID' });
    expect(
      await handler!(
        { type: 'DIRECT', kind: DIRECT_KINDS.anchorSignRequest, body: new Uint8Array(15) },
        'peer',
      ),
    ).toMatchObject({ type: 'ERROR', text: 'MESSAGE_MALFORMED' });
    expect(await handler!({ type: 'DIRECT', kind: 0x7777, body: new Uint8Array(0) }, 'peer')).toMatchObject({
      type: 'ERROR',
    });
  });

  it('messages round-trip and refuse wrong lengths', () => {
    expect(decodeSignRequest(encodeSignRequest({ fromHeight: 7n, height: 9n }))).toEqual({
      fromHeight: 7n,
      height: 9n,
    });
    const s = {
      publicKey: new Uint8Array(32).fill(1),
      signature: new Uint8Array(64).fill(2),
      fields: {
        height: 5n,
        root: new Uint8Array(32).fill(3),
        depositsConsumed: 4n,
        depositAcc: new Uint8Array(32).fill(5),
        withdrawalsRoot: new Uint8Array(32).fill(6),
        blockHash: new Uint8Array(32).fill(7),
        maxExpirationSlot: 8n,
      },
    };
    expect(decodeAnchorSignature(encodeAnchorSignature(s))).toEqual(s);
    expect(() => decodeAnchorSignature(new Uint8Array(10))).toThrow(CoordinatorError);
  });
});

/** Fields the ranges code does not read; a real account layout is decoded elsewhere (src/bridge). */
function decodeBridgeStateStub(): Partial<BridgeState> {
  return { lastHeight: 0n } satisfies Partial<ReturnType<typeof decodeBridgeState>>;
}
