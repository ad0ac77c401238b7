import { WalletError } from './errors.js';
import type { OwnedNote } from './note-store.js';

/** How many candidate notes the pair search looks at (largest first): bounds the O(n²) search. */
const PAIR_SEARCH_LIMIT = 256;

/**
 * Picks at most two notes (the circuit has two inputs) covering `target`: the smallest single
 * note that suffices, else the pair with the smallest sufficient sum (least change, fewest notes
 * left dusty). When only three or more notes together suffice, the user must consolidate first.
 */
export function selectNotes(notes: readonly OwnedNote[], target: bigint): OwnedNote[] {
  if (target <= 0n)
    throw new WalletError('AMOUNT_INVALID', 'amount must be positive', { target: target.toString() });
  const candidates = [...notes].filter((n) => n.amount > 0n).sort((a, b) => (a.amount < b.amount ? -1 : 1));
  const single = candidates.find((n) => n.amount >= target);
  if (single) return [single];
  const pool = candidates.slice(-PAIR_SEARCH_LIMIT);
  let best: [OwnedNote, OwnedNote] | undefined;
  let bestSum = 0n;
  for (let i = 0; i < pool.length; i++) {
    for (let j = i + 1; j < pool.length; j++) {
      const sum = pool[i]!.amount + pool[j]!.amount;
      if (sum >= target && (!best || sum < bestSum)) {
        best = [pool[i]!, pool[j]!];
        bestSum = sum;
      }
    }
  }
  if (best) return best;
  const total = candidates.reduce((s, n) => s + n.amount, 0n);
  if (total >= target) {
    throw new WalletError(
      'NEEDS_CONSOLIDATION',
      'the balance is spread over more notes than one transaction can spend; send yourself a transfer to merge notes first',
      { target: target.toString(), balance: total.toString(), notes: candidates.length },
    );
  }
  throw new WalletError('INSUFFICIENT_FUNDS', 'not enough shielded funds', {
    target: target.toString(),
    balance: total.toString(),
  });
}
