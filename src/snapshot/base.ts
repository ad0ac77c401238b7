import { ByteReader, ByteWriter, bytesEqual } from '../common/index.js';
import { BLOCK_HEADER_BYTES, blockHash, decodeBlockHeaderOf, MAX_L2_BLOCK_BYTES } from '../ledger/index.js';
import type { NodeStorage } from '../storage/index.js';
import { SnapshotError } from './errors.js';
import {
  ChunkKind,
  decodeChunk,
  encodeChunk,
  MAX_CHUNK_BYTES,
  type SetBlock,
  type SnapshotChunk,
} from './format.js';

/** Meta name of what a node that joined by snapshot keeps of the history it never stored as blocks. */
export const BASE_RECORD = 'snapshot_base';
/** Meta name of the marker an install writes first and deletes in its last batch. */
export const INSTALL_MARKER = 'snapshot_install';

/**
 * The headers and validator-set blocks a node received with its snapshot at `height`: what it needs
 * to serve snapshots itself later (the root window may reach below its first stored block, and the
 * validator-set walk always starts at block 1). Stored as the snapshot's own chunks.
 */
export interface SnapshotBase {
  readonly height: bigint;
  readonly headers: ReadonlyMap<bigint, Uint8Array>;
  readonly setBlocks: ReadonlyMap<bigint, SetBlock>;
  /** Encoded sections of the compute window's blocks below the node's first stored block. */
  readonly sections: ReadonlyMap<bigint, Uint8Array>;
}

const corrupt = () => new SnapshotError('BASE_CORRUPT', 'the stored snapshot base does not decode');

export function encodeBase(height: bigint, chunks: readonly SnapshotChunk[]): Uint8Array {
  const encoded = chunks.map(encodeChunk);
  const w = new ByteWriter(
    () => corrupt(),
    12 + encoded.reduce((n, c) => n + 4 + c.length, 0),
    'snapshot base',
  )
    .u64(height)
    .u32(encoded.length);
  for (const c of encoded) w.bytesU32(c, MAX_CHUNK_BYTES);
  return w.finish();
}

export async function loadBase(storage: NodeStorage): Promise<SnapshotBase | undefined> {
  const raw = await storage.meta.get(BASE_RECORD);
  if (!raw) return undefined;
  try {
    const r = new ByteReader(raw, () => corrupt(), 'snapshot base');
    const height = r.u64();
    const n = r.count(r.u32(), 1 << 20, 4);
    const headers = new Map<bigint, Uint8Array>();
    const setBlocks = new Map<bigint, SetBlock>();
    const sections = new Map<bigint, Uint8Array>();
    for (let i = 0; i < n; i++) {
      const chunk = decodeChunk(r.bytesU32(MAX_CHUNK_BYTES));
      if (chunk.kind === ChunkKind.HEADERS) {
        for (const h of chunk.headers) headers.set(decodeBlockHeaderOf(h).height, h);
      } else if (chunk.kind === ChunkKind.SET_BLOCKS) {
        for (const b of chunk.blocks) setBlocks.set(decodeBlockHeaderOf(b.header).height, b);
      } else if (chunk.kind === ChunkKind.COMPUTE_SECTIONS) {
        for (const b of chunk.blocks) sections.set(b.height, b.sections);
      }
    }
    r.end();
    return { height, headers, setBlocks, sections };
  } catch {
    throw corrupt();
  }
}

/** Headers are the first BLOCK_HEADER_BYTES of a block's encoding. */
export function headerBytesOf(block: Uint8Array): Uint8Array {
  return block.subarray(0, BLOCK_HEADER_BYTES);
}

/** Meta name of block 1 (full, with its QC) a snapshot-joined node keeps to serve genesis discovery. */
export const GENESIS_BLOCK_RECORD = 'snapshot_block1';

export interface HeldBlock {
  readonly height: bigint;
  readonly hash: Uint8Array;
  readonly block: Uint8Array;
  readonly qc: Uint8Array;
}

/**
 * Keeps block 1 as proven by genesis discovery, if it is the block 1 the snapshot's validator-set
 * walk certified (same hash): peers that join later find their genesis set here too.
 */
export async function keepGenesisBlock(
  storage: NodeStorage,
  block1: HeldBlock,
  certifiedHash: Uint8Array,
): Promise<boolean> {
  if (block1.height !== 1n) return false;
  const hash = blockHash(decodeBlockHeaderOf(block1.block));
  if (!bytesEqual(hash, certifiedHash)) return false;
  const w = new ByteWriter(() => corrupt(), 8 + block1.block.length + block1.qc.length, 'genesis block')
    .bytesU32(block1.block, MAX_L2_BLOCK_BYTES)
    .bytesU32(block1.qc, 1 << 20);
  await storage.meta.put(GENESIS_BLOCK_RECORD, w.finish());
  return true;
}

/** Block 1 kept by `keepGenesisBlock`, if any. */
export async function loadGenesisBlock(storage: NodeStorage): Promise<HeldBlock | undefined> {
  const raw = await storage.meta.get(GENESIS_BLOCK_RECORD);
  if (!raw) return undefined;
  try {
    const r = new ByteReader(raw, () => corrupt(), 'genesis block');
    const block = r.bytesU32(MAX_L2_BLOCK_BYTES);
    const qc = r.bytesU32(1 << 20);
    r.end();
    return { height: 1n, hash: blockHash(decodeBlockHeaderOf(block)), block, qc };
  } catch {
    throw corrupt();
  }
}
