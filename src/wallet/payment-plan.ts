import { selectNotes } from './coin-selection.js';
import { WalletError } from './errors.js';
import type { OwnedNote } from './note-store.js';

/** A note in a plan: one the wallet holds, or the output of an earlier merge of the plan. */
export interface PlannedNote {
  readonly amount: bigint;
  /** The wallet's note, absent for a merge output that does not exist yet. */
  readonly note?: OwnedNote;
  /** For a merge output: the step (1-based) that makes it. */
  readonly fromStep?: number;
}

/** One merging transfer to ourselves: two notes in, their sum out (and a zero-amount second output). */
export interface MergeStep {
  readonly step: number;
  /** Merges of one round spend disjoint notes, so they are sent together and become final together. */
  readonly round: number;
  readonly inputs: readonly [PlannedNote, PlannedNote];
  readonly amount: bigint;
}

export interface PaymentPlan {
  readonly target: bigint;
  /** Empty when at most two notes pay the target. */
  readonly merges: readonly MergeStep[];
  /** The (at most two) notes the payment spends once the merges are final. */
  readonly payWith: readonly PlannedNote[];
  readonly rounds: number;
}

const byAmount = (a: PlannedNote, b: PlannedNote) => (a.amount < b.amount ? -1 : a.amount > b.amount ? 1 : 0);

/**
 * How to pay `target` from `notes` with a two-input circuit. When one or two notes suffice, that is
 * the plan. Otherwise it takes the fewest notes that cover the target (largest first; each merge
 * removes one note, so fewest notes means fewest merges: k notes need k - 2) and merges them in
 * rounds of disjoint pairs, smallest with smallest, so a round's merges go out together and the
 * payment waits for as few rounds as possible (about log2(k/2)).
 */
export function planPayment(notes: readonly OwnedNote[], target: bigint): PaymentPlan {
  try {
    const direct = selectNotes(notes, target);
    return { target, merges: [], payWith: direct.map((n) => ({ amount: n.amount, note: n })), rounds: 0 };
  } catch (e) {
    if (!(e instanceof WalletError && e.code === 'NEEDS_CONSOLIDATION')) throw e;
  }
  const largestFirst = notes.filter((n) => n.amount > 0n).sort((a, b) => (a.amount > b.amount ? -1 : 1));
  const chosen: PlannedNote[] = [];
  let sum = 0n;
  for (const n of largestFirst) {
    if (sum >= target) break;
    chosen.push({ amount: n.amount, note: n });
    sum += n.amount;
  }
  const merges: MergeStep[] = [];
  let current = chosen.sort(byAmount);
  let round = 0;
  while (current.length > 2) {
    round++;
    const pairs = Math.min(Math.floor(current.length / 2), current.length - 2);
    const next: PlannedNote[] = current.slice(2 * pairs);
    for (let i = 0; i < pairs; i++) {
      const a = current[2 * i]!;
      const b = current[2 * i + 1]!;
      const step = merges.length + 1;
      merges.push({ step, round, inputs: [a, b], amount: a.amount + b.amount });
      next.push({ amount: a.amount + b.amount, fromStep: step });
    }
    current = next.sort(byAmount);
  }
  return { target, merges, payWith: current, rounds: round };
}
