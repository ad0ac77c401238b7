import { withdrawalLeaf } from '../bridge/index.js';
import { createLogger, type Logger } from '../common/index.js';
import {
  type Block,
  type DecodedTransaction,
  decodeBlock,
  extDataHashOf,
  type FinalBlock,
  isWithdrawal,
} from '../ledger/index.js';
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
  /**
   * The lowest final block held (1, or H for a node that joined by snapshot at H); absent: 1. Below
   * it the index knows no withdrawal, so a range reaching below it is refused (BLOCK_MISSING).
   */
  firstHeight?(): Promise<bigint | undefined>;
}

/**
 * The withdrawals of every final block, by height and by first nullifier. Rebuilt from storage at
 * start (one read of each stored block), then kept up to date by the ledger's block-final events
 * (`follow`), which carry the decoded block; storage is read again only to fill a gap (an event
 * missed while the start-up pass ran). Only withdrawals are held (a few hundred bytes each), so the
 * index stays small while the chain of blocks grows.
 */
export class WithdrawalIndex {
  private indexed = 0n;
  /** Blocks below this were never held here (a snapshot join); set by the first pass. */
  private first: bigint | undefined;
  private readonly byHeight = new Map<bigint, IndexedWithdrawal[]>();
  private readonly byNullifier = new Map<string, IndexedWithdrawal>();
  private catching: Promise<void> | undefined;

  private readonly log: Logger;

  constructor(
    private readonly blocks: FinalBlocks,
    logger?: Logger,
  ) {
    this.log = logger ?? createLogger('coordinator.withdrawals');
  }

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

  /**
   * A block the ledger just made final. The next height is indexed from the event's decoded block;
   * a gap (or an event during the start-up pass) is filled from storage, where the block already is.
   */
  follow(final: Pick<FinalBlock, 'height' | 'block'>): void {
    if (final.height <= this.indexed) return;
    if (final.height === this.indexed + 1n && !this.catching) {
      this.index(final.height, final.block);
      return;
    }
    // On failure the next query catches up again (and throws BLOCK_MISSING to its caller).
    this.catchUp().catch((err: unknown) => this.log.warn({ err }, 'withdrawal index catch-up failed'));
  }

  private async readNew(): Promise<void> {
    if (this.first === undefined) {
      const first = (await this.blocks.firstHeight?.()) ?? 1n;
      this.first = first;
      if (this.indexed < first - 1n) this.indexed = first - 1n;
    }
    // The tip is read again each time round: blocks that became final during the pass are read too.
    while (this.indexed < this.blocks.tipHeight()) {
      const h = this.indexed + 1n;
      const bytes = await this.blocks.blockBytes(h);
      if (!bytes) throw new CoordinatorError('BLOCK_MISSING', 'a final block is missing', { height: `${h}` });
      this.index(h, decodeBlock(bytes));
    }
  }

  /** A range (from, to] whose first block this node never held cannot be answered from the index. */
  private checkHeld(from: bigint): void {
    if (this.first !== undefined && from + 1n < this.first) {
      throw new CoordinatorError('BLOCK_MISSING', 'a final block is missing', { height: `${from + 1n}` });
    }
  }

  private index(height: bigint, block: Block): void {
    const found: IndexedWithdrawal[] = [];
    for (const d of block.transactions) {
      if (!isWithdrawal(d.tx)) continue;
      const { nullifiers, root } = d.tx.statement;
      const [n0, n1] = nullifiers;
      const w = { height, tx: d, leaf: withdrawalLeaf(n0, n1, extDataHashOf(d.tx), root) };
      found.push(w);
      this.byNullifier.set(nullifierKey(n0), w);
    }
    if (found.length) this.byHeight.set(height, found);
    this.indexed = height;
  }

  /** Withdrawals of final blocks in (from, to], in block order. */
  async range(from: bigint, to: bigint): Promise<IndexedWithdrawal[]> {
    if (to > this.indexed) await this.catchUp();
    this.checkHeld(from);
    const out: IndexedWithdrawal[] = [];
    for (let h = from + 1n; h <= to; h++) out.push(...(this.byHeight.get(h) ?? []));
    return out;
  }

  /** Whether any final block in (from, to] holds a withdrawal. */
  async any(from: bigint, to: bigint): Promise<boolean> {
    if (to > this.indexed) await this.catchUp();
    this.checkHeld(from);
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
