import { ByteReader, ByteWriter } from '../common/index.js';
import { BLOCK_HEADER_BYTES, decodeBlockHeaderOf } from '../ledger/index.js';
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
    for (let i = 0; i < n; i++) {
      const chunk = decodeChunk(r.bytesU32(MAX_CHUNK_BYTES));
      if (chunk.kind === ChunkKind.HEADERS) {
        for (const h of chunk.headers) headers.set(decodeBlockHeaderOf(h).height, h);
      } else if (chunk.kind === ChunkKind.SET_BLOCKS) {
        for (const b of chunk.blocks) setBlocks.set(decodeBlockHeaderOf(b.header).height, b);
      }
    }
    r.end();
    return { height, headers, setBlocks };
  } catch {
    throw corrupt();
  }
}

/** Headers are the first BLOCK_HEADER_BYTES of a block's encoding. */
export function headerBytesOf(block: Uint8Array): Uint8Array {
  return block.subarray(0, BLOCK_HEADER_BYTES);
}
