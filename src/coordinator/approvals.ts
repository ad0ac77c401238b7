import { getAddressDecoder } from '@solana/kit';
import {
  ANCHOR_RING,
  type AnchorEntry,
  type ApprovalPath,
  type BridgeState,
  type WithdrawArgs,
  WithdrawalsTree,
} from '../bridge/index.js';
import { bytesEqual, type Logger } from '../common/index.js';
import type { KeyValue } from '../consensus/index.js';
import type { ShieldedTransaction } from '../ledger/index.js';
import { computeOutputsDigest, fieldToBytesBE, Groth16Proof } from '../privacy/index.js';
import {
  ANCHORED_RANGES_KEY,
  decodeStoredRanges,
  encodeStoredRanges,
  type StoredRange,
} from './anchored-ranges-store.js';
import type { CoordinatorMetrics } from './metrics.js';
import type { IndexedWithdrawal, WithdrawalIndex } from './withdrawal-index.js';

/** An anchored entry with the withdrawals its root approves, rebuilt from final blocks. */
export interface AnchoredRange {
  readonly entry: AnchorEntry;
  readonly fromHeight: bigint;
  readonly withdrawals: readonly IndexedWithdrawal[];
  readonly tree: WithdrawalsTree;
}

const addressDecoder = getAddressDecoder();

/**
 * The anchored ranges the chain's ring still holds, oldest first. Entry i covers (height of entry
 * i-1, height of entry i]; the oldest covers (0, h] while the ring has never wrapped. A range whose
 * recomputed root differs from the anchored one (an anchor planned from another starting height,
 * possible only when two coordinators raced) is left out: no path into it can be built from it.
 * Ranges are immutable once anchored, so they are cached by height. A range that leaves the ring is
 * kept while `slot` (when the caller gives it) has not passed its latest expiration: its Approval
 * account outlives the ring until then, so its withdrawals can still be settled. With a `store`, the
 * ranges it serves are remembered across restarts (anchored-ranges-store.ts).
 */
export class AnchoredRanges {
  private readonly cache = new Map<bigint, AnchoredRange | null>();
  private restored = false;
  private persisted: string | undefined;

  constructor(
    private readonly index: WithdrawalIndex,
    private readonly o: {
      readonly store?: KeyValue;
      readonly logger?: Logger;
      readonly metrics?: Pick<CoordinatorMetrics, 'rangesStore'>;
    } = {},
  ) {}

  async of(state: BridgeState, slot?: bigint): Promise<AnchoredRange[]> {
    if (!this.restored) await this.restore();
    const out: AnchoredRange[] = [];
    const wrapped = state.anchorCount > BigInt(ANCHOR_RING);
    for (let i = 0; i < state.anchors.length; i++) {
      const entry = state.anchors[i]!;
      if (i === 0 && wrapped) continue;
      const from = i === 0 ? 0n : state.anchors[i - 1]!.height;
      let range = this.cache.get(entry.height);
      if (range === undefined) {
        range = await this.build(entry, from);
        this.cache.set(entry.height, range);
      }
      if (range) out.push(range);
    }
    const inRing = new Set(state.anchors.map((a) => a.height));
    const retained: AnchoredRange[] = [];
    for (const [h, range] of this.cache) {
      if (inRing.has(h)) continue;
      if (range && slot !== undefined && slot <= latestExpiration(range)) retained.push(range);
      else this.cache.delete(h);
    }
    retained.sort((a, b) => (a.entry.height < b.entry.height ? -1 : 1));
    const all = [...retained, ...out];
    await this.persist(all);
    return all;
  }

  /** Once, before the first answer: the ranges a previous run served, rebuilt from final blocks. */
  private async restore(): Promise<void> {
    this.restored = true;
    const raw = await this.o.store?.get(ANCHORED_RANGES_KEY);
    if (!raw) return;
    let stored: readonly StoredRange[];
    try {
      stored = decodeStoredRanges(raw);
    } catch (err) {
      // Only a cache of what the chain and the blocks say: ranges still in the ring are rebuilt anyway.
      this.o.metrics?.rangesStore.inc({ outcome: 'unreadable' });
      this.o.logger?.error({ err }, 'stored anchored ranges unreadable; serving the ring only');
      return;
    }
    for (const s of stored) {
      if (!this.cache.has(s.entry.height))
        this.cache.set(s.entry.height, await this.build(s.entry, s.fromHeight));
    }
    this.o.metrics?.rangesStore.inc({ outcome: 'restored' }, stored.length);
    this.o.logger?.info({ ranges: stored.length }, 'anchored ranges restored');
  }

  private async persist(ranges: readonly AnchoredRange[]): Promise<void> {
    if (!this.o.store) return;
    const key = ranges.map((r) => `${r.fromHeight}-${r.entry.height}`).join(',');
    if (key === this.persisted) return;
    const bytes = encodeStoredRanges(ranges.map((r) => ({ entry: r.entry, fromHeight: r.fromHeight })));
    try {
      await this.o.store.put(ANCHORED_RANGES_KEY, bytes, { sync: true });
      this.persisted = key;
      this.o.metrics?.rangesStore.inc({ outcome: 'persisted' });
    } catch (err) {
      this.o.metrics?.rangesStore.inc({ outcome: 'persist_failed' });
      this.o.logger?.error({ err }, 'anchored ranges not persisted');
    }
  }

  private async build(entry: AnchorEntry, fromHeight: bigint): Promise<AnchoredRange | null> {
    if (entry.height > this.index.indexedHeight) await this.index.catchUp();
    if (entry.height > this.index.indexedHeight) return null;
    const withdrawals = await this.index.range(fromHeight, entry.height);
    const tree = new WithdrawalsTree(withdrawals.map((w) => w.leaf));
    if (!bytesEqual(fieldToBytesBE(tree.root), entry.withdrawalsRoot)) return null;
    return { entry, fromHeight, withdrawals, tree };
  }
}

function latestExpiration(range: AnchoredRange): bigint {
  let max = 0n;
  for (const w of range.withdrawals) {
    const e = w.tx.tx.statement.extData.expirationSlot;
    if (e > max) max = e;
  }
  return max;
}

/** The withdraw arguments of the range's withdrawal at `position`, with its approval path. */
export function withdrawArgsFor(range: AnchoredRange, position: number): WithdrawArgs {
  const approval = { height: range.entry.height, index: position, siblings: range.tree.path(position) };
  return withdrawArgsOf(range.withdrawals[position]!.tx.tx, approval);
}

/**
 * Everything the program's withdraw instruction needs, from the L2 transaction and its approval: what
 * the relayer sends, and what anyone settling it themselves (`paraloom wallet settle`) sends.
 */
export function withdrawArgsOf(tx: ShieldedTransaction, approval: ApprovalPath): WithdrawArgs {
  const s = tx.statement;
  const e = s.extData;
  return {
    proof: Groth16Proof.fromWire(tx.proof).toChainCompressed(),
    root: s.root,
    nullifiers: s.nullifiers,
    outputs: s.outputCommitments,
    extAmount: e.extAmount,
    fee: e.fee,
    expirationSlot: e.expirationSlot,
    outputsDigest: computeOutputsDigest(e),
    recipient: addressDecoder.decode(e.recipient),
    relayer: addressDecoder.decode(e.relayer),
    approval,
  };
}
