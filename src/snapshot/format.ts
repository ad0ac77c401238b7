/**
 * Snapshot messages (docs/protocol.md, "State snapshots"): one manifest, then chunks of at most
 * about 1 MiB each, so every message stays far below the network's 8 MiB cap and a joiner holds
 * one chunk's worth of unverified bytes per request. Every count is checked against its cap and
 * the bytes left before anything is allocated for it; field elements must be canonical.
 */
import {
  ByteReader,
  ByteWriter,
  type CodecErrorFactory,
  type CodecErrorKind,
  sha256,
} from '../common/index.js';
import { BLOCK_HEADER_BYTES, MAX_L2_BLOCK_BYTES, MAX_SECTIONS_BYTES } from '../ledger/index.js';
import { FIELD_MODULUS, type Field } from '../privacy/index.js';
import { SnapshotError } from './errors.js';

/** 2: the headers reach back over the spend-root window, and its roots come as their own chunks. */
export const SNAPSHOT_VERSION = 2;
/** What a server aims a chunk at; a chunk may be up to MAX_CHUNK_BYTES. */
export const CHUNK_TARGET_BYTES = 1024 * 1024;
/** Header bytes of a chunk: version u8, kind u8, count u32. */
const CHUNK_HEAD_BYTES = 6;
export const MAX_CHUNK_BYTES = CHUNK_TARGET_BYTES + CHUNK_HEAD_BYTES;
/** Field elements (leaves or nullifiers) per chunk: exactly 1 MiB of them. */
export const MAX_FIELDS_PER_CHUNK = CHUNK_TARGET_BYTES / 32;
/** Block headers per chunk (903,000 bytes). */
export const MAX_HEADERS_PER_CHUNK = 3000;
/** Validator-set blocks per chunk (each is far below a chunk; a set block's sections are capped). */
export const MAX_SET_BLOCKS_PER_CHUNK = 64;
/** Refund blocks per chunk (each is a whole block; a chunk holds one at least, however large). */
export const MAX_REFUND_BLOCKS_PER_CHUNK = 1024;
/** Blocks' sections per compute-window chunk (an empty block's are 13 bytes with its height). */
export const MAX_WINDOW_SECTIONS_PER_CHUNK = 4096;
const SPEND_ROOT_ENTRY_BYTES = 32 + 8 + 8;
/** Spend-root entries per chunk (48 bytes each: 1 MiB of them, rounded down). */
export const MAX_SPEND_ROOTS_PER_CHUNK = Math.floor(CHUNK_TARGET_BYTES / SPEND_ROOT_ENTRY_BYTES);
/** Certificates are bounded by their signer cap (256 x 96 bytes plus the fixed part). */
export const MAX_QC_BYTES = 1 + 8 + 4 + 32 + 2 + 256 * 96;
/** Chunks one snapshot may announce: 16,384 MiB of state. */
export const MAX_CHUNKS = 16_384;
const CHUNK_ENTRY_BYTES = 1 + 4 + 32;
export const MAX_MANIFEST_BYTES =
  1 + 8 + 4 + MAX_L2_BLOCK_BYTES + 4 + MAX_QC_BYTES + 8 + 4 + MAX_CHUNKS * CHUNK_ENTRY_BYTES;

/** Chunk kinds, in the order a snapshot lists them. */
export const ChunkKind = {
  /** Headers of blocks H-1, H-2, ... (descending), as far back as the root window needs. */
  HEADERS: 1,
  /** Blocks carrying validator sets (height 1, every epoch multiple <= H): header, sections, QC. */
  SET_BLOCKS: 2,
  /** Commitment tree leaves in index order. */
  LEAVES: 3,
  /** The nullifier set in the order blocks added it. */
  NULLIFIERS: 4,
  /**
   * Whole blocks below H holding withdrawals that may still be refunded (ascending height): what a
   * refund section naming them is checked against.
   */
  REFUND_BLOCKS: 5,
  /**
   * The sections of every block of the compute window below H (ascending height, each with its
   * height): replayed from nothing, they rebuild the compute jobs live at H.
   */
  COMPUTE_SECTIONS: 6,
  /**
   * The spend-root window at H (ascending timestamp, then height): each root the tree had after a
   * block timestamped within ledger.spend_root_window_ms of block H, with the last such block.
   */
  SPEND_ROOTS: 7,
} as const;
export type ChunkKindCode = (typeof ChunkKind)[keyof typeof ChunkKind];

export interface SetBlock {
  /** Encoded block header (BLOCK_HEADER_BYTES). */
  readonly header: Uint8Array;
  /** The block's encoded sections (their hash is the header's sectionsRoot). */
  readonly sections: Uint8Array;
  /** Encoded quorum certificate of the block. */
  readonly qc: Uint8Array;
}

export type SnapshotChunk =
  | { readonly kind: typeof ChunkKind.HEADERS; readonly headers: readonly Uint8Array[] }
  | { readonly kind: typeof ChunkKind.SET_BLOCKS; readonly blocks: readonly SetBlock[] }
  | { readonly kind: typeof ChunkKind.LEAVES; readonly fields: readonly Field[] }
  | { readonly kind: typeof ChunkKind.NULLIFIERS; readonly fields: readonly Field[] }
  | { readonly kind: typeof ChunkKind.REFUND_BLOCKS; readonly blocks: readonly Uint8Array[] }
  | { readonly kind: typeof ChunkKind.COMPUTE_SECTIONS; readonly blocks: readonly WindowSections[] }
  | { readonly kind: typeof ChunkKind.SPEND_ROOTS; readonly roots: readonly SpendRootItem[] };

/** One root of the spend-root window: root [32 LE] | height u64 | timestamp ms u64. */
export interface SpendRootItem {
  readonly root: Field;
  readonly height: bigint;
  readonly timestampMs: bigint;
}

export interface WindowSections {
  readonly height: bigint;
  /** The block's encoded sections (their hash is the header's sectionsRoot). */
  readonly sections: Uint8Array;
}

export interface ChunkEntry {
  readonly kind: ChunkKindCode;
  /** Items in the chunk (headers, blocks or field elements). */
  readonly count: number;
  /** SHA-256 of the encoded chunk. */
  readonly hash: Uint8Array;
}

export interface SnapshotManifest {
  readonly height: bigint;
  /** Encoded block H (the header every part is checked against). */
  readonly block: Uint8Array;
  /** Encoded quorum certificate of block H. */
  readonly qc: Uint8Array;
  /** Solana slot of the server's deposit cursor: where the joiner's listener resumes (a hint). */
  readonly depositSlot: bigint;
  readonly chunks: readonly ChunkEntry[];
}

const codecError =
  (what: 'decode' | 'encode'): CodecErrorFactory =>
  (_kind: CodecErrorKind, message, context) =>
    new SnapshotError(what === 'decode' ? 'SNAPSHOT_MALFORMED' : 'ARGUMENT_INVALID', message, {
      ...context,
    });
const readError = codecError('decode');
const writeError = codecError('encode');

function checkSize(bytes: Uint8Array, cap: number): void {
  if (bytes.length > cap)
    throw new SnapshotError('SNAPSHOT_OVERSIZE', 'snapshot message too large', { length: bytes.length, cap });
}

function isChunkKind(k: number): k is ChunkKindCode {
  return k >= ChunkKind.HEADERS && k <= ChunkKind.SPEND_ROOTS;
}

export function encodeManifest(m: SnapshotManifest): Uint8Array {
  if (m.chunks.length > MAX_CHUNKS) {
    throw new SnapshotError('ARGUMENT_INVALID', 'too many chunks', {
      count: m.chunks.length,
      cap: MAX_CHUNKS,
    });
  }
  const w = new ByteWriter(
    writeError,
    1 + 8 + 8 + m.block.length + 8 + m.qc.length + 4 + m.chunks.length * CHUNK_ENTRY_BYTES + 8,
    'snapshot manifest',
  )
    .u8(SNAPSHOT_VERSION, 'version')
    .u64(m.height, 'height')
    .bytesU32(m.block, MAX_L2_BLOCK_BYTES, 'block')
    .bytesU32(m.qc, MAX_QC_BYTES, 'qc')
    .u64(m.depositSlot, 'deposit slot')
    .u32(m.chunks.length, 'chunk count');
  for (const c of m.chunks)
    w.u8(c.kind, 'chunk kind').u32(c.count, 'chunk items').fixed(c.hash, 32, 'chunk hash');
  return w.finish();
}

export function decodeManifest(bytes: Uint8Array): SnapshotManifest {
  checkSize(bytes, MAX_MANIFEST_BYTES);
  const r: ByteReader = new ByteReader(bytes, readError, 'snapshot manifest');
  const version = r.u8('version');
  if (version !== SNAPSHOT_VERSION)
    r.fail('invalid', 'unknown snapshot version', 'version', { value: version });
  const height = r.u64('height');
  if (height < 1n) r.fail('invalid', 'a snapshot is of a final block (height >= 1)', 'height');
  const block = r.bytesU32(MAX_L2_BLOCK_BYTES, 'block');
  const qc = r.bytesU32(MAX_QC_BYTES, 'qc');
  const depositSlot = r.u64('deposit slot');
  const n = r.count(r.u32('chunk count'), MAX_CHUNKS, CHUNK_ENTRY_BYTES, 'chunks');
  const chunks: ChunkEntry[] = [];
  let previous = 0;
  for (let i = 0; i < n; i++) {
    const kind = r.u8('chunk kind');
    // Kinds in list order, so a joiner knows each total before it fetches any chunk.
    if (!isChunkKind(kind) || kind < previous)
      r.fail('invalid', 'unknown or out-of-order chunk kind', 'chunk kind', { value: kind });
    previous = kind;
    const count = r.u32('chunk items');
    if (count === 0 || count > maxItems(kind))
      r.fail('invalid', 'chunk item count out of range', 'chunk items', { count });
    chunks.push({ kind, count, hash: r.bytes(32, 'chunk hash') });
  }
  r.end();
  return { height, block, qc, depositSlot, chunks };
}

function maxItems(kind: ChunkKindCode): number {
  switch (kind) {
    case ChunkKind.HEADERS:
      return MAX_HEADERS_PER_CHUNK;
    case ChunkKind.SET_BLOCKS:
      return MAX_SET_BLOCKS_PER_CHUNK;
    case ChunkKind.REFUND_BLOCKS:
      return MAX_REFUND_BLOCKS_PER_CHUNK;
    case ChunkKind.COMPUTE_SECTIONS:
      return MAX_WINDOW_SECTIONS_PER_CHUNK;
    case ChunkKind.SPEND_ROOTS:
      return MAX_SPEND_ROOTS_PER_CHUNK;
    default:
      return MAX_FIELDS_PER_CHUNK;
  }
}

function chunkItems(c: SnapshotChunk): number {
  switch (c.kind) {
    case ChunkKind.HEADERS:
      return c.headers.length;
    case ChunkKind.SET_BLOCKS:
    case ChunkKind.REFUND_BLOCKS:
    case ChunkKind.COMPUTE_SECTIONS:
      return c.blocks.length;
    case ChunkKind.SPEND_ROOTS:
      return c.roots.length;
    default:
      return c.fields.length;
  }
}

export function encodeChunk(c: SnapshotChunk): Uint8Array {
  const count = chunkItems(c);
  if (count === 0 || count > maxItems(c.kind)) {
    throw new SnapshotError('ARGUMENT_INVALID', 'chunk item count out of range', { count });
  }
  const w = new ByteWriter(writeError, CHUNK_HEAD_BYTES + count * 32, 'snapshot chunk')
    .u8(SNAPSHOT_VERSION, 'version')
    .u8(c.kind, 'kind')
    .u32(count, 'count');
  if (c.kind === ChunkKind.HEADERS) for (const h of c.headers) w.fixed(h, BLOCK_HEADER_BYTES, 'header');
  else if (c.kind === ChunkKind.SET_BLOCKS) {
    for (const b of c.blocks) {
      w.fixed(b.header, BLOCK_HEADER_BYTES, 'header')
        .bytesU32(b.sections, MAX_SECTIONS_BYTES + 1, 'sections')
        .bytesU32(b.qc, MAX_QC_BYTES, 'qc');
    }
  } else if (c.kind === ChunkKind.REFUND_BLOCKS) {
    for (const b of c.blocks) w.bytesU32(b, MAX_L2_BLOCK_BYTES, 'block');
  } else if (c.kind === ChunkKind.COMPUTE_SECTIONS) {
    for (const b of c.blocks)
      w.u64(b.height, 'height').bytesU32(b.sections, MAX_SECTIONS_BYTES + 1, 'sections');
  } else if (c.kind === ChunkKind.SPEND_ROOTS) {
    for (const e of c.roots) w.u256(e.root, 'root').u64(e.height, 'height').u64(e.timestampMs, 'timestamp');
  } else for (const f of c.fields) w.u256(f, 'field');
  const out = w.finish();
  if (out.length > MAX_CHUNK_BYTES) {
    throw new SnapshotError('ARGUMENT_INVALID', 'chunk over its size cap', {
      length: out.length,
      cap: MAX_CHUNK_BYTES,
    });
  }
  return out;
}

export function decodeChunk(bytes: Uint8Array): SnapshotChunk {
  checkSize(bytes, MAX_CHUNK_BYTES);
  const r: ByteReader = new ByteReader(bytes, readError, 'snapshot chunk');
  const version = r.u8('version');
  // Version 1 chunks (kinds 1 to 6, same layout) still decode: a node that joined by a version 1
  // snapshot keeps them in its snapshot base.
  if (version !== SNAPSHOT_VERSION && version !== 1)
    r.fail('invalid', 'unknown snapshot version', 'version', { value: version });
  const kind = r.u8('kind');
  if (!isChunkKind(kind) || (version === 1 && kind === ChunkKind.SPEND_ROOTS))
    r.fail('invalid', 'unknown chunk kind', 'kind', { value: kind });
  const minBytes =
    kind === ChunkKind.HEADERS
      ? BLOCK_HEADER_BYTES
      : kind === ChunkKind.SET_BLOCKS
        ? BLOCK_HEADER_BYTES + 8
        : kind === ChunkKind.REFUND_BLOCKS
          ? 4 + BLOCK_HEADER_BYTES
          : kind === ChunkKind.COMPUTE_SECTIONS
            ? 12
            : kind === ChunkKind.SPEND_ROOTS
              ? SPEND_ROOT_ENTRY_BYTES
              : 32;
  const count = r.count(r.u32('count'), maxItems(kind), minBytes, 'items');
  if (count === 0) r.fail('invalid', 'an empty chunk', 'count', { count });
  let chunk: SnapshotChunk;
  if (kind === ChunkKind.HEADERS) {
    const headers: Uint8Array[] = [];
    for (let i = 0; i < count; i++) headers.push(r.bytes(BLOCK_HEADER_BYTES, 'header'));
    chunk = { kind, headers };
  } else if (kind === ChunkKind.SET_BLOCKS) {
    const blocks: SetBlock[] = [];
    for (let i = 0; i < count; i++) {
      blocks.push({
        header: r.bytes(BLOCK_HEADER_BYTES, 'header'),
        sections: r.bytesU32(MAX_SECTIONS_BYTES + 1, 'sections'),
        qc: r.bytesU32(MAX_QC_BYTES, 'qc'),
      });
    }
    chunk = { kind, blocks };
  } else if (kind === ChunkKind.REFUND_BLOCKS) {
    const blocks: Uint8Array[] = [];
    for (let i = 0; i < count; i++) blocks.push(r.bytesU32(MAX_L2_BLOCK_BYTES, 'block'));
    chunk = { kind, blocks };
  } else if (kind === ChunkKind.COMPUTE_SECTIONS) {
    const blocks: WindowSections[] = [];
    for (let i = 0; i < count; i++) {
      blocks.push({ height: r.u64('height'), sections: r.bytesU32(MAX_SECTIONS_BYTES + 1, 'sections') });
    }
    chunk = { kind, blocks };
  } else if (kind === ChunkKind.SPEND_ROOTS) {
    const roots: SpendRootItem[] = [];
    for (let i = 0; i < count; i++) {
      roots.push({
        root: r.u256Below(FIELD_MODULUS, 'root') as Field,
        height: r.u64('height'),
        timestampMs: r.u64('timestamp'),
      });
    }
    chunk = { kind, roots };
  } else {
    const fields: Field[] = [];
    for (let i = 0; i < count; i++) fields.push(r.u256Below(FIELD_MODULUS, 'field') as Field);
    chunk = { kind, fields };
  }
  r.end();
  return chunk;
}

/** What a manifest lists for an encoded chunk. */
export function chunkEntry(encoded: Uint8Array, chunk: SnapshotChunk): ChunkEntry {
  return { kind: chunk.kind, count: chunkItems(chunk), hash: sha256(encoded) };
}
