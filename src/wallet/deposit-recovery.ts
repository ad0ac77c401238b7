import {
  depositSecrets,
  diversifiedKey,
  type Field,
  type IncomingViewingKey,
  noteCommitment,
} from '../privacy/index.js';

/**
 * How many deposit numbers in a row may be missing before a restore stops looking: a deposit whose
 * transaction failed leaves its number unused, so the search does not stop at the first gap.
 */
export const DEPOSIT_GAP = 20;

/** A deposit as its instruction shows it on chain: the note's opening, in clear. */
export interface PublicDeposit {
  readonly amount: bigint;
  readonly ownerPk: Field;
  readonly blinding: Field;
  readonly asset: Field;
  readonly signature?: string;
}

export interface FoundDeposit {
  /** The deposit number i whose (d_i, blinding_i) it uses. */
  readonly index: number;
  readonly diversifier: Field;
  readonly commitment: Field;
  readonly deposit: PublicDeposit;
}

/**
 * This wallet's deposits among all the program's deposits: deposit i has owner key P2(ak, d_i) and
 * blinding blinding_i, both derived from ivk, so a restore recomputes them for i = 0, 1, ... until
 * `gap` numbers in a row are not on chain. `next` is the first number after the last one found: the
 * wallet's next deposit must use it (an earlier number would show a deposit's owner key again and
 * link the two deposits).
 */
export function findOwnDeposits(
  key: IncomingViewingKey,
  deposits: readonly PublicDeposit[],
  gap = DEPOSIT_GAP,
): { next: number; found: FoundDeposit[] } {
  const byOwner = new Map<Field, PublicDeposit[]>();
  for (const d of deposits) byOwner.set(d.ownerPk, [...(byOwner.get(d.ownerPk) ?? []), d]);
  const found: FoundDeposit[] = [];
  let next = 0;
  for (let i = 0; i < next + gap; i++) {
    const { diversifier } = depositSecrets(key.ivk, i);
    const pkD = diversifiedKey(key.ak, diversifier);
    // The owner key decides: whatever blinding the instruction shows (ours is blinding_i), the note
    // opens with it and we hold the diversifier that spends it.
    for (const d of byOwner.get(pkD) ?? []) {
      const commitment = noteCommitment({ amount: d.amount, pkD, blinding: d.blinding, asset: d.asset });
      found.push({ index: i, diversifier, commitment, deposit: d });
      next = i + 1;
    }
  }
  return { next, found };
}
