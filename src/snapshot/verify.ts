import { bytesEqual, isParaloomError, sha256 } from '../common/index.js';
import { computeWindowStart, type WindowBlock } from '../compute/index.js';
import {
  activationHeight,
  carriesValidatorSet,
  decodeCertificate,
  decodeValidatorSet,
  type ScheduledSet,
  sameValidatorSet,
  VALIDATOR_SET_SECTION,
  type ValidatorInfo,
  ValidatorSet,
  type Vote,
  verifyCertificate,
} from '../consensus/index.js';
import {
  type BlockHeader,
  type BlockSection,
  blockHash,
  DEFAULT_SPEND_ROOT_WINDOW_MS,
  decodeBlock,
  decodeBlockHeaderOf,
  decodeSections,
  NULLIFIER_ACCUMULATOR_ZERO,
  nextNullifierAccumulator,
  sectionEntries,
  sectionsRoot,
  transactionRoot,
} from '../ledger/index.js';
import {
  type Field,
  MerkleTree,
  ROOT_HISTORY_SIZE,
  type TreeChanges,
  type TreeNodeWrite,
  type TreeState,
  type TreeStorage,
} from '../privacy/index.js';
import type { DepositCursor, SpendRootEntry, StoredBlock } from '../storage/index.js';
import { SnapshotError, type SnapshotErrorCode } from './errors.js';
import {
  ChunkKind,
  type ChunkKindCode,
  decodeChunk,
  type SetBlock,
  type SnapshotChunk,
  type SnapshotManifest,
  type SpendRootItem,
  type WindowSections,
} from './format.js';
import { spendRootsOf } from './spend-roots.js';

/** What the joiner trusts before it has any block: the genesis set, walked forward by set blocks. */
export interface SnapshotTrust {
  /** The genesis validator set (GenesisDiscovery / the chain registry), as for block sync. */
  readonly genesis: readonly ValidatorInfo[];
  /** consensus.epoch_blocks of the cluster. */
  readonly epochBlocks: number;
  /** Checks one precommit's signature (the node's VoteAuthenticator: program id and cluster bound). */
  readonly verifyVote: (vote: Vote) => boolean;
  readonly headFraction?: number;
  /** ledger.spend_root_window_ms of the cohort (the joiner's own setting); default the ledger's. */
  readonly spendRootWindowMs?: number;
}

/** A snapshot whose every part was checked against block H's certified header. */
export interface VerifiedSnapshot {
  readonly height: bigint;
  readonly hash: Uint8Array;
  readonly header: BlockHeader;
  readonly block: Uint8Array;
  readonly qc: Uint8Array;
  /** Every tree node (last write of each position) and the tree state with the exact root window. */
  readonly tree: TreeChanges;
  readonly nullifiers: readonly Field[];
  readonly depositCursor: DepositCursor;
  /** Every set the set blocks scheduled, by activation height. */
  readonly validatorSets: readonly ScheduledSet[];
  /** Hash of block 1 as the validator-set walk certified it. */
  readonly block1Hash: Uint8Array;
  /** The chunks that are history rather than state (headers, set blocks), kept to serve snapshots. */
  readonly historyChunks: readonly SnapshotChunk[];
  /**
   * Blocks below H holding withdrawals that may still be refunded, ascending, each the block whose
   * hash the chained headers name at its height: held so a later refund of them re-executes.
   */
  readonly refundBlocks: readonly StoredBlock[];
  /**
   * The sections of every block of the compute window, block H's last, each checked against its
   * header: replayed from nothing they give the compute jobs live at H.
   */
  readonly computeBlocks: readonly WindowBlock[];
  /**
   * The spend-root window at H (the ledger's index, ascending timestamp), each entry the root and
   * timestamp of the header the chain names at its height, and none missing; with its width.
   */
  readonly spendRoots: { readonly windowMs: bigint; readonly entries: readonly SpendRootEntry[] };
}

/** Reads chunk `index` of the manifest (from a peer, a file, memory). */
export type ChunkSource = (index: number) => Promise<Uint8Array>;

const fail = (code: SnapshotErrorCode, message: string, context: object = {}): never => {
  throw new SnapshotError(code, message, context as never);
};

/**
 * Checks a snapshot against block H's header, whose hash the QC certifies under the set that decides
 * H (the trusted genesis set walked forward by the certified set blocks). Throws a SnapshotError
 * and returns nothing on the first mismatch; writes nothing in any case.
 */
export async function verifySnapshot(
  manifest: SnapshotManifest,
  chunkAt: ChunkSource,
  trust: SnapshotTrust,
): Promise<VerifiedSnapshot> {
  const height = manifest.height;
  const block = typed('SNAPSHOT_MALFORMED', () => decodeBlock(manifest.block));
  const header = block.header;
  if (header.height !== height)
    fail('SNAPSHOT_MALFORMED', 'block height differs from the manifest', { value: `${header.height}` });
  const hash = blockHash(header);

  // Totals are known from the manifest alone: refuse a wrong one before fetching anything.
  const total = (kind: ChunkKindCode) =>
    manifest.chunks.filter((c) => c.kind === kind).reduce((n, c) => n + BigInt(c.count), 0n);
  if (total(ChunkKind.LEAVES) !== header.leafCount)
    fail('TREE_MISMATCH', 'leaf total differs from the header', { leafCount: `${total(ChunkKind.LEAVES)}` });
  if (total(ChunkKind.NULLIFIERS) !== header.nullifierCount)
    fail('NULLIFIERS_MISMATCH', 'nullifier total differs from the header', {
      count: `${total(ChunkKind.NULLIFIERS)}`,
    });

  const headers: Uint8Array[] = [];
  const setBlocks: SetBlock[] = [];
  const leaves: Field[] = [];
  const nullifiers: Field[] = [];
  const refundBlockBytes: Uint8Array[] = [];
  const windowSections: WindowSections[] = [];
  const spendRootItems: SpendRootItem[] = [];
  const historyChunks: SnapshotChunk[] = [];
  for (const [i, entry] of manifest.chunks.entries()) {
    const bytes = await chunkAt(i);
    if (!bytesEqual(sha256(bytes), entry.hash))
      fail('CHUNK_MISMATCH', 'chunk hash differs from the manifest', { index: i });
    const chunk = decodeChunk(bytes);
    if (chunk.kind !== entry.kind)
      fail('CHUNK_MISMATCH', 'chunk kind differs from the manifest', { index: i });
    if (chunk.kind === ChunkKind.HEADERS) headers.push(...chunk.headers);
    else if (chunk.kind === ChunkKind.SET_BLOCKS) setBlocks.push(...chunk.blocks);
    else if (chunk.kind === ChunkKind.LEAVES) leaves.push(...chunk.fields);
    else if (chunk.kind === ChunkKind.NULLIFIERS) nullifiers.push(...chunk.fields);
    else if (chunk.kind === ChunkKind.REFUND_BLOCKS) refundBlockBytes.push(...chunk.blocks);
    else if (chunk.kind === ChunkKind.COMPUTE_SECTIONS) windowSections.push(...chunk.blocks);
    else spendRootItems.push(...chunk.roots);
    // Kept to serve snapshots: what lies below the first block this node will store.
    if (
      chunk.kind === ChunkKind.HEADERS ||
      chunk.kind === ChunkKind.SET_BLOCKS ||
      chunk.kind === ChunkKind.COMPUTE_SECTIONS
    )
      historyChunks.push(chunk);
  }

  const sets = walkValidatorSets(setBlocks, height, trust);
  const qc = typed('CERTIFICATE_INVALID', () => decodeCertificate(manifest.qc), { height: `${height}` });
  typed(
    'CERTIFICATE_INVALID',
    () =>
      verifyCertificate(
        qc,
        new ValidatorSet(setAt(sets, height), trust.headFraction),
        { verify: trust.verifyVote },
        {
          height,
          blockHash: hash,
        },
      ),
    { height: `${height}` },
  );

  const window = rootWindow(header, headers);
  const tree = await rebuildTree(leaves, window, header);
  checkNullifiers(nullifiers, header);
  // rootWindow checked that the headers chain back from H: their hashes are certified through H's.
  const refundBlocks = checkRefundBlocks(refundBlockBytes, header, headers);
  const computeBlocks = [...checkComputeWindow(windowSections, header, headers), block];
  const windowMs = BigInt(trust.spendRootWindowMs ?? DEFAULT_SPEND_ROOT_WINDOW_MS);
  const spendRoots = checkSpendRoots(spendRootItems, header, headers, windowMs);

  return {
    height,
    hash,
    header,
    block: manifest.block,
    qc: manifest.qc,
    tree,
    nullifiers,
    depositCursor: {
      consumed: header.depositsConsumed,
      accumulator: header.depositAccumulator,
      slot: manifest.depositSlot,
    },
    validatorSets: sets,
    // The walk checked there is one set block per expected height, block 1 first.
    block1Hash: blockHash(decodeBlockHeaderOf(setBlocks[0]!.header)),
    historyChunks,
    refundBlocks,
    computeBlocks: computeBlocks.map((b) => ({ height: b.header.height, sections: b.sections })),
    spendRoots: { windowMs, entries: spendRoots },
  };
}

/**
 * The spend-root window the snapshot lists must be exactly the one the chained headers give (the
 * one a node that applied every block holds at H), and the headers must reach past its start: a
 * joiner accepts the same spend roots as a replaying node, no more and no fewer.
 */
function checkSpendRoots(
  items: readonly SpendRootItem[],
  top: BlockHeader,
  headers: readonly Uint8Array[],
  windowMs: bigint,
): SpendRootItem[] {
  const expected = spendRootsOf(top, headers.map(decodeBlockHeaderOf), windowMs);
  if (!expected.complete)
    fail('HEADERS_INVALID', 'headers stop before the spend-root window does', { height: `${top.height}` });
  if (items.length !== expected.entries.length)
    fail('SPEND_ROOTS_INVALID', `expected ${expected.entries.length} spend roots, got ${items.length}`);
  items.forEach((item, i) => {
    const e = expected.entries[i]!;
    if (item.root !== e.root || item.height !== e.height || item.timestampMs !== e.timestampMs) {
      fail('SPEND_ROOTS_INVALID', 'a spend root is not the one its header names', {
        index: i,
        height: `${item.height}`,
      });
    }
  });
  return expected.entries;
}

/**
 * The compute window: the sections of every block from computeWindowStart(H) to H - 1, in order,
 * none missing, each hashing to the sectionsRoot of the header the chain names at its height.
 */
function checkComputeWindow(
  items: readonly WindowSections[],
  top: BlockHeader,
  headers: readonly Uint8Array[],
): { header: BlockHeader; sections: BlockSection[] }[] {
  const byHeight = new Map<bigint, BlockHeader>();
  for (const bytes of headers) {
    const h = decodeBlockHeaderOf(bytes);
    byHeight.set(h.height, h);
  }
  const from = computeWindowStart(top.height);
  if (BigInt(items.length) !== top.height - from)
    fail('COMPUTE_WINDOW_INVALID', `expected the sections of blocks ${from} to ${top.height - 1n}`);
  return items.map((item, i) => {
    const height = from + BigInt(i);
    const at = { height: `${height}` };
    if (item.height !== height) fail('COMPUTE_WINDOW_INVALID', 'window sections out of order', at);
    const header = byHeight.get(height);
    if (!header) fail('COMPUTE_WINDOW_INVALID', 'the headers do not reach the compute window', at);
    const sections = typed('COMPUTE_WINDOW_INVALID', () => decodeSections(item.sections), at);
    if (!bytesEqual(sectionsRoot(sections), header!.sectionsRoot))
      fail('COMPUTE_WINDOW_INVALID', 'sections do not hash to the header', at);
    return { header: header!, sections };
  });
}

/**
 * Each refund block must be the block the chained headers name at its height (same header hash)
 * with a body its header commits to (transaction root, sections root): a refund names a withdrawal
 * by (height, index), so the transactions are what the refund path reads. Heights strictly
 * ascending, below H.
 */
function checkRefundBlocks(
  blocks: readonly Uint8Array[],
  top: BlockHeader,
  headers: readonly Uint8Array[],
): StoredBlock[] {
  if (blocks.length === 0) return [];
  const hashes = new Map<bigint, Uint8Array>();
  for (const bytes of headers) {
    const h = decodeBlockHeaderOf(bytes);
    hashes.set(h.height, blockHash(h));
  }
  const out: StoredBlock[] = [];
  let previous = 0n;
  for (const bytes of blocks) {
    const block = typed('REFUND_BLOCKS_INVALID', () => decodeBlock(bytes));
    const h = block.header.height;
    const at = { height: `${h}` };
    if (h <= previous || h >= top.height)
      fail('REFUND_BLOCKS_INVALID', 'refund blocks out of order or not below H', at);
    previous = h;
    const certified = hashes.get(h);
    if (!certified) fail('REFUND_BLOCKS_INVALID', 'the headers do not reach this refund block', at);
    const hash = blockHash(block.header);
    if (!bytesEqual(hash, certified!)) fail('REFUND_BLOCKS_INVALID', 'not the certified block', at);
    if (!bytesEqual(transactionRoot(block.transactions.map((t) => t.id)), block.header.transactionRoot))
      fail('REFUND_BLOCKS_INVALID', 'transactions do not hash to the header', at);
    if (!bytesEqual(sectionsRoot(block.sections), block.header.sectionsRoot))
      fail('REFUND_BLOCKS_INVALID', 'sections do not hash to the header', at);
    out.push({ height: h, hash, block: bytes });
  }
  return out;
}

/**
 * Walks the trusted genesis set forward: block 1 and every epoch multiple up to H, each certified by
 * the set deciding its height and carrying the next set in a section its header commits to.
 */
function walkValidatorSets(
  blocks: readonly SetBlock[],
  height: bigint,
  trust: SnapshotTrust,
): ScheduledSet[] {
  const sets: ScheduledSet[] = [{ from: 1n, validators: trust.genesis }];
  const expected: bigint[] = [];
  for (let h = 1n; h <= height; h = h === 1n ? BigInt(trust.epochBlocks) : h + BigInt(trust.epochBlocks)) {
    if (carriesValidatorSet(h, trust.epochBlocks)) expected.push(h);
  }
  if (blocks.length !== expected.length) {
    fail('VALIDATOR_SETS_INVALID', `expected ${expected.length} validator-set blocks, got ${blocks.length}`);
  }
  blocks.forEach((b, i) => {
    const h = expected[i]!;
    const header = typed('VALIDATOR_SETS_INVALID', () => decodeBlockHeaderOf(b.header), { height: `${h}` });
    if (header.height !== h)
      fail('VALIDATOR_SETS_INVALID', 'validator-set block at the wrong height', { height: `${h}` });
    const sections = typed('VALIDATOR_SETS_INVALID', () => decodeSections(b.sections), { height: `${h}` });
    if (!bytesEqual(sectionsRoot(sections), header.sectionsRoot)) {
      fail('VALIDATOR_SETS_INVALID', 'sections do not hash to the header', { height: `${h}` });
    }
    const qc = typed('CERTIFICATE_INVALID', () => decodeCertificate(b.qc), { height: `${h}` });
    typed(
      'CERTIFICATE_INVALID',
      () =>
        verifyCertificate(
          qc,
          new ValidatorSet(setAt(sets, h), trust.headFraction),
          { verify: trust.verifyVote },
          {
            height: h,
            blockHash: blockHash(header),
          },
        ),
      { height: `${h}` },
    );
    const entries = sectionEntries(sections, VALIDATOR_SET_SECTION);
    if (entries.length !== 1)
      fail('VALIDATOR_SETS_INVALID', 'an epoch block carries exactly one set', { height: `${h}` });
    const carried = typed('VALIDATOR_SETS_INVALID', () => decodeValidatorSet(entries[0]!), {
      height: `${h}`,
    });
    if (h === 1n && !sameValidatorSet(carried, trust.genesis)) {
      fail('VALIDATOR_SETS_INVALID', 'block 1 does not carry the trusted genesis set', { height: '1' });
    }
    const from = activationHeight(h);
    sets.splice(0, sets.length, ...sets.filter((s) => s.from !== from), { from, validators: carried });
    sets.sort((a, b) => (a.from < b.from ? -1 : 1));
  });
  return sets;
}

function setAt(sets: readonly ScheduledSet[], height: bigint): readonly ValidatorInfo[] {
  let found = sets[0]!.validators;
  for (const s of sets) if (s.from <= height) found = s.validators;
  return found;
}

interface WindowEntry {
  readonly leafCount: bigint;
  readonly root: Field;
}

/**
 * The roots the ledger accepts spends from after block H: those of the last ROOT_HISTORY_SIZE blocks
 * that appended leaves (and the empty tree's, while fewer did). The headers must chain back from H
 * by their previous hashes, and reach block 1 or far enough back to hold that many.
 */
function rootWindow(top: BlockHeader, headers: readonly Uint8Array[]): WindowEntry[] {
  const entries: WindowEntry[] = [];
  let above = top;
  let reachedGenesis = top.height === 1n;
  for (const bytes of headers) {
    const h = typed('HEADERS_INVALID', () => decodeBlockHeaderOf(bytes), { height: `${above.height - 1n}` });
    const hash = blockHash(h);
    if (h.height !== above.height - 1n || !bytesEqual(hash, above.previousHash)) {
      fail('HEADERS_INVALID', 'headers do not chain back from block H', { height: `${above.height - 1n}` });
    }
    if (above.leafCount > h.leafCount)
      entries.push({ leafCount: above.leafCount, root: above.commitmentRoot });
    else if (above.leafCount < h.leafCount)
      fail('HEADERS_INVALID', 'leaf count went down', { height: `${above.height}` });
    above = h;
    if (h.height === 1n) reachedGenesis = true;
  }
  if (reachedGenesis && above.leafCount > 0n)
    entries.push({ leafCount: above.leafCount, root: above.commitmentRoot });
  if (!reachedGenesis && entries.length < ROOT_HISTORY_SIZE) {
    fail('HEADERS_INVALID', 'headers stop before the root window does', { height: `${above.height}` });
  }
  entries.reverse();
  return reachedGenesis ? entries : entries.slice(-ROOT_HISTORY_SIZE);
}

/** A TreeStorage that only collects writes (nothing is on disk until the snapshot is verified). */
class CollectingTreeStorage implements TreeStorage {
  readonly nodes = new Map<string, TreeNodeWrite>();
  state: TreeState | undefined;
  async loadState(): Promise<TreeState | undefined> {
    return undefined;
  }
  async getNode(): Promise<Field | undefined> {
    return undefined;
  }
  async writeChanges(changes: TreeChanges): Promise<void> {
    for (const n of changes.nodes) this.nodes.set(`${n.level}:${n.index}`, n);
    this.state = changes.state;
  }
}

/** Appends the leaves block by block along the window and checks each root the headers name. */
async function rebuildTree(
  leaves: readonly Field[],
  window: readonly WindowEntry[],
  header: BlockHeader,
): Promise<TreeChanges> {
  const storage = new CollectingTreeStorage();
  const tree = await MerkleTree.open(storage);
  let done = 0;
  for (const e of window) {
    const upTo = Number(e.leafCount);
    await tree.appendBatch(leaves.slice(done, upTo));
    done = upTo;
    if (tree.root !== e.root)
      fail('TREE_MISMATCH', 'leaves do not rebuild a committed root', { leafCount: `${e.leafCount}` });
  }
  if (
    done !== leaves.length ||
    tree.root !== header.commitmentRoot ||
    BigInt(tree.size) !== header.leafCount
  ) {
    fail('TREE_MISMATCH', 'leaves do not rebuild block H root', { leafCount: `${leaves.length}` });
  }
  return {
    nodes: [...storage.nodes.values()],
    state: { leafCount: tree.size, rootHistory: [...tree.rootHistory] },
  };
}

function checkNullifiers(nullifiers: readonly Field[], header: BlockHeader): void {
  if (BigInt(nullifiers.length) !== header.nullifierCount)
    fail('NULLIFIERS_MISMATCH', 'nullifier count differs', { count: `${nullifiers.length}` });
  if (new Set(nullifiers).size !== nullifiers.length)
    fail('NULLIFIERS_MISMATCH', 'a nullifier is listed twice');
  const acc = nextNullifierAccumulator(NULLIFIER_ACCUMULATOR_ZERO, nullifiers);
  if (!bytesEqual(acc, header.nullifierAccumulator))
    fail('NULLIFIERS_MISMATCH', 'nullifiers do not hash to the header accumulator');
}

/** Runs `f`; another module's typed error (a decode or certificate failure) becomes `code`. */
function typed<T>(code: SnapshotErrorCode, f: () => T, context: object = {}): T {
  try {
    return f();
  } catch (err) {
    if (err instanceof SnapshotError) throw err;
    if (isParaloomError(err))
      throw new SnapshotError(code, `${err.code}: ${err.message}`, context as never, { cause: err });
    throw err;
  }
}
