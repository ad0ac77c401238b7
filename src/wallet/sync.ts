import { type Field, loadWasmPoseidon } from '../privacy/index.js';
import { SyncCheckpoint } from './checkpoint.js';
import { WalletError } from './errors.js';
import type { TreeFrontier } from './frontier.js';
import { nodeIndex, type SparseAppend } from './frontier.js';
import { type IngressOutput, unlessNotServed } from './ingress-client.js';
import type { NoteStore } from './note-store.js';
import { IncrementalWitness } from './witness.js';

/** What a sync reads from the network (a validator's ingress, or an in-process ledger in the bench). */
export interface OutputSource {
  /** The current tree: its size and root (the root every sync ends checked against). */
  status(): Promise<{ readonly root: Field; readonly leafCount: number }>;
  /** Up to `limit` published outputs from leaf `from` on, in leaf order. */
  outputsPage(from: number, limit: number): Promise<readonly IngressOutput[]>;
  /** The validator's frontier at an earlier tree size and the root it computes from it. */
  frontier(leafCount: number): Promise<{ readonly root: Field; readonly frontier: TreeFrontier }>;
  /**
   * Roots of the complete subtrees (level, from) .. (level, from + count - 1) (absent: the sync hashes
   * every leaf itself). Asked for a whole chunk's range, so the request says nothing about which
   * subtrees hold the wallet's notes.
   */
  subtreeRoots?(level: number, from: number, count: number): Promise<readonly Field[]>;
  /** Anchored roots with their tree sizes, to check a birthday frontier against (absent: not checked). */
  anchors?(): Promise<ReadonlyArray<{ readonly root: Field; readonly leafCount: number | undefined }>>;
}

/** What the wallet does with each checkpoint's worth of outputs. */
export interface ChunkScanner<Prepared> {
  /** Once, before the first chunk, with how many outputs the sync will read (a scanner may start workers). */
  begin?(outputs: number): Promise<void>;
  /** Work that changes nothing (trial decryption), run while the chunk's root is computed and checked. */
  prepare(outputs: readonly IngressOutput[]): Promise<Prepared>;
  /**
   * Leaf indexes the wallet keeps witnesses for or must see verified (its notes, landed deposits,
   * pending outputs) among the prepared chunk; undefined to hash every leaf.
   */
  keep?(prepared: Prepared, outputs: readonly IngressOutput[]): Iterable<number> | undefined;
  /** Keeps what the chunk holds for the wallet, once its root checked out. */
  apply(
    prepared: Prepared,
    outputs: readonly IngressOutput[],
    /** Commitments of these outputs and of the leaf before them (a transaction's pair may straddle). */
    seen: ReadonlySet<Field>,
  ): { received: number; depositsLanded: number; finalized: number; spendsSeen: number };
  /** Once, when the sync ends or fails. */
  end?(): Promise<void>;
}

export interface SyncProgress {
  readonly leafCount: number;
  readonly target: number;
}

export interface SyncOptions {
  /** A checkpoint is written every this many outputs (and at the end). */
  readonly checkpointEvery?: number;
  /** Outputs asked for in one request. */
  readonly pageSize?: number;
  readonly onProgress?: (p: SyncProgress) => void;
}

export interface SyncCounts {
  readonly scanned: number;
  readonly received: number;
  readonly depositsLanded: number;
  readonly finalized: number;
  /** Spends of our notes this wallet did not send (found by nullifier: a restore, another device). */
  readonly spendsSeen: number;
}

export const DEFAULT_CHECKPOINT_EVERY = 10_000;
const DEFAULT_PAGE = 1_000;
/**
 * Subtrees of 16 leaves: a sync hashes those holding a leaf it keeps and takes the others' roots from
 * the validator (one Poseidon per 16 leaves instead of 16), all checked by the chunk's root. With 1 %
 * of the outputs the wallet's, about 15 % of the subtrees are hashed.
 */
const SUBTREE_LEVEL = 4;
const SUBTREE_ROOTS_PER_REQUEST = 1_024;
/** From this many outputs on, loading the WebAssembly Poseidon (about 1 s) pays for itself. */
const WASM_POSEIDON_FROM = 20_000;

/**
 * Where the next sync starts: the stored checkpoint; for a store without one, the empty tree, or the
 * validator's frontier at the store's first leaf (a restore's birthday), checked against the
 * anchored root of that size when one is published. A store that holds notes but no checkpoint
 * (written before checkpoints) is scanned again from leaf 0, once, to build its witnesses.
 */
async function startingCheckpoint(store: NoteStore, source: OutputSource): Promise<SyncCheckpoint> {
  if (store.checkpoint) return store.checkpoint;
  const from = store.scannedUpTo;
  if (from === 0 || store.all.some((n) => n.leafIndex < from)) {
    store.scannedUpTo = 0;
    return SyncCheckpoint.empty();
  }
  const { root, frontier } = await source.frontier(from);
  if (frontier.leafCount !== from || frontier.root !== root) {
    throw new WalletError(
      'ROOT_MISMATCH',
      'the frontier the validator sent does not give the root it names',
      {
        leafCount: from,
      },
    );
  }
  const anchored = (await unlessNotServed(() => source.anchors?.()))?.find((a) => a.leafCount === from);
  if (anchored && anchored.root !== root) {
    throw new WalletError(
      'ROOT_MISMATCH',
      'the birthday frontier does not give the anchored root of its size',
      {
        leafCount: from,
      },
    );
  }
  return new SyncCheckpoint(frontier);
}

/**
 * Scans what was published after the checkpoint: each chunk of `checkpointEvery` outputs is appended
 * to the frontier, its root checked against the validator's root of that size (the last chunk's
 * against the current root), and only then scanned, witnessed and saved with the notes in one atomic
 * write. A root that does not match refuses the chunk with ROOT_MISMATCH and keeps the checkpoint
 * before it; a sync interrupted anywhere resumes from the last checkpoint written.
 */
export async function syncOutputs<Prepared>(
  store: NoteStore,
  source: OutputSource,
  scanner: ChunkScanner<Prepared>,
  options: SyncOptions = {},
): Promise<SyncCounts> {
  const status = await source.status();
  const checkpoint = await startingCheckpoint(store, source);
  const outputs = Math.max(0, status.leafCount - checkpoint.leafCount);
  // Both take about a second, one on this thread and one starting worker threads: side by side.
  await Promise.all([
    outputs >= WASM_POSEIDON_FROM ? loadWasmPoseidon() : undefined,
    scanner.begin?.(outputs),
  ]);
  try {
    return await scanChunks(store, source, scanner, checkpoint, status, options);
  } finally {
    await scanner.end?.();
  }
}

async function scanChunks<Prepared>(
  store: NoteStore,
  source: OutputSource,
  scanner: ChunkScanner<Prepared>,
  checkpoint: SyncCheckpoint,
  status: { readonly root: Field; readonly leafCount: number },
  options: SyncOptions,
): Promise<SyncCounts> {
  const every = Math.max(1, options.checkpointEvery ?? DEFAULT_CHECKPOINT_EVERY);
  const pageSize = Math.max(1, options.pageSize ?? DEFAULT_PAGE);
  const counts = { scanned: 0, received: 0, depositsLanded: 0, finalized: 0, spendsSeen: 0 };
  const read = (start: number): Promise<ReadChunk<Prepared>> => {
    const reading = readChunk(source, scanner, start, every, pageSize, status.leafCount);
    // Settled at once: a chunk read ahead and then abandoned (a root mismatch before it) must not
    // leave a rejection unhandled; it is awaited when its turn comes.
    reading.catch(() => undefined);
    return reading;
  };
  let next = checkpoint.leafCount < status.leafCount ? read(checkpoint.leafCount) : undefined;
  while (next) {
    const { outputs, preparing, exhausted } = await next;
    if (outputs.length === 0) break;
    const start = checkpoint.leafCount;
    const end = start + outputs.length;
    // Read ahead: the next chunk is fetched and handed to the trial decryption workers while this
    // one is hashed, checked and applied here, so neither waits for the other.
    next = !exhausted && end < status.leafCount ? read(end) : undefined;
    const sparse = await sparseAppend(source, scanner, preparing, outputs, start, end);
    const { frontier, nodes } = checkpoint.frontier.append(
      outputs.map((o) => o.commitment),
      sparse,
    );
    const expected = end === status.leafCount ? status.root : (await source.frontier(end)).root;
    if (frontier.root !== expected) {
      throw new WalletError(
        'ROOT_MISMATCH',
        'the published outputs do not give the root the validator names; the last checkpoint is kept',
        { leafCount: end, checkpoint: start },
      );
    }
    const seen = new Set<Field>(outputs.map((o) => o.commitment));
    if (checkpoint.lastLeaf !== undefined) seen.add(checkpoint.lastLeaf);
    const found = scanner.apply(await preparing, outputs, seen);
    for (const w of checkpoint.witnesses.values()) w.update(nodes);
    for (const n of store.all) {
      if (n.leafIndex < start || n.leafIndex >= end || n.status === 'spent') continue;
      if (!checkpoint.witnesses.has(n.commitment))
        checkpoint.witnesses.set(n.commitment, IncrementalWitness.fromAppend(n.leafIndex, nodes));
    }
    checkpoint.frontier = frontier;
    checkpoint.lastLeaf = outputs[outputs.length - 1]!.commitment;
    store.checkpoint = checkpoint;
    store.scannedUpTo = end;
    store.save();
    counts.scanned += outputs.length;
    counts.received += found.received;
    counts.depositsLanded += found.depositsLanded;
    counts.finalized += found.finalized;
    counts.spendsSeen += found.spendsSeen;
    options.onProgress?.({ leafCount: end, target: status.leafCount });
  }
  if (!store.checkpoint) {
    store.checkpoint = checkpoint;
    store.save();
  }
  return counts;
}

interface ReadChunk<Prepared> {
  readonly outputs: readonly IngressOutput[];
  /** The scanner's trial decryption of `outputs`, started as soon as they were read. */
  readonly preparing: Promise<Prepared>;
  /** The validator served fewer outputs than its status promised. */
  readonly exhausted: boolean;
}

/**
 * Reads the chunk from leaf `start` (up to `every` outputs, one more when the last is a transaction's
 * first output: its spend fields need the second in the same chunk) and starts its preparation.
 */
async function readChunk<Prepared>(
  source: OutputSource,
  scanner: ChunkScanner<Prepared>,
  start: number,
  every: number,
  pageSize: number,
  leafCount: number,
): Promise<ReadChunk<Prepared>> {
  const chunkEnd = Math.min(leafCount, start + every);
  const outputs: IngressOutput[] = [];
  let exhausted = false;
  while (start + outputs.length < chunkEnd) {
    const from = start + outputs.length;
    const page = await source.outputsPage(from, Math.min(pageSize, chunkEnd - from));
    if (page.length === 0) {
      exhausted = true;
      break;
    }
    for (const o of page) {
      if (o.leafIndex !== start + outputs.length) {
        throw new WalletError('INGRESS_REJECTED', 'the validator sent outputs out of leaf order', {
          leafIndex: o.leafIndex,
        });
      }
      if (outputs.length < chunkEnd - start) outputs.push(o);
    }
  }
  if (outputs.length > 0 && outputs[outputs.length - 1]!.transaction && start + outputs.length < leafCount) {
    const [second] = await source.outputsPage(start + outputs.length, 1);
    if (second?.leafIndex === start + outputs.length) outputs.push(second);
  }
  const preparing = outputs.length > 0 ? scanner.prepare(outputs) : Promise.resolve(undefined as Prepared);
  preparing.catch(() => undefined);
  return { outputs, preparing, exhausted };
}

/**
 * The sparse append of a chunk when the source serves subtree roots and the scanner names the leaves
 * it keeps (a long sync's: it waits for the chunk's trial decryption); undefined to hash every leaf.
 */
async function sparseAppend<Prepared>(
  source: OutputSource,
  scanner: ChunkScanner<Prepared>,
  preparing: Promise<Prepared>,
  outputs: readonly IngressOutput[],
  start: number,
  end: number,
): Promise<SparseAppend | undefined> {
  const first = nodeIndex(start, SUBTREE_LEVEL) + 1;
  const last = nodeIndex(end - 1, SUBTREE_LEVEL) - 1;
  if (!source.subtreeRoots || !scanner.keep || last < first) return undefined;
  const keep = scanner.keep(await preparing, outputs);
  if (!keep) return undefined;
  const hashed = new Set<number>();
  for (const leaf of keep) hashed.add(nodeIndex(leaf, SUBTREE_LEVEL));
  const roots: Field[] = [];
  for (let from = first; from <= last; from += SUBTREE_ROOTS_PER_REQUEST) {
    const count = Math.min(SUBTREE_ROOTS_PER_REQUEST, last - from + 1);
    const page = await source.subtreeRoots(SUBTREE_LEVEL, from, count);
    if (page.length !== count) {
      throw new WalletError(
        'INGRESS_REJECTED',
        'the validator sent another number of subtree roots than asked',
        {
          sent: count,
          got: page.length,
        },
      );
    }
    roots.push(...page);
  }
  return {
    level: SUBTREE_LEVEL,
    hashed: (k) => hashed.has(k),
    roots: (k) => roots[k - first]!,
  };
}
