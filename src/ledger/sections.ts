import { type ByteReader, type ByteWriter, sha256 } from '../common/index.js';
import { ledgerReader, ledgerWriter } from './codec.js';
import { LedgerError } from './errors.js';

// Block sections: the part of a block body that belongs to other modules (the validator-set
// update of an epoch boundary, compute jobs and results). The ledger orders, bounds, hashes and
// stores them; what an entry means is the owning extension's business.
//
//   sections := count u8 | section*        (kinds strictly increasing: one encoding per content)
//   section  := kind u8 | n u32 | entry*n
//   entry    := len u32 | bytes[len]
// The header's sectionsRoot is SHA-256("paraloom/v1/sections" | sections).

export const MAX_SECTIONS = 8;
export const MAX_SECTION_ENTRIES = 1024;
/**
 * All sections of one block together: 288 KiB for the extensions (a 256 KiB compute job fits, with
 * room for results) and 8 KiB kept for the ledger's own refund section (at most 6,469 bytes).
 */
export const MAX_SECTIONS_BYTES = 296 * 1024;

const SECTIONS_DOMAIN = new TextEncoder().encode('paraloom/v1/sections');

export interface BlockSection {
  /** 1..255, the owning extension's kind. */
  readonly kind: number;
  readonly entries: readonly Uint8Array[];
}

/** Bytes `encodeSections` produces, or a LedgerError when the sections break a cap. */
export function sectionsSize(sections: readonly BlockSection[]): number {
  checkSections(sections);
  let size = 1;
  for (const s of sections) {
    size += 5;
    for (const e of s.entries) size += 4 + e.length;
  }
  if (size > MAX_SECTIONS_BYTES + 1) {
    throw new LedgerError('BLOCK_OVERSIZE', `block sections exceed ${MAX_SECTIONS_BYTES} bytes`, { size });
  }
  return size;
}

export function writeSections(w: ByteWriter, sections: readonly BlockSection[]): void {
  w.u8(sections.length);
  for (const s of sections) {
    w.u8(s.kind).u32(s.entries.length);
    for (const e of s.entries) w.u32(e.length).raw(e);
  }
}

export function encodeSections(sections: readonly BlockSection[]): Uint8Array {
  const w = ledgerWriter(sectionsSize(sections), 'block sections');
  writeSections(w, sections);
  return w.finish();
}

export function sectionsRoot(sections: readonly BlockSection[]): Uint8Array {
  return sha256(SECTIONS_DOMAIN, encodeSections(sections));
}

/** Sections encoded alone (a snapshot's validator-set blocks carry them without their bodies). */
export function decodeSections(bytes: Uint8Array): BlockSection[] {
  const r = ledgerReader(bytes, 'block sections', 'BLOCK_MALFORMED');
  const sections = readSections(r);
  r.end();
  return sections;
}

/** Reads sections with every count and length checked against its cap and the bytes left. */
export function readSections(r: ByteReader): BlockSection[] {
  const start = r.remaining;
  const count = r.u8('section count');
  if (count > MAX_SECTIONS) r.fail('invalid', 'too many block sections', 'sections', { count });
  const sections: BlockSection[] = [];
  let previousKind = 0;
  for (let i = 0; i < count; i++) {
    const kind = r.u8('section kind');
    if (kind <= previousKind) {
      r.fail('invalid', 'block sections out of order or repeated', 'section kind', { value: kind });
    }
    previousKind = kind;
    const n = r.count(r.u32('section entry count'), MAX_SECTION_ENTRIES, 4, `section ${kind}`);
    if (n === 0) r.fail('invalid', 'a section holds 1..1024 entries', `section ${kind}`, { count: n });
    const entries: Uint8Array[] = [];
    for (let j = 0; j < n; j++) entries.push(r.bytesU32(MAX_SECTIONS_BYTES, `section ${kind} entry`));
    sections.push({ kind, entries });
  }
  if (start - r.remaining > MAX_SECTIONS_BYTES + 1) {
    r.fail('invalid', `block sections exceed ${MAX_SECTIONS_BYTES} bytes`, 'sections', {
      length: start - r.remaining,
    });
  }
  return sections;
}

/** The entries of one kind (empty when the block has no such section). */
export function sectionEntries(sections: readonly BlockSection[], kind: number): readonly Uint8Array[] {
  return sections.find((s) => s.kind === kind)?.entries ?? [];
}

function checkSections(sections: readonly BlockSection[]): void {
  if (sections.length > MAX_SECTIONS) {
    throw new LedgerError('BLOCK_OVERSIZE', 'too many block sections', { count: sections.length });
  }
  let previousKind = 0;
  for (const s of sections) {
    if (!Number.isInteger(s.kind) || s.kind <= previousKind || s.kind > 255) {
      throw new LedgerError('ARGUMENT_INVALID', 'section kinds must be increasing integers in 1..255', {
        kind: s.kind,
      });
    }
    if (s.entries.length === 0 || s.entries.length > MAX_SECTION_ENTRIES) {
      throw new LedgerError('ARGUMENT_INVALID', 'a section holds 1..1024 entries', {
        kind: s.kind,
        entries: s.entries.length,
      });
    }
    previousKind = s.kind;
  }
}

/**
 * A module that puts entries into blocks. Every validator runs the same extensions: `check` must
 * decide from the block chain (and external facts every validator reads the same way, as the
 * ledger does with deposits), or honest validators disagree on proposals.
 */
export interface LedgerExtension {
  /** Section kind, 1..255, unique among the node's extensions. */
  readonly kind: number;
  readonly name: string;
  /** Proposer: the entries for the block at `height`; empty for none. */
  propose(height: bigint): Promise<readonly Uint8Array[]>;
  /**
   * A refusal reason when `entries` (possibly empty) are wrong for a block at `height`, undefined
   * when right. Writes nothing. `proposal`: a block this node votes on (check everything, external
   * facts included); `final`: a certified block this node applies while catching up (a quorum
   * already judged the external facts, which may have changed since; check what the chain of
   * blocks alone decides).
   */
  check(
    height: bigint,
    entries: readonly Uint8Array[],
    mode: 'proposal' | 'final',
  ): Promise<string | undefined>;
  /**
   * Applies a final block's entries after the block is stored, before the next height is
   * validated; `sections` are all of the block's sections, for an extension whose state machine
   * spans several kinds. Must be idempotent: on start the ledger replays stored blocks above
   * `appliedHeight`.
   */
  apply(height: bigint, entries: readonly Uint8Array[], sections: readonly BlockSection[]): Promise<void>;
  /** The last height whose entries `apply` has durably handled (0 before any). */
  appliedHeight(): Promise<bigint>;
}
