import {
  type AnyWalletKey,
  diversifiedKey,
  type Field,
  noteNullifier,
  type OpenedNote,
  refundSecrets,
  seesSpends,
  tryDecryptNote,
} from '../privacy/index.js';
import type { IngressOutput, OutputTransaction } from './ingress-client.js';
import type { NoteOrigin, NoteStore, OwnedNote } from './note-store.js';
import type { PublishedOutput } from './scanner.js';
import { learnSentLeaves } from './sent-payments.js';

/**
 * How many withdrawal numbers past the last one the wallet knows of it looks for in a spend's refund
 * owner key: a restored wallet learns that way how many refund keys its withdrawals used, so its
 * next withdrawal takes a fresh one (a reused refund key would link two withdrawals).
 */
export const REFUND_GAP = 20;

export interface ChunkCounts {
  readonly received: number;
  readonly depositsLanded: number;
  readonly finalized: number;
  /** Spends of our notes by transactions this wallet did not send (a restore, another device). */
  readonly spendsSeen: number;
}

/** A transaction in the chunk that spends notes of ours, resolved once its second output is scanned. */
interface OwnSpend {
  readonly tx: OutputTransaction;
  readonly firstLeaf: number;
  readonly spent: readonly OwnedNote[];
}

/**
 * Applies one checked chunk of published outputs to the store, in leaf order: notes that open with
 * our key, our deposits that landed, our spends (by nullifier, when the key sees them), and our
 * submitted transactions that became final. A note paid by one of our own transactions is change
 * and gets no history entry of its own; a spend this wallet does not remember sending (a restore)
 * gets the entry its public fields and our notes imply. The sync never splits a transaction's two
 * outputs across chunks, so both are here when its spend is resolved.
 */
export function applyChunk(
  keys: AnyWalletKey,
  store: NoteStore,
  opening: readonly PublishedOutput[],
  outputs: readonly IngressOutput[],
  seen: ReadonlySet<Field>,
): ChunkCounts {
  const opened = new Map<number, OpenedNote>();
  for (const out of opening) {
    try {
      const note = tryDecryptNote(out.envelope, keys, out.commitment);
      if (note) opened.set(out.leafIndex, note);
    } catch {
      // A malformed envelope is someone else's problem.
    }
  }
  const nk = seesSpends(keys) ? keys.nk : undefined;
  const byNullifier = new Map<Field, OwnedNote>();
  if (nk !== undefined) {
    for (const n of store.all)
      if (n.status !== 'spent' && n.nullifier !== undefined) byNullifier.set(n.nullifier, n);
  }
  const ourOutputs = new Set<Field>(store.pendingTransactions.flatMap((t) => t.outputs));
  const refunds = new RefundKeys(keys, store);
  const resolveAt = new Map<number, OwnSpend>();
  let received = 0;
  let depositsLanded = 0;
  let spendsSeen = 0;
  for (const o of outputs) {
    if (o.transaction && nk !== undefined) {
      const spent = o.transaction.nullifiers.flatMap((n) => byNullifier.get(n) ?? []);
      if (spent.length > 0) {
        for (const n of spent) byNullifier.delete(n.nullifier!);
        resolveAt.set(o.leafIndex + 1, { tx: o.transaction, firstLeaf: o.leafIndex, spent });
        ourOutputs.add(o.commitment);
        const second = outputs.find((x) => x.leafIndex === o.leafIndex + 1);
        if (second) ourOutputs.add(second.commitment);
      }
    }
    const found = o.envelope === undefined ? landedDeposit(store, o) : fromOpened(opened.get(o.leafIndex));
    if (found) {
      const origin: NoteOrigin =
        o.envelope === undefined
          ? 'deposit'
          : ourOutputs.has(o.commitment)
            ? 'change'
            : refunds.isRefund(found.diversifier)
              ? 'refund'
              : 'received';
      const note = {
        commitment: o.commitment,
        leafIndex: o.leafIndex,
        amount: found.amount,
        blinding: found.blinding,
        asset: found.asset,
        diversifier: found.diversifier,
        ...(nk !== undefined ? { nullifier: noteNullifier(nk, o.commitment, o.leafIndex) } : {}),
      };
      if (store.add(note, origin)) {
        if (origin === 'deposit') depositsLanded++;
        else received++;
        if (note.nullifier !== undefined) byNullifier.set(note.nullifier, store.find(o.commitment)!);
      }
    }
    store.scannedUpTo = Math.max(store.scannedUpTo, o.leafIndex + 1);
    const spend = resolveAt.get(o.leafIndex);
    if (spend) {
      resolveAt.delete(o.leafIndex);
      if (resolveSpend(store, spend, outputs, refunds)) spendsSeen++;
    }
  }
  learnSentLeaves(store, outputs);
  return { received, depositsLanded, finalized: finalizeSubmitted(store, seen), spendsSeen };
}

/** What the store keeps of a note found in the chunk. */
interface FoundNote {
  readonly amount: bigint;
  readonly blinding: Field;
  readonly asset: Field;
  readonly diversifier: Field;
}

function fromOpened(o: OpenedNote | undefined): FoundNote | undefined {
  return o && { ...o.note, diversifier: o.diversifier };
}

/** A deposit of ours whose commitment this leaf is: it leaves the pending list for the notes. */
function landedDeposit(store: NoteStore, o: IngressOutput): FoundNote | undefined {
  const i = store.pendingDeposits.findIndex((d) => d.commitment === o.commitment);
  return i < 0 ? undefined : store.pendingDeposits.splice(i, 1)[0]!;
}

/**
 * A transaction that spends notes of ours. One we submitted is left to finalizeSubmitted (its history
 * entry is the one we recorded when sending). Anything else is ours all the same (the nullifiers
 * need our nk): its notes are spent, a submission of ours that spent them too will never land, and
 * its history entry is inferred from its public amount and the outputs that came back to us.
 */
function resolveSpend(
  store: NoteStore,
  spend: OwnSpend,
  outputs: readonly IngressOutput[],
  refunds: RefundKeys,
): boolean {
  const pair = outputs.filter((o) => o.leafIndex === spend.firstLeaf || o.leafIndex === spend.firstLeaf + 1);
  const spentCommitments = spend.spent.map((n) => n.commitment);
  const ours = store.pendingTransactions.find(
    (t) => t.outputs.length === pair.length && t.outputs.every((c, i) => c === pair[i]?.commitment),
  );
  if (spend.tx.refundOwner !== undefined) refunds.observe(spend.tx.refundOwner);
  if (ours) return false;
  for (const t of store.pendingTransactions.filter((t) =>
    t.spends.some((c) => spentCommitments.includes(c)),
  )) {
    store.releasePending(t.id);
    store.pendingTransactions.splice(store.pendingTransactions.indexOf(t), 1);
  }
  store.markSpent(spentCommitments);
  const inputs = spend.spent.reduce((s, n) => s + n.amount, 0n);
  const back = pair.reduce((s, o) => s + (store.find(o.commitment)?.amount ?? 0n), 0n);
  const asset = spend.spent[0]!.asset;
  const at = Date.now();
  if (spend.tx.extAmount < 0n) {
    store.record({ kind: 'withdrawn', amount: -spend.tx.extAmount - spend.tx.fee, asset, at });
  } else if (pair.every((o) => store.find(o.commitment) !== undefined)) {
    store.record({ kind: 'merged', amount: inputs, asset, at });
  } else {
    store.record({ kind: 'sent', amount: inputs - back - spend.tx.fee, asset, at });
  }
  return true;
}

/** Our submitted transactions whose outputs are all in the tree now: their inputs are spent for good. */
function finalizeSubmitted(store: NoteStore, seen: ReadonlySet<Field>): number {
  let finalized = 0;
  for (let i = store.pendingTransactions.length - 1; i >= 0; i--) {
    const t = store.pendingTransactions[i]!;
    if (!t.outputs.every((c) => seen.has(c))) continue;
    store.markSpent(t.spends);
    store.record({ kind: t.kind, amount: t.amount, asset: t.asset, txId: t.id, at: Date.now() });
    store.pendingTransactions.splice(i, 1);
    finalized++;
  }
  return finalized;
}

/**
 * The refund owner keys of withdrawal numbers 0 .. refundsMade + REFUND_GAP, derived on first use: a
 * spend of ours showing one moves refundsMade past it, and a note with one of their diversifiers is a
 * refund, not a payment.
 */
class RefundKeys {
  private byOwner: Map<Field, number> | undefined;
  private byDiversifier: Map<Field, number> | undefined;

  constructor(
    private readonly keys: AnyWalletKey,
    private readonly store: NoteStore,
  ) {}

  observe(owner: Field): void {
    const index = this.derive().owners.get(owner);
    if (index !== undefined && index >= this.store.refundsMade) this.store.refundsMade = index + 1;
  }

  /**
   * Only this wallet can make a note with a refund diversifier (they come from ivk), so such a note
   * is the refund of one of its withdrawals, which also used that refund number.
   */
  isRefund(diversifier: Field): boolean {
    const index = this.derive().diversifiers.get(diversifier);
    if (index === undefined) return false;
    if (index >= this.store.refundsMade) this.store.refundsMade = index + 1;
    return true;
  }

  private derive(): { owners: Map<Field, number>; diversifiers: Map<Field, number> } {
    const upTo = this.store.refundsMade + REFUND_GAP;
    if (!this.byOwner || this.byOwner.size < upTo) {
      this.byOwner = new Map();
      this.byDiversifier = new Map();
      for (let j = 0; j < upTo; j++) {
        const { diversifier } = refundSecrets(this.keys.ivk, j);
        this.byDiversifier.set(diversifier, j);
        this.byOwner.set(diversifiedKey(this.keys.ak, diversifier), j);
      }
    }
    return { owners: this.byOwner, diversifiers: this.byDiversifier! };
  }
}
