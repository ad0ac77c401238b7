import { bytesToHex } from '../common/index.js';
import { type CanonicalValue, entryHash, signingMessage } from './canonical.js';
import { CeremonyError } from './errors.js';
import { type SigningKey, sign, verifySignature } from './signing.js';
import {
  type Entry,
  type FinalEntry,
  GENESIS_PREV,
  type InitEntry,
  isUpdate,
  type Transcript,
  type UpdateEntry,
} from './transcript.js';

/** Fields `seal` fills in; callers supply the rest of an entry. */
type SealedField = 'index' | 'prev_entry_sha256' | 'entry_sha256' | 'signature' | 'signer_public_key';
export type EntryBody<E extends Entry> = Omit<E, SealedField>;

/**
 * Links `body` after `prev`: numbers it, commits to the previous entry's hash, signs it if a key
 * is given (the signature covers the index and the link, so a signed entry cannot be moved), and
 * hashes it.
 */
export function seal<E extends Entry>(prev: Entry | undefined, body: EntryBody<E>, signer?: SigningKey): E {
  // Insertion order only matters for how the file reads (see transcript.ts); hashes sort keys.
  const draft: Record<string, CanonicalValue | undefined> = {
    index: prev ? prev.index + 1 : 0,
    ...(body as Record<string, CanonicalValue | undefined>),
  };
  if (signer) draft.signer_public_key = bytesToHex(signer.publicKey);
  draft.prev_entry_sha256 = prev ? prev.entry_sha256 : GENESIS_PREV;
  if (signer) draft.signature = sign(signingMessage(draft), signer);
  const { prev_entry_sha256, ...rest } = draft;
  const sealed = { ...rest, prev_entry_sha256 };
  return { ...sealed, entry_sha256: entryHash(sealed) } as unknown as E;
}

export interface ChainView {
  readonly init: InitEntry;
  /** Contributions and the beacon, in the order they were applied to the zkey. */
  readonly updates: readonly UpdateEntry[];
  readonly final?: FinalEntry;
}

function fail(code: ConstructorParameters<typeof CeremonyError>[0], entry: number, message: string): never {
  throw new CeremonyError(code, `transcript entry #${entry}: ${message}`, { entry });
}

/** Order check first: a dropped or moved entry is named as such, not as a broken link. */
function checkPositions(entries: readonly Entry[]): void {
  entries.forEach((e, i) => {
    if (e.index === i) return;
    const later = entries.slice(i + 1).some((x) => x.index === i);
    if (later || e.index < i) fail('ENTRY_REORDERED', i, `position ${i} holds entry #${e.index}`);
    fail('ENTRY_MISSING', i, `missing (position ${i} holds entry #${e.index})`);
  });
}

function checkSignature(e: Entry): void {
  if (e.kind !== 'contribution') return;
  if (e.signature === undefined && e.signer_public_key === undefined) return;
  if (e.signature === undefined || e.signer_public_key === undefined) {
    fail('SIGNATURE_INVALID', e.index, 'a signature needs both signature and signer_public_key');
  }
  const message = signingMessage(e as unknown as Record<string, CanonicalValue | undefined>);
  if (!verifySignature(message, e.signature, e.signer_public_key)) {
    fail('SIGNATURE_INVALID', e.index, `signature of "${e.name}" does not verify under its public key`);
  }
}

/**
 * Checks everything about a transcript that needs no files: numbering, each entry's own hash,
 * each link to the previous entry, the zkey-to-zkey continuity, signatures, and the step order
 * (init first; nothing but `final` after the beacon; `final` last).
 */
export function verifyChain(transcript: Transcript): ChainView {
  const entries = transcript.entries;
  if (entries.length === 0) throw new CeremonyError('TRANSCRIPT_EMPTY', 'transcript has no entries');
  checkPositions(entries);
  let prev: Entry | undefined;
  let zkeySha = '';
  const updates: UpdateEntry[] = [];
  let final: FinalEntry | undefined;
  for (const e of entries) {
    if (entryHash(e as unknown as Record<string, CanonicalValue | undefined>) !== e.entry_sha256) {
      fail('ENTRY_TAMPERED', e.index, 'content does not match its entry_sha256');
    }
    const expectedPrev = prev ? prev.entry_sha256 : GENESIS_PREV;
    if (e.prev_entry_sha256 !== expectedPrev) {
      fail('CHAIN_BROKEN', e.index, `does not commit to entry #${e.index - 1}`);
    }
    if ((e.kind === 'init') !== (e.index === 0))
      fail('TRANSCRIPT_MALFORMED', e.index, 'init must come first');
    if (final) fail('TRANSCRIPT_MALFORMED', e.index, 'entries after final');
    if (isUpdate(e)) {
      if (updates.at(-1)?.kind === 'beacon')
        fail('TRANSCRIPT_MALFORMED', e.index, 'contribution after beacon');
      if (e.prev_zkey_sha256 !== zkeySha) {
        fail('CHAIN_BROKEN', e.index, `starts from a zkey that entry #${e.index - 1} did not produce`);
      }
      checkSignature(e);
      updates.push(e);
    } else if (e.kind === 'final') {
      if (e.zkey_sha256 !== zkeySha || e.contributions !== updates.length) {
        fail('CHAIN_BROKEN', e.index, 'final entry does not describe the last zkey');
      }
      final = e;
    }
    zkeySha = e.zkey_sha256;
    prev = e;
  }
  const init = entries[0] as InitEntry;
  if (transcript.circuit !== init.circuit || transcript.constraints !== init.constraints) {
    throw new CeremonyError(
      'TRANSCRIPT_MALFORMED',
      'top-level circuit/constraints differ from the init entry',
      {
        entry: 0,
      },
    );
  }
  return final ? { init, updates, final } : { init, updates };
}
