import { withdrawalLeaf } from '../bridge/index.js';
import { type DecodedTransaction, decodeBlock, extDataHashOf, isWithdrawal } from '../ledger/index.js';
import type { Field } from '../privacy/index.js';
import { CoordinatorError } from './errors.js';

/** A withdrawal in a final block, with its leaf in an anchor's withdrawals tree. */
export interface IndexedWithdrawal {
  readonly height: bigint;
  readonly tx: DecodedTransaction;
  readonly leaf: Field;
}

/** Final blocks by height, as the node's BlockStore holds them. */
export interface FinalBlocks {
  tipHeight(): bigint;
  blockBytes(height: bigint): Promise<Uint8Array | undefined>;
}

/**
 * The withdrawals of every final block, by height and by first nullifier, built by reading final
 * blocks in order and kept up to date on demand. Only withdrawals are held (a few hundred bytes
 * each), so the index stays small while the chain of blocks grows; it is rebuilt from storage at
 * start, which costs one read of each stored block.
 */
export class WithdrawalIndex {
  private indexed = 0n;
  private readonly byHeight = new Map<bigint, IndexedWithdrawal[]>();
  private readonly byNullifier = new Map<string, IndexedWithdrawal>();
  private catching: Promise<void> | undefined;

  constructor(private readonly blocks: FinalBlocks) {}

  get indexedHeight(): bigint {
    return this.indexed;
  }

  /** Reads every final block not indexed yet; concurrent callers share one pass. */
  async catchUp(): Promise<void> {
    this.catching ??= this.readNew().finally(() => {
      this.catching = undefined;
    });
    return this.catching;
  }

  private async readNew(): Promise<void> {
    const tip = this.blocks.tipHeight();
    for (let h = this.indexed + 1n; h <= tip; h++) {
      const bytes = await this.blocks.blockBytes(h);
      if (!bytes) throw new CoordinatorError('BLOCK_MISSING', 'a final block is missing', { height: `${h}` });
      const found: IndexedWithdrawal[] = [];
      for (const d of decodeBlock(bytes).transactions) {
        if (!isWithdrawal(d.tx)) continue;
        const [n0, n1] = d.tx.statement.nullifiers;
        const w = { height: h, tx: d, leaf: withdrawalLeaf(n0, n1, extDataHashOf(d.tx)) };
        found.push(w);
        this.byNullifier.set(nullifierKey(n0), w);
      }
      if (found.length) this.byHeight.set(h, found);
      this.indexed = h;
    }
  }

  /** Withdrawals of final blocks in (from, to], in block order. */
  async range(from: bigint, to: bigint): Promise<IndexedWithdrawal[]> {
    if (to > this.indexed) await this.catchUp();
    const out: IndexedWithdrawal[] = [];
    for (let h = from + 1n; h <= to; h++) out.push(...(this.byHeight.get(h) ?? []));
    return out;
  }

  /** Whether any final block in (from, to] holds a withdrawal. */
  async any(from: bigint, to: bigint): Promise<boolean> {
    if (to > this.indexed) await this.catchUp();
    for (const h of this.byHeight.keys()) if (h > from && h <= to) return true;
    return false;
  }

  /** The withdrawal whose first nullifier is `n0`, if a final block holds it. */
  async find(n0: Field): Promise<IndexedWithdrawal | undefined> {
    await this.catchUp();
    return this.byNullifier.get(nullifierKey(n0));
  }
}

function nullifierKey(n: Field): string {
  return n.toString(16);
}
