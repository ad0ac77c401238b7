import { type Field, type FullViewingKey, noteNullifier, tryDecryptNote } from '../privacy/index.js';
import type { NoteStore } from './note-store.js';

/** One output as validators publish it: where it sits in the tree and its encrypted note. */
export interface PublishedOutput {
  readonly leafIndex: number;
  readonly commitment: Field;
  readonly envelope: Uint8Array;
}

/**
 * Trial-decrypts every output with the wallet's incoming viewing key; a note counts only if
 * re-hashing it with pk_d = P2(ak, d) gives the published commitment. Its nullifier needs only nk,
 * so a full viewing key scans as well as the spending wallet. Malformed envelopes are someone
 * else's problem: skipped, not fatal.
 */
export function scanOutputs(
  keys: FullViewingKey,
  store: NoteStore,
  outputs: readonly PublishedOutput[],
): number {
  let found = 0;
  for (const out of outputs) {
    let opened: ReturnType<typeof tryDecryptNote>;
    try {
      opened = tryDecryptNote(out.envelope, keys, out.commitment);
    } catch {
      opened = undefined;
    }
    if (opened) {
      const added = store.add({
        commitment: out.commitment,
        leafIndex: out.leafIndex,
        amount: opened.note.amount,
        blinding: opened.note.blinding,
        asset: opened.note.asset,
        diversifier: opened.diversifier,
        nullifier: noteNullifier(keys.nk, out.commitment, out.leafIndex),
      });
      if (added) found++;
    }
    store.scannedUpTo = Math.max(store.scannedUpTo, out.leafIndex + 1);
  }
  return found;
}
