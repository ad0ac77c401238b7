import { type Field, noteNullifier, type SpendingKeys, tryDecryptNote } from '../privacy/index.js';
import type { NoteStore } from './note-store.js';

/** One output as validators publish it: where it sits in the tree and its encrypted note. */
export interface PublishedOutput {
  readonly leafIndex: number;
  readonly commitment: Field;
  readonly envelope: Uint8Array;
}

/**
 * Trial-decrypts every output with the wallet's key; a note counts only if re-hashing it gives
 * the published commitment. Malformed envelopes are someone else's problem: skipped, not fatal.
 */
export function scanOutputs(
  keys: SpendingKeys,
  store: NoteStore,
  outputs: readonly PublishedOutput[],
): number {
  let found = 0;
  for (const out of outputs) {
    let note: ReturnType<typeof tryDecryptNote>;
    try {
      note = tryDecryptNote(out.envelope, keys, out.commitment);
    } catch {
      note = undefined;
    }
    if (note) {
      const added = store.add({
        commitment: out.commitment,
        leafIndex: out.leafIndex,
        amount: note.amount,
        blinding: note.blinding,
        asset: note.asset,
        nullifier: noteNullifier(keys.sk, out.commitment, out.leafIndex),
      });
      if (added) found++;
    }
    store.scannedUpTo = Math.max(store.scannedUpTo, out.leafIndex + 1);
  }
  return found;
}
