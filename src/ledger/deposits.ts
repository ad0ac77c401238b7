import { type Field, hash2 } from '../privacy/index.js';
import { LedgerError } from './errors.js';

/** One finalized entry of the program's deposit queue (the bridge's `Deposit` satisfies this). */
export interface PendingDeposit {
  readonly index: bigint;
  readonly amount: bigint;
  readonly commitment: Field;
  /** acc_{index+1} = P2(acc_index, commitment), as the program logged it. */
  readonly accumulator: Field;
  /** Solana slot of the deposit (the listener resumes from the slot of the last consumed one). */
  readonly slot: bigint;
}

export function nextAccumulator(acc: Field, commitment: Field): Field {
  return hash2(acc, commitment);
}

/**
 * Finalized deposits the deposit listener delivered and no committed block consumed yet, in queue
 * order. This is the node's own view of the chain: a proposal may only consume deposits found here,
 * at the same index with the same commitment, so a leader cannot invent, skip or reorder deposits
 * (the program checks the count and accumulator again at anchor time).
 */
export class DepositQueue {
  private readonly items: PendingDeposit[] = [];
  /** Index of items[0]. */
  private first: bigint;
  private acc: Field;

  constructor(
    consumed: bigint,
    accumulator: Field,
    private readonly capacity = 100_000,
  ) {
    this.first = consumed;
    this.acc = accumulator;
  }

  get size(): number {
    return this.items.length;
  }

  /** Index the next delivered deposit must have. */
  get nextIndex(): bigint {
    return this.first + BigInt(this.items.length);
  }

  /**
   * Appends deposits in queue order. Already-known ones (a listener replaying after a restart) are
   * skipped; a gap or a broken accumulator chain throws and adds nothing, so the listener keeps its
   * cursor and retries.
   */
  add(deposits: readonly PendingDeposit[]): number {
    let next = this.nextIndex;
    let acc = this.acc;
    const fresh: PendingDeposit[] = [];
    for (const d of deposits) {
      if (d.index < next) continue;
      if (d.index > next) {
        throw new LedgerError('DEPOSIT_OUT_OF_ORDER', 'deposit gap', {
          expected: `${next}`,
          got: `${d.index}`,
        });
      }
      if (nextAccumulator(acc, d.commitment) !== d.accumulator) {
        throw new LedgerError('DEPOSIT_OUT_OF_ORDER', 'deposit accumulator does not chain', {
          index: `${d.index}`,
        });
      }
      acc = d.accumulator;
      next += 1n;
      fresh.push(d);
    }
    if (this.items.length + fresh.length > this.capacity) {
      throw new LedgerError('DEPOSIT_QUEUE_FULL', 'too many unconsumed deposits', {
        capacity: this.capacity,
      });
    }
    this.items.push(...fresh);
    this.acc = acc;
    return fresh.length;
  }

  /** Up to `limit` deposits starting at queue index `from`, in order. */
  take(from: bigint, limit: number): PendingDeposit[] {
    if (from < this.first) return [];
    const start = Number(from - this.first);
    return this.items.slice(start, start + limit);
  }

  get(index: bigint): PendingDeposit | undefined {
    if (index < this.first) return undefined;
    return this.items[Number(index - this.first)];
  }

  /** Forgets deposits a committed block consumed. */
  consumedUpTo(consumed: bigint, accumulator: Field): void {
    if (consumed <= this.first) return;
    const drop = Number(consumed - this.first);
    if (drop >= this.items.length) {
      this.items.length = 0;
      this.acc = accumulator;
    } else {
      this.items.splice(0, drop);
    }
    this.first = consumed;
  }
}
