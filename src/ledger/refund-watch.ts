import type { Block } from './block.js';
import { type RefundEntry, type ResolvedRefund, refundEntriesOf, refundOf } from './refunds.js';

const keyOf = (r: Pick<RefundEntry, 'height' | 'index'>): string => `${r.height}:${r.index}`;

/**
 * The final withdrawals that offer a refund and were neither refunded nor seen settled: what a
 * proposer may refund once they expire. Filled from final blocks in height order (at open, from
 * storage; then from each commit); a refund section removes what it refunded, and a proposer drops
 * what it found settled on Solana or refunded. Memory only: rebuilt from the stored blocks at start.
 */
export class RefundWatch {
  private readonly byPosition = new Map<string, ResolvedRefund>();

  get size(): number {
    return this.byPosition.size;
  }

  /** Follows one final block: its withdrawals with a refund in, the ones it refunds out. */
  follow(height: bigint, block: Pick<Block, 'transactions' | 'sections'>): void {
    block.transactions.forEach((d, index) => {
      const offered = refundOf(height, index, d);
      if (offered) this.byPosition.set(keyOf(offered), offered);
    });
    for (const r of refundEntriesOf(block)) this.byPosition.delete(keyOf(r));
  }

  /** Withdrawals that expired before `finalizedSlot`, earliest expiration first, at most `limit`. */
  due(finalizedSlot: bigint, limit: number): ResolvedRefund[] {
    const due = [...this.byPosition.values()].filter((r) => r.expirationSlot < finalizedSlot);
    due.sort((a, b) =>
      a.expirationSlot < b.expirationSlot ? -1 : a.expirationSlot > b.expirationSlot ? 1 : 0,
    );
    return due.slice(0, limit);
  }

  /** Every withdrawal watched, in no particular order (what a snapshot must let a joiner check). */
  pending(): ResolvedRefund[] {
    return [...this.byPosition.values()];
  }

  /** Forgets a withdrawal that settled on Solana (or was refunded): it is never refundable again. */
  drop(r: Pick<RefundEntry, 'height' | 'index'>): void {
    this.byPosition.delete(keyOf(r));
  }
}
