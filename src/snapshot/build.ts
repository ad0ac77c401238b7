import { computeWindowStart } from '../compute/index.js';
import { carriesValidatorSet } from '../consensus/index.js';
import {
  type BlockHeader,
  DEFAULT_SPEND_ROOT_WINDOW_MS,
  decodeBlock,
  decodeBlockHeaderOf,
  encodeSections,
  RefundWatch,
} from '../ledger/index.js';
import { type Field, ROOT_HISTORY_SIZE } from '../privacy/index.js';
import type { NodeStorage } from '../storage/index.js';
import { headerBytesOf, loadBase, type SnapshotBase } from './base.js';
import { SnapshotError } from './errors.js';
import {
  CHUNK_TARGET_BYTES,
  ChunkKind,
  chunkEntry,
  encodeChunk,
  encodeManifest,
  MAX_FIELDS_PER_CHUNK,
  MAX_HEADERS_PER_CHUNK,
  MAX_REFUND_BLOCKS_PER_CHUNK,
  MAX_SET_BLOCKS_PER_CHUNK,
  MAX_SPEND_ROOTS_PER_CHUNK,
  MAX_WINDOW_SECTIONS_PER_CHUNK,
  type SetBlock,
  type SnapshotChunk,
  type SnapshotManifest,
  type WindowSections,
} from './format.js';
import { insideSpendWindow, spendRootsOf } from './spend-roots.js';

export interface BuildOptions {
  /** consensus.epoch_blocks: which blocks carry validator sets. */
  readonly epochBlocks: number;
  /**
   * Withdrawals not refunded by H that expire before this Solana slot are left out of the refund
   * blocks: the cohort refunds an expired unsettled withdrawal within blocks of its expiration
   * being finalized, so one still unrefunded this long after its expiration is taken as settled.
   * Unset: every withdrawal offering a refund and not refunded by H is carried.
   */
  readonly refundCutoffSlot?: bigint;
  /** The server's scan kept between builds (each build then follows only new blocks). */
  readonly refundScan?: RefundScan;
  /** ledger.spend_root_window_ms (cohort-wide); default the ledger's. */
  readonly spendRootWindowMs?: number;
}

export interface BuiltSnapshot {
  readonly manifest: SnapshotManifest;
  readonly manifestBytes: Uint8Array;
  /** Encoded chunks, in the manifest's order. */
  readonly chunks: readonly Uint8Array[];
  /** Total bytes a joiner downloads (manifest and chunks). */
  readonly bytes: number;
}

/**
 * A snapshot of this node's state at its written tip H, built on demand. Cost: one pass over the
 * leaves and the nullifier set plus the window's headers and the validator-set blocks, all reads
 * (nothing is locked: leaves below H's leaf count and nullifiers below H's count never change, so
 * commits going on meanwhile do not disturb it).
 */
export async function buildSnapshot(storage: NodeStorage, o: BuildOptions): Promise<BuiltSnapshot> {
  const height = storage.blocks.writtenTipHeight();
  if (height === undefined) throw new SnapshotError('NOTHING_TO_SERVE', 'this node holds no block');
  const source = new History(storage, await loadBase(storage));
  const stored = await storage.blocks.getByHeight(height);
  const qc = await storage.blocks.getQc(height);
  if (!stored || !qc)
    throw new SnapshotError('NOTHING_TO_SERVE', 'the tip block or its certificate is missing');
  const header: BlockHeader = decodeBlockHeaderOf(stored.block);

  const chunks: SnapshotChunk[] = [];
  const refundHeights = await (o.refundScan ?? new RefundScan()).heights(storage, height, o.refundCutoffSlot);
  const computeFrom = computeWindowStart(height);
  // Headers H-1 down to where the last ROOT_HISTORY_SIZE appending blocks (the root window) begin,
  // past the spend-root window's start, and on down to the oldest refund block and the compute
  // window's start (each block carried is checked against its header).
  const lowest =
    refundHeights[0] !== undefined && refundHeights[0] < computeFrom ? refundHeights[0] : computeFrom;
  const windowMs = BigInt(o.spendRootWindowMs ?? DEFAULT_SPEND_ROOT_WINDOW_MS);
  const headers = await windowHeaders(source, header, lowest, windowMs);
  for (let i = 0; i < headers.length; i += MAX_HEADERS_PER_CHUNK) {
    chunks.push({ kind: ChunkKind.HEADERS, headers: headers.slice(i, i + MAX_HEADERS_PER_CHUNK) });
  }
  // Derived from the same headers the joiner checks them against, so it is block H's window
  // whatever commits go on meanwhile.
  const spendRoots = spendRootsOf(header, headers.map(decodeBlockHeaderOf), windowMs).entries;
  const setBlocks: SetBlock[] = [];
  for (let h = 1n; h <= height; h = h === 1n ? BigInt(o.epochBlocks) : h + BigInt(o.epochBlocks)) {
    if (carriesValidatorSet(h, o.epochBlocks)) setBlocks.push(await source.setBlock(h));
  }
  for (let i = 0; i < setBlocks.length; i += MAX_SET_BLOCKS_PER_CHUNK) {
    chunks.push({ kind: ChunkKind.SET_BLOCKS, blocks: setBlocks.slice(i, i + MAX_SET_BLOCKS_PER_CHUNK) });
  }
  const leafCount = Number(header.leafCount);
  for (let from = 0; from < leafCount; from += MAX_FIELDS_PER_CHUNK) {
    const fields = await storage.tree.leaves(from, Math.min(MAX_FIELDS_PER_CHUNK, leafCount - from));
    chunks.push({ kind: ChunkKind.LEAVES, fields });
  }
  let pending: Field[] = [];
  let taken = 0n;
  for await (const n of storage.nullifiers.inOrder()) {
    if (taken === header.nullifierCount) break;
    pending.push(n);
    taken++;
    if (pending.length === MAX_FIELDS_PER_CHUNK) {
      chunks.push({ kind: ChunkKind.NULLIFIERS, fields: pending });
      pending = [];
    }
  }
  if (pending.length) chunks.push({ kind: ChunkKind.NULLIFIERS, fields: pending });
  let refundBlocks: Uint8Array[] = [];
  let refundBytes = 0;
  for (const h of refundHeights) {
    const stored = await storage.blocks.getStoredOrHeld(h);
    if (!stored) throw new SnapshotError('NOTHING_TO_SERVE', `refund block ${h} is not held here`);
    if (
      refundBlocks.length === MAX_REFUND_BLOCKS_PER_CHUNK ||
      (refundBlocks.length > 0 && refundBytes + 4 + stored.block.length > CHUNK_TARGET_BYTES)
    ) {
      chunks.push({ kind: ChunkKind.REFUND_BLOCKS, blocks: refundBlocks });
      refundBlocks = [];
      refundBytes = 0;
    }
    refundBlocks.push(stored.block);
    refundBytes += 4 + stored.block.length;
  }
  if (refundBlocks.length) chunks.push({ kind: ChunkKind.REFUND_BLOCKS, blocks: refundBlocks });
  let window: WindowSections[] = [];
  let windowBytes = 0;
  for (let h = computeFrom; h < height; h++) {
    const sections = await source.sections(h);
    if (
      window.length === MAX_WINDOW_SECTIONS_PER_CHUNK ||
      (window.length > 0 && windowBytes + 12 + sections.length > CHUNK_TARGET_BYTES)
    ) {
      chunks.push({ kind: ChunkKind.COMPUTE_SECTIONS, blocks: window });
      window = [];
      windowBytes = 0;
    }
    window.push({ height: h, sections });
    windowBytes += 12 + sections.length;
  }
  if (window.length) chunks.push({ kind: ChunkKind.COMPUTE_SECTIONS, blocks: window });
  for (let i = 0; i < spendRoots.length; i += MAX_SPEND_ROOTS_PER_CHUNK) {
    chunks.push({ kind: ChunkKind.SPEND_ROOTS, roots: spendRoots.slice(i, i + MAX_SPEND_ROOTS_PER_CHUNK) });
  }

  const encoded = chunks.map(encodeChunk);
  const manifest: SnapshotManifest = {
    height,
    block: stored.block,
    qc,
    depositSlot: storage.deposits.get()?.slot ?? 0n,
    chunks: encoded.map((bytes, i) => chunkEntry(bytes, chunks[i]!)),
  };
  const manifestBytes = encodeManifest(manifest);
  const bytes = encoded.reduce((n, c) => n + c.length, manifestBytes.length);
  return { manifest, manifestBytes, chunks: encoded, bytes };
}

/**
 * Finds the blocks below H holding a withdrawal that offers a refund, is not refunded by block H
 * and (with a cutoff) expires at or after the cutoff slot. Follows the blocks this node holds (held
 * refund blocks, then stored ones) as the ledger's refund watch does, up to H only, so the answer
 * is that of block H whatever commits go on meanwhile. Kept by a snapshot server between builds,
 * it follows only the blocks added since the last build (builds come at increasing heights), and
 * forgets withdrawals once they expire before the cutoff (the cutoff only grows, with the finalized
 * slot): a build then costs the new blocks' decoding, not the chain's.
 */
export class RefundScan {
  private watch = new RefundWatch();
  private followed = 0n;
  private storage: NodeStorage | undefined;

  async heights(storage: NodeStorage, height: bigint, cutoff: bigint | undefined): Promise<bigint[]> {
    if (this.storage !== storage || height < this.followed) {
      // Another store (a node that rejoined) or an older height: start over.
      this.watch = new RefundWatch();
      this.followed = 0n;
      this.storage = storage;
      for await (const held of storage.blocks.held()) {
        if (held.height < height) this.watch.follow(held.height, decodeBlock(held.block));
      }
    }
    for (let from = this.followed + 1n; from <= height; ) {
      const page = await storage.blocks.range(from, 256);
      if (page.length === 0) break;
      for (const stored of page) {
        if (stored.height > height) break;
        this.watch.follow(stored.height, decodeBlock(stored.block));
        this.followed = stored.height;
      }
      from = page[page.length - 1]!.height + 1n;
    }
    const heights = new Set<bigint>();
    for (const r of this.watch.pending()) {
      if (cutoff !== undefined && r.expirationSlot < cutoff) this.watch.drop(r);
      else if (r.height < height) heights.add(r.height);
    }
    return [...heights].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

/**
 * Headers H-1, H-2, ... down to the predecessor of the ROOT_HISTORY_SIZE-th most recent block that
 * appended leaves, or to block 1: what a joiner needs to rebuild the exact root window; down to the
 * first header timestamped before the spend-root window (the joiner's proof that no root of the
 * window is left out); and at least down to `downTo`.
 */
async function windowHeaders(
  source: History,
  top: BlockHeader,
  downTo: bigint,
  windowMs: bigint,
): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let appending = 0;
  let leaves = top.leafCount;
  let lastMs = top.timestampMs;
  for (
    let h = top.height - 1n;
    h >= 1n &&
    (appending < ROOT_HISTORY_SIZE || h >= downTo || insideSpendWindow(lastMs, top.timestampMs, windowMs));
    h--
  ) {
    const bytes = await source.header(h);
    out.push(bytes);
    const below = decodeBlockHeaderOf(bytes);
    if (leaves > below.leafCount) appending++;
    leaves = below.leafCount;
    lastMs = below.timestampMs;
  }
  return out;
}

/** Headers and set blocks from the stored blocks, or below them from the snapshot base. */
class History {
  constructor(
    private readonly storage: NodeStorage,
    private readonly base: SnapshotBase | undefined,
  ) {}

  async header(h: bigint): Promise<Uint8Array> {
    const stored = await this.storage.blocks.getByHeight(h);
    if (stored) return headerBytesOf(stored.block);
    const fromBase = this.base?.headers.get(h);
    if (!fromBase) throw new SnapshotError('NOTHING_TO_SERVE', `header ${h} is not held here`);
    return fromBase;
  }

  async sections(h: bigint): Promise<Uint8Array> {
    const stored = await this.storage.blocks.getByHeight(h);
    if (stored) return encodeSections(decodeBlock(stored.block).sections);
    const fromBase = this.base?.sections.get(h);
    if (!fromBase)
      throw new SnapshotError('NOTHING_TO_SERVE', `the sections of block ${h} are not held here`);
    return fromBase;
  }

  async setBlock(h: bigint): Promise<SetBlock> {
    const stored = await this.storage.blocks.getByHeight(h);
    const qc = await this.storage.blocks.getQc(h);
    if (stored && qc) {
      return {
        header: headerBytesOf(stored.block),
        sections: encodeSections(decodeBlock(stored.block).sections),
        qc,
      };
    }
    const fromBase = this.base?.setBlocks.get(h);
    if (!fromBase) throw new SnapshotError('NOTHING_TO_SERVE', `validator-set block ${h} is not held here`);
    return fromBase;
  }
}
