import { decodeAddress, encodeAddress, type Note, noteCommitment } from '../privacy/index.js';
import type { IngressOutput } from './ingress-client.js';
import type { NoteStore } from './note-store.js';

/**
 * Keeps the opening of a transfer's payment output with the address it went to: the wallet never
 * sees this note again (it is encrypted to the recipient), and without the opening the sender could
 * not prove what it paid. Nothing is kept for a transaction that pays no one else (no `payment`).
 */
export function recordSentPayment(
  store: NoteStore,
  txId: string,
  payment: Note | undefined,
  recipient: string,
): void {
  if (!payment) return;
  store.sentPayments.push({
    txId,
    commitment: noteCommitment(payment),
    amount: payment.amount,
    asset: payment.asset,
    blinding: payment.blinding,
    // As the disclosure format writes it (an address typed in upper case decodes the same).
    recipient: encodeAddress(decodeAddress(recipient)),
  });
}

/**
 * Gives sent payments their leaf index as the sync sees their outputs published. Every published
 * output passes through exactly one chunk, and a payment is recorded before it can be published, so
 * looking at each chunk's outputs is enough. Returns how many were placed.
 */
export function learnSentLeaves(store: NoteStore, outputs: readonly IngressOutput[]): number {
  const waiting = new Map(
    store.sentPayments.filter((p) => p.leafIndex === undefined).map((p) => [p.commitment, p]),
  );
  if (waiting.size === 0) return 0;
  let placed = 0;
  for (const o of outputs) {
    const p = waiting.get(o.commitment);
    if (!p) continue;
    p.leafIndex = o.leafIndex;
    waiting.delete(o.commitment);
    placed++;
  }
  return placed;
}
