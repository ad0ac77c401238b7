import { ed25519 } from '@noble/curves/ed25519.js';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../common/index.js';
import {
  assignExecutors,
  ComputeChain,
  computeWindowStart,
  encodeJobEntry,
  encodeSignedResult,
  executorsPerAttempt,
  JOBS_SECTION_KIND,
  JobPool,
  jobId,
  jobIdBytes,
  outputHash,
  RESULTS_SECTION_KIND,
  ResultPool,
  signResult,
} from '../compute/index.js';
import { assignedJobFixture, validatorSeed } from '../compute/testing/index.js';
import { ValidatorSet } from '../consensus/index.js';
import { testCohort } from '../consensus/testing/index.js';
import type { BlockSection } from '../ledger/index.js';
import {
  blockHash,
  decodeBlock,
  encodeBlock,
  LedgerApp,
  LedgerState,
  NULLIFIER_ACCUMULATOR_ZERO,
  nextNullifierAccumulator,
  refundEntriesOf,
} from '../ledger/index.js';
import { Caps, type NetworkMessage } from '../network/index.js';
import {
  BatchVerifierPool,
  loadCircuitArtifacts,
  MerkleTree,
  privacyReady,
  randomField,
  VerifyingKey,
} from '../privacy/index.js';
import { NodeStorage } from '../storage/index.js';
import { quietLogger, tempDir } from '../storage/testing/index.js';
import { BlockSyncServer } from '../sync/index.js';
import {
  type BuiltSnapshot,
  buildSnapshot,
  ChunkKind,
  decodeChunk,
  decodeManifest,
  encodeChunk,
  encodeManifest,
  INSTALL_MARKER,
  installSnapshot,
  joinBySnapshot,
  keepGenesisBlock,
  loadGenesisBlock,
  MAX_CHUNK_BYTES,
  MAX_MANIFEST_BYTES,
  RefundScan,
  recoverInterruptedInstall,
  type SnapshotManifest,
  SnapshotServer,
  type SnapshotTrust,
  type VerifiedSnapshot,
  verifySnapshot,
} from './index.js';
import { buildTestChain, certify, replayBlock, type TestChain } from './testing/index.js';

const EPOCH = 50;
const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function freshStorage(name: string): Promise<{ storage: NodeStorage; path: string }> {
  const d = await tempDir(name);
  const storage = await NodeStorage.open(d.path, { logger: quietLogger });
  cleanups.push(async () => {
    await storage.close().catch(() => {});
    await d.cleanup();
  });
  return { storage, path: d.path };
}

const source = (s: BuiltSnapshot) => async (i: number) => s.chunks[i]!;

/** What a refused snapshot must not have changed: an empty directory stays empty. */
async function isEmpty(storage: NodeStorage): Promise<boolean> {
  let any = false;
  for await (const [k] of storage.db.iterate({ gt: Buffer.from([0x00, 0xff]) })) {
    if (k[0] !== 0x00) any = true;
  }
  return !any && storage.blocks.tip() === undefined && (await storage.meta.get(INSTALL_MARKER)) === undefined;
}

describe('snapshot build, verify, install (RocksDB)', () => {
  let server: NodeStorage;
  let chain: TestChain;
  let built: BuiltSnapshot;
  let trust: SnapshotTrust;

  beforeAll(async () => {
    server = (await freshStorage('snap-server')).storage;
    // 300 blocks: ~70 appending ones, so the root window starts above block 1.
    chain = await buildTestChain(server, { blocks: 300, epochBlocks: EPOCH });
    built = await buildSnapshot(server, { epochBlocks: EPOCH });
    trust = { genesis: chain.genesis, epochBlocks: EPOCH, verifyVote: chain.verifyVote };
  }, 60_000);

  /** A copy of the snapshot with chunk `index` replaced (its manifest entry made to match). */
  function withChunk(index: number, bytes: Uint8Array): { manifest: SnapshotManifest; chunks: Uint8Array[] } {
    const chunks = [...built.chunks];
    chunks[index] = bytes;
    const entries = built.manifest.chunks.map((c, i) => (i === index ? { ...c, hash: sha256(bytes) } : c));
    return { manifest: { ...built.manifest, chunks: entries }, chunks };
  }

  it('installs a snapshot that continues exactly where the server is', async () => {
    expect(built.manifest.height).toBe(300n);
    // The compute window (320 blocks) reaches block 1 here, past the root window's start.
    const headers = built.manifest.chunks.filter((c) => c.kind === ChunkKind.HEADERS);
    expect(headers.reduce((n, c) => n + c.count, 0)).toBe(299);
    const manifest = decodeManifest(built.manifestBytes);
    const verified = await verifySnapshot(manifest, source(built), trust);
    const { storage, path } = await freshStorage('snap-join');
    await installSnapshot(storage, verified);
    await storage.close();

    const joined = await NodeStorage.open(path, { logger: quietLogger });
    cleanups.push(() => joined.close().catch(() => {}));
    const [mine, theirs] = [await LedgerState.open(joined), await LedgerState.open(server)];
    expect(mine.tip).toEqual(theirs.tip);
    expect(mine.tree.rootHistory).toEqual(theirs.tree.rootHistory);
    expect(mine.tree.rootHistory.length).toBe(64);
    expect(joined.nullifiers.size).toBe(server.nullifiers.size);
    const spent: bigint[] = [];
    for await (const n of server.nullifiers.all()) spent.push(n);
    expect((await joined.nullifiers.hasMany(spent as never)).every(Boolean)).toBe(true);
    expect(joined.deposits.get()?.consumed).toBe(server.deposits.get()?.consumed);
    const leaf = Math.floor(mine.tree.size / 3);
    expect(await mine.tree.path(leaf)).toEqual(await theirs.tree.path(leaf));
    expect(await joined.compute.appliedHeight()).toBe(300n);
    // Heights below H are not held: block sync answers "not held" for them.
    expect(await joined.blocks.getByHeight(299n)).toBeUndefined();

    // Blocks after H apply on the joined node as on the server: same roots at the same heights.
    await chain.extend(20);
    const set = new ValidatorSet(chain.genesis);
    for (const record of chain.blocks.slice(300))
      await replayBlock(joined, mine, record, set, chain.verifyVote);
    const server2 = await LedgerState.open(server);
    expect(mine.tip).toEqual(server2.tip);
    expect(mine.tree.root).toBe(server2.tree.root);

    // The joined node serves snapshots itself: headers below its first block come from the base.
    const again = await buildSnapshot(joined, { epochBlocks: EPOCH });
    const reverified = await verifySnapshot(again.manifest, source(again), trust);
    expect(reverified.height).toBe(320n);
    expect(reverified.tree.state).toEqual({
      leafCount: server2.tree.size,
      rootHistory: [...server2.tree.rootHistory],
    });
  }, 60_000);

  it('joins a short chain whose root window reaches block 1', async () => {
    const { storage: small } = await freshStorage('snap-small');
    const c = await buildTestChain(small, { blocks: 30, epochBlocks: 10 });
    const s = await buildSnapshot(small, { epochBlocks: 10 });
    const v = await verifySnapshot(s.manifest, source(s), {
      genesis: c.genesis,
      epochBlocks: 10,
      verifyVote: c.verifyVote,
    });
    const { storage } = await freshStorage('snap-small-join');
    await installSnapshot(storage, v);
    const tree = await MerkleTree.open(storage.tree);
    expect(tree.rootHistory).toEqual((await MerkleTree.open(small.tree)).rootHistory);
  }, 30_000);

  it('refuses a tampered nullifier list, leaf or header chain, and changes nothing', async () => {
    const { storage } = await freshStorage('snap-refuse');
    const refuse = async (m: SnapshotManifest, chunks: readonly Uint8Array[], code: string) => {
      await expect(verifySnapshot(m, async (i) => chunks[i]!, trust)).rejects.toMatchObject({ code });
      expect(await isEmpty(storage)).toBe(true);
    };
    const kinds = built.manifest.chunks.map((c) => c.kind);
    const nIndex = kinds.indexOf(ChunkKind.NULLIFIERS);
    const nChunk = decodeChunk(built.chunks[nIndex]!);
    if (nChunk.kind !== ChunkKind.NULLIFIERS) throw new Error('unreachable');
    const fields = [...nChunk.fields];
    fields[3] = randomField();
    let t = withChunk(nIndex, encodeChunk({ kind: ChunkKind.NULLIFIERS, fields }));
    await refuse(t.manifest, t.chunks, 'NULLIFIERS_MISMATCH');
    // Two swapped: the same set, another order; the chain commits to the order.
    const swapped = [...nChunk.fields];
    [swapped[0], swapped[1]] = [swapped[1]!, swapped[0]!];
    t = withChunk(nIndex, encodeChunk({ kind: ChunkKind.NULLIFIERS, fields: swapped }));
    await refuse(t.manifest, t.chunks, 'NULLIFIERS_MISMATCH');

    const lIndex = kinds.indexOf(ChunkKind.LEAVES);
    const lChunk = decodeChunk(built.chunks[lIndex]!);
    if (lChunk.kind !== ChunkKind.LEAVES) throw new Error('unreachable');
    const leaves = [...lChunk.fields];
    leaves[leaves.length - 1] = randomField();
    t = withChunk(lIndex, encodeChunk({ kind: ChunkKind.LEAVES, fields: leaves }));
    await refuse(t.manifest, t.chunks, 'TREE_MISMATCH');
    // A leaf of the oldest window segment: caught at the window's first root.
    leaves[leaves.length - 1] = lChunk.fields[leaves.length - 1]!;
    leaves[0] = randomField();
    t = withChunk(lIndex, encodeChunk({ kind: ChunkKind.LEAVES, fields: leaves }));
    await refuse(t.manifest, t.chunks, 'TREE_MISMATCH');

    const hIndex = kinds.indexOf(ChunkKind.HEADERS);
    const hChunk = decodeChunk(built.chunks[hIndex]!);
    if (hChunk.kind !== ChunkKind.HEADERS) throw new Error('unreachable');
    t = withChunk(
      hIndex,
      encodeChunk({ kind: ChunkKind.HEADERS, headers: hChunk.headers.filter((_, i) => i !== 5) }),
    );
    await refuse(t.manifest, t.chunks, 'HEADERS_INVALID');
    t = withChunk(hIndex, encodeChunk({ kind: ChunkKind.HEADERS, headers: hChunk.headers.slice(0, 10) }));
    await refuse(t.manifest, t.chunks, 'HEADERS_INVALID');

    // A chunk that is not the announced one is refused on its hash alone.
    const chunks = [...built.chunks];
    chunks[lIndex] = encodeChunk({ kind: ChunkKind.LEAVES, fields: leaves });
    await refuse(built.manifest, chunks, 'CHUNK_MISMATCH');
  });

  it('refuses a wrong certificate, a forged header and a wrong set walk', async () => {
    const { storage } = await freshStorage('snap-refuse-qc');
    const refuse = async (m: SnapshotManifest, code: string, tr = trust) => {
      await expect(verifySnapshot(m, source(built), tr)).rejects.toMatchObject({ code });
      expect(await isEmpty(storage)).toBe(true);
    };
    const block = decodeBlock(built.manifest.block);
    // Certified by validators outside the set.
    const strangers = testCohort(7).auths.slice(4);
    const badQc = certify(strangers, 300n, blockHash(block.header));
    await refuse({ ...built.manifest, qc: badQc }, 'CERTIFICATE_INVALID');
    await refuse({ ...built.manifest, qc: built.manifest.qc.subarray(0, 60) }, 'CERTIFICATE_INVALID');
    // A header forged to match another nullifier list: its hash is not the certified one.
    const forged = {
      ...block,
      header: {
        ...block.header,
        nullifierAccumulator: nextNullifierAccumulator(NULLIFIER_ACCUMULATOR_ZERO, [randomField()]),
      },
    };
    await refuse({ ...built.manifest, block: encodeBlock(forged) }, 'CERTIFICATE_INVALID');
    // Another genesis set: block 1 does not carry it, nothing it certifies is trusted.
    const other = testCohort(7)
      .signers.slice(4)
      .map((s) => ({ publicKey: s.publicKey, stake: 1n, reputation: 1 }));
    await refuse(built.manifest, 'CERTIFICATE_INVALID', { ...trust, genesis: other });
    await refuse(built.manifest, 'VALIDATOR_SETS_INVALID', { ...trust, epochBlocks: 40 });
  });

  it('refuses oversized and truncated messages with typed errors', () => {
    // Every part fits one SNAPSHOT_RESPONSE, far under the 8 MiB message cap.
    expect(MAX_MANIFEST_BYTES).toBeLessThanOrEqual(Caps.snapshotPart);
    expect(MAX_CHUNK_BYTES).toBeLessThanOrEqual(Caps.snapshotPart);
    expect(() => decodeManifest(new Uint8Array(MAX_MANIFEST_BYTES + 1))).toThrow(
      expect.objectContaining({ code: 'SNAPSHOT_OVERSIZE' }),
    );
    expect(() => decodeChunk(new Uint8Array(MAX_CHUNK_BYTES + 1))).toThrow(
      expect.objectContaining({ code: 'SNAPSHOT_OVERSIZE' }),
    );
    for (const bytes of [built.chunks[0]!, built.manifestBytes]) {
      const decode = bytes === built.manifestBytes ? decodeManifest : decodeChunk;
      expect(() => decode(bytes.subarray(0, bytes.length - 1))).toThrow(
        expect.objectContaining({ code: 'SNAPSHOT_MALFORMED' }),
      );
      expect(() => decode(Uint8Array.from([...bytes, 0]))).toThrow(
        expect.objectContaining({ code: 'SNAPSHOT_MALFORMED' }),
      );
    }
    expect(encodeManifest(decodeManifest(built.manifestBytes))).toEqual(built.manifestBytes);
    // A version 1 chunk (a snapshot base kept from before the spend-root window) still decodes;
    // a version 1 spend-root chunk or an unknown version does not.
    const v1 = Uint8Array.from(built.chunks[0]!);
    v1[0] = 1;
    expect(decodeChunk(v1)).toEqual(decodeChunk(built.chunks[0]!));
    const roots = encodeChunk({
      kind: ChunkKind.SPEND_ROOTS,
      roots: [{ root: randomField(), height: 1n, timestampMs: 2n }],
    });
    for (const version of [1, 3]) {
      const bad = Uint8Array.from(roots);
      bad[0] = version;
      expect(() => decodeChunk(bad)).toThrow(expect.objectContaining({ code: 'SNAPSHOT_MALFORMED' }));
    }
    const m3 = Uint8Array.from(built.manifestBytes);
    m3[0] = 1;
    expect(() => decodeManifest(m3)).toThrow(expect.objectContaining({ code: 'SNAPSHOT_MALFORMED' }));
    for (const c of built.chunks) {
      expect(c.length).toBeLessThanOrEqual(MAX_CHUNK_BYTES);
      expect(encodeChunk(decodeChunk(c))).toEqual(c);
    }
  });

  it('installs only into an empty directory; an interrupted install is wiped on restart', async () => {
    const verified = await verifySnapshot(built.manifest, source(built), trust);
    await expect(installSnapshot(server, verified)).rejects.toMatchObject({ code: 'STATE_NOT_EMPTY' });

    const { storage, path } = await freshStorage('snap-crash');
    // What a kill -9 after the first bulk batches leaves: the marker, some nullifiers and nodes.
    await storage.meta.put(INSTALL_MARKER, new Uint8Array(8));
    await storage.nullifiers.add(verified.nullifiers.slice(0, 10));
    await storage.tree.writeChanges({ nodes: verified.tree.nodes.slice(0, 100), state: verified.tree.state });
    expect(await recoverInterruptedInstall(storage)).toBe(true);
    await storage.close();
    const reopened = await NodeStorage.open(path, { logger: quietLogger });
    cleanups.push(() => reopened.close().catch(() => {}));
    expect(await isEmpty(reopened)).toBe(true);
    expect(reopened.nullifiers.size).toBe(0n);
    expect(await recoverInterruptedInstall(reopened)).toBe(false);
    await installSnapshot(reopened, verified);
    expect((await LedgerState.open(reopened)).tip.height).toBe(300n);
  });

  it('serves its snapshot part by part; a joiner above the threshold installs it, below it does not', async () => {
    let handler: ((req: NetworkMessage) => Promise<NetworkMessage>) | undefined;
    const registry = new Registry();
    const server2 = new SnapshotServer({
      network: {
        handle: (_name, h) => {
          handler = h as never;
        },
      },
      storage: server,
      epochBlocks: EPOCH,
      refreshBlocks: 1000,
      registry,
      logger: quietLogger,
    });
    await server2.start();
    const ask = (height: bigint, part: number) => handler!({ type: 'SNAPSHOT_REQUEST', height, part });
    const manifest = await ask(0n, 0);
    if (manifest.type !== 'SNAPSHOT_RESPONSE') throw new Error('unreachable');
    const height = decodeManifest(manifest.bytes).height;
    expect(height).toBe(server.blocks.tip()!.height);
    expect((await ask(height, 1)).type).toBe('SNAPSHOT_RESPONSE');
    // Another height, or a part past the end: answered as not held.
    for (const [h, part] of [
      [height - 1n, 1],
      [height, 10_000],
    ] as const) {
      const r = await ask(h, part);
      expect(r.type === 'SNAPSHOT_RESPONSE' && r.bytes.length).toBe(0);
    }
    const network = {
      peers: { list: () => [{ peerId: 'server', state: 'connected' }] },
      request: async (_peer: string, _name: string, req: NetworkMessage) => handler!(req),
    } as never;
    const far = await freshStorage('snap-join-net');
    expect(
      await joinBySnapshot({
        network,
        storage: far.storage,
        thresholdBlocks: Number(height),
        trust: async () => trust,
        logger: quietLogger,
      }),
    ).toBeUndefined();
    expect(await isEmpty(far.storage)).toBe(true);
    let installed: VerifiedSnapshot | undefined;
    const joined = await joinBySnapshot({
      network,
      storage: far.storage,
      thresholdBlocks: 10,
      trust: async () => trust,
      registry,
      onInstalled: async (v) => {
        installed = v;
      },
      logger: quietLogger,
    });
    expect(joined).toBe(height);
    // Block 1 is kept only if it is the one the set walk certified; block sync then serves it.
    const [b1, b2] = chain.blocks;
    const held = (r: typeof b1) => ({ height: 1n, hash: new Uint8Array(32), block: r!.bytes, qc: r!.qc });
    expect(await keepGenesisBlock(far.storage, held(b2), installed!.block1Hash)).toBe(false);
    expect(await loadGenesisBlock(far.storage)).toBeUndefined();
    expect(await keepGenesisBlock(far.storage, held(b1), installed!.block1Hash)).toBe(true);
    const sync = new BlockSyncServer({
      network: { handle: () => {} },
      blocks: far.storage.blocks,
      extra: async (h) => (h === 1n ? loadGenesisBlock(far.storage) : undefined),
      logger: quietLogger,
    });
    await sync.start();
    const one = await sync.serve({ type: 'BLOCK_SYNC_REQUEST', fromHeight: 1n, maxBlocks: 1 });
    expect(one.type === 'BLOCK_SYNC_RESPONSE' && one.blocks[0]?.block).toEqual(b1!.bytes);
    // Heights below H other than block 1 are not held: an empty answer, the asker tries another peer.
    const two = await sync.serve({ type: 'BLOCK_SYNC_REQUEST', fromHeight: 2n, maxBlocks: 1 });
    expect(two.type === 'BLOCK_SYNC_RESPONSE' && two.blocks.length).toBe(0);
    expect(far.storage.blocks.tip()?.height).toBe(height);
    const served = await registry.getSingleMetric('paraloom_snapshot_parts_served_total')!.get();
    expect(served.values.find((v) => v.labels.part === 'chunk')!.value).toBeGreaterThan(1);
    expect((await registry.getSingleMetric('paraloom_snapshot_joined_height')!.get()).values[0]!.value).toBe(
      Number(height),
    );

    // Far behind: a store holding blocks 1..50 of the same chain is emptied and takes the snapshot;
    // within the threshold it keeps its blocks.
    const behind = await freshStorage('snap-behind');
    const behindState = await LedgerState.open(behind.storage);
    const set = new ValidatorSet(chain.genesis);
    for (const record of chain.blocks.slice(0, 50))
      await replayBlock(behind.storage, behindState, record, set, chain.verifyVote);
    let reopened: NodeStorage | undefined;
    const reset = async () => {
      await behind.storage.clearAll();
      await behind.storage.close();
      reopened = await NodeStorage.open(behind.path, { logger: quietLogger });
      cleanups.push(() => reopened!.close().catch(() => {}));
      return reopened;
    };
    const within = Number(height) - 50;
    expect(
      await joinBySnapshot({
        network,
        storage: behind.storage,
        thresholdBlocks: within,
        reset,
        trust: async () => trust,
        logger: quietLogger,
      }),
    ).toBeUndefined();
    expect(behind.storage.blocks.tip()?.height).toBe(50n);
    expect(
      await joinBySnapshot({
        network,
        storage: behind.storage,
        thresholdBlocks: within - 1,
        reset,
        trust: async () => trust,
        logger: quietLogger,
      }),
    ).toBe(height);
    expect(reopened!.blocks.tip()?.height).toBe(height);
    expect(await reopened!.blocks.getByHeight(50n)).toBeUndefined();
    expect((await LedgerState.open(reopened!)).tree.root).toBe((await LedgerState.open(server)).tree.root);

    await server2.stop();
    const stopped = await ask(0n, 0);
    expect(stopped.type === 'SNAPSHOT_RESPONSE' && stopped.bytes.length).toBe(0);
  });
});

describe('refunds of withdrawals finalized below H (RocksDB)', () => {
  let server: NodeStorage;
  let chain: TestChain;
  let trust: SnapshotTrust;
  /** Withdrawal still refundable at H (below the root and compute windows), one refunded before H. */
  const W1 = 11n;
  const W2 = 290n;
  const H = 340n;

  beforeAll(async () => {
    server = (await freshStorage('refund-server')).storage;
    // Ten seconds a block: the spend-root window (ten minutes) stays inside the root window here.
    chain = await buildTestChain(server, { blocks: Number(W1) - 1, epochBlocks: EPOCH, blockMs: 10_000n });
    await chain.extendWith({ withdrawal: true });
    await chain.extend(Number(W2 - W1) - 1);
    await chain.extendWith({ withdrawal: true });
    await chain.extendWith({ refunds: [{ height: W2, index: 0 }] });
    await chain.extend(Number(H - W2) - 1);
    trust = { genesis: chain.genesis, epochBlocks: EPOCH, verifyVote: chain.verifyVote };
    atH = await buildSnapshot(server, { epochBlocks: EPOCH });
  }, 90_000);
  let atH: BuiltSnapshot;

  const refundChunks = (s: BuiltSnapshot) =>
    s.manifest.chunks.flatMap((c, i) => (c.kind === ChunkKind.REFUND_BLOCKS ? [i] : []));

  it('carries the block of a withdrawal still refundable; its refund after H applies on the joined node', async () => {
    const built = atH;
    expect(built.manifest.height).toBe(H);
    const verified = await verifySnapshot(built.manifest, source(built), trust);
    // W2 was refunded before H: only W1's block, and headers reach down to it (below the root window).
    expect(verified.refundBlocks.map((b) => b.height)).toEqual([W1]);
    const headers = built.manifest.chunks.filter((c) => c.kind === ChunkKind.HEADERS);
    expect(headers.reduce((n, c) => n + c.count, 0)).toBe(Number(H - W1));
    expect((await LedgerState.open(server)).tree.rootHistory.length).toBe(64);

    // A cutoff past W1's expiration (slot 5,000) leaves it out as settled; at it, it stays in.
    expect(
      refundChunks(await buildSnapshot(server, { epochBlocks: EPOCH, refundCutoffSlot: 5_001n })),
    ).toEqual([]);
    expect(
      refundChunks(await buildSnapshot(server, { epochBlocks: EPOCH, refundCutoffSlot: 5_000n })),
    ).toHaveLength(1);

    const { storage, path } = await freshStorage('refund-join');
    await installSnapshot(storage, verified);
    await storage.close();
    const joined = await NodeStorage.open(path, { logger: quietLogger });
    cleanups.push(() => joined.close().catch(() => {}));
    expect(await joined.blocks.getByHeight(W1)).toBeUndefined();
    expect((await joined.blocks.getHeld(W1))?.block).toEqual(chain.blocks[Number(W1) - 1]!.bytes);
    expect(await joined.blocks.getHeld(W2)).toBeUndefined();

    // Without the refund blocks the same chain halts the joiner at the refund (the gap this closes).
    const withoutIndex = refundChunks(built);
    const bare = await verifySnapshot(
      { ...built.manifest, chunks: built.manifest.chunks.filter((_, i) => !withoutIndex.includes(i)) },
      async (i) => built.chunks.filter((_, j) => !withoutIndex.includes(j))[i]!,
      trust,
    );
    const { storage: bareStorage } = await freshStorage('refund-join-bare');
    await installSnapshot(bareStorage, bare);

    // The joined node serves a snapshot carrying W1's block from what it holds.
    await chain.extend(2);
    const set = new ValidatorSet(chain.genesis);
    const mine = await LedgerState.open(joined);
    const bareState = await LedgerState.open(bareStorage);
    for (const record of chain.blocks.slice(Number(H))) {
      await replayBlock(joined, mine, record, set, chain.verifyVote);
      await replayBlock(bareStorage, bareState, record, set, chain.verifyVote);
    }
    const again = await buildSnapshot(joined, { epochBlocks: EPOCH });
    expect(
      (await verifySnapshot(again.manifest, source(again), trust)).refundBlocks.map((b) => b.height),
    ).toEqual([W1]);

    // The joined node's proposer finds W1 due too: its refund watch follows the held blocks.
    await privacyReady();
    const artifacts = await loadCircuitArtifacts();
    const pool = new BatchVerifierPool(VerifyingKey.fromSnarkjs(artifacts.verifyingKey), { threads: 1 });
    await pool.start();
    try {
      const app = await LedgerApp.open({
        storage: joined,
        pool,
        registry: new Registry(),
        leader: new Uint8Array(32).fill(9),
        isAnchored: () => false,
        currentSlot: () => 0n,
        logger: quietLogger,
        refunds: {
          finalizedSlot: () => 6_000n,
          readNullifiers: async (ns) => ({ slot: 6_000n, present: ns.map(() => false) }),
        },
      });
      const tip = app.tip;
      const proposal = await app.buildProposal(tip.height + 1n, 0, tip.hash);
      expect(refundEntriesOf(decodeBlock(proposal.bytes)).map((e) => [e.height, e.index])).toEqual([[W1, 0]]);
      await app.close();
    } finally {
      await pool.stop();
    }

    await chain.extendWith({ refunds: [{ height: W1, index: 0 }] });
    const refunding = chain.blocks[chain.blocks.length - 1]!;
    await replayBlock(joined, mine, refunding, set, chain.verifyVote);
    await expect(replayBlock(bareStorage, bareState, refunding, set, chain.verifyVote)).rejects.toThrow(
      /REFUND_INVALID/,
    );
    const theirs = await LedgerState.open(server);
    expect(mine.tip).toEqual(theirs.tip);
    expect(mine.tree.root).toBe(theirs.tree.root);
    expect(joined.nullifiers.size).toBe(server.nullifiers.size);
    // Refunded: the next snapshot of either node no longer carries W1's block.
    expect(refundChunks(await buildSnapshot(joined, { epochBlocks: EPOCH }))).toEqual([]);
  }, 90_000);

  it('refuses a refund block that is not the certified one, and changes nothing', async () => {
    // The snapshot at H (W1 unrefunded there), its refund chunk replaced by a tampered one.
    const built = atH;
    expect(refundChunks(built)).toHaveLength(1);
    const keep = (_: unknown, i: number) => !refundChunks(built).includes(i);
    const { storage } = await freshStorage('refund-refuse');
    const refuse = async (blocks: Uint8Array[], message: RegExp) => {
      const bytes = encodeChunk({ kind: ChunkKind.REFUND_BLOCKS, blocks });
      const chunks = [...built.chunks.filter(keep), bytes];
      const entries = [
        ...built.manifest.chunks.filter(keep),
        { kind: ChunkKind.REFUND_BLOCKS, count: blocks.length, hash: sha256(bytes) },
      ];
      await expect(
        verifySnapshot({ ...built.manifest, chunks: entries }, async (i) => chunks[i]!, trust),
      ).rejects.toMatchObject({ code: 'REFUND_BLOCKS_INVALID', message: expect.stringMatching(message) });
      expect(await isEmpty(storage)).toBe(true);
    };
    const w1 = decodeBlock(chain.blocks[Number(W1) - 1]!.bytes);
    // The certified header with another body: the withdrawal gone, or the refund section forged.
    await refuse([encodeBlock({ ...w1, transactions: [] })], /transactions do not hash/);
    await refuse(
      [encodeBlock({ ...w1, sections: [{ kind: 4, entries: [new Uint8Array(8)] }] })],
      /sections do not hash/,
    );
    // Another header at the same height (its hash is not the one the chain names).
    await refuse(
      [encodeBlock({ ...w1, header: { ...w1.header, timestampMs: w1.header.timestampMs + 1n } })],
      /not the certified block/,
    );
    // A block below the headers the snapshot carries, and heights out of order.
    await refuse([chain.blocks[4]!.bytes], /do not reach/);
    await refuse([chain.blocks[Number(W1) - 1]!.bytes, chain.blocks[Number(W1) - 2]!.bytes], /out of order/);
    // Block H itself is not "below H".
    await refuse([built.manifest.block], /not below H/);
    // The genuine block passes the same path.
    const bytes = built.chunks[refundChunks(built)[0]!]!;
    expect(decodeChunk(bytes)).toEqual({
      kind: ChunkKind.REFUND_BLOCKS,
      blocks: [chain.blocks[Number(W1) - 1]!.bytes],
    });
  });
  it('a server scan kept between builds follows only new blocks and agrees with a fresh one', async () => {
    // Runs after the test above refunded W1 at a height past H.
    const scan = new RefundScan();
    expect(await scan.heights(server, H, undefined)).toEqual([W1]);
    const tip = server.blocks.tip()!.height;
    expect(tip).toBeGreaterThan(H);
    expect(await scan.heights(server, tip, undefined)).toEqual([]);
    expect(await new RefundScan().heights(server, tip - 1n, undefined)).toEqual([W1]);
    // Expired before the cutoff: forgotten for good (the cutoff only grows).
    const pruned = new RefundScan();
    expect(await pruned.heights(server, H, 5_001n)).toEqual([]);
    expect(await pruned.heights(server, H, undefined)).toEqual([]);
  });
});

describe('compute jobs live across H (RocksDB)', () => {
  const seeds = [0, 1, 2, 3].map(validatorSeed);
  const validators = seeds.map((x) => ed25519.getPublicKey(x));
  const seedOf = (key: Uint8Array) =>
    seeds[validators.findIndex((v) => sha256(v).join() === sha256(key).join())]!;
  let server: NodeStorage;
  let chain: TestChain;
  let trust: SnapshotTrust;
  let atH: BuiltSnapshot;
  /** Job A admitted before the compute window with results inside it; job B admitted at JB, one result before H, the rest after. */
  const H = 340n;
  const JA = 15n;
  const RA = 25n;
  const JB = 330n;
  const RB1 = 335n;
  const RB2 = 345n;
  const jobs: { entry: Uint8Array; ranked: Uint8Array[]; id: bigint }[] = [];

  const resultOf = (id: bigint, executor: Uint8Array) =>
    encodeSignedResult(
      signResult(
        {
          jobId: id as never,
          status: 'ok' as never,
          abortCode: 0,
          fuelUsed: 77n,
          outputCiphertext: Uint8Array.of(1, 2, 3),
          outputHash: outputHash(Uint8Array.of(1, 2, 3)),
        },
        seedOf(executor),
      ),
    );
  const computeSections = (jobEntries: Uint8Array[], results: Uint8Array[]): BlockSection[] => [
    ...(jobEntries.length ? [{ kind: JOBS_SECTION_KIND, entries: jobEntries }] : []),
    ...(results.length ? [{ kind: RESULTS_SECTION_KIND, entries: results }] : []),
  ];
  /** Extends the chain to `to`, with the compute sections `at` names. */
  async function extendTo(to: bigint, at: Map<bigint, BlockSection[]>): Promise<void> {
    for (let h = BigInt(chain.blocks.length) + 1n; h <= to; h++) {
      await chain.extendWith({ sections: at.get(h) ?? [] });
    }
  }
  /** The compute extension over blocks [from, to] of the chain, as a node applies them. */
  async function applyCompute(storage: NodeStorage, from: bigint, to: bigint): Promise<void> {
    const c = await ComputeChain.open({
      store: storage.compute,
      verifier: { verify: () => false },
      validators: () => validators,
      recentRoots: async () => new Set(),
      jobs: new JobPool(),
      results: new ResultPool(),
      logger: quietLogger,
    });
    const ext = c.resultsExtension();
    for (let h = from; h <= to; h++) {
      const { sections } = decodeBlock(chain.blocks[Number(h) - 1]!.bytes);
      await ext.apply(h, sections.find((x) => x.kind === RESULTS_SECTION_KIND)?.entries ?? [], sections);
    }
  }

  beforeAll(async () => {
    server = (await freshStorage('compute-server')).storage;
    chain = await buildTestChain(server, { blocks: 1, epochBlocks: EPOCH });
    for (const v of [0, 1]) {
      const f = await assignedJobFixture(validators, v);
      const ranked = assignExecutors(f.job, validators);
      jobs.push({ entry: encodeJobEntry({ ranked, jobBytes: f.jobBytes }), ranked, id: jobId(f.job) });
    }
    const [a, b] = jobs as [(typeof jobs)[0], (typeof jobs)[0]];
    const k = executorsPerAttempt(a.ranked.length);
    const at = new Map<bigint, BlockSection[]>([
      [JA, computeSections([a.entry], [])],
      [
        RA,
        computeSections(
          [],
          a.ranked.slice(0, k).map((e) => resultOf(a.id, e)),
        ),
      ],
      [JB, computeSections([b.entry], [])],
      [RB1, computeSections([], [resultOf(b.id, b.ranked[0]!)])],
    ]);
    await extendTo(H, at);
    trust = { genesis: chain.genesis, epochBlocks: EPOCH, verifyVote: chain.verifyVote };
    atH = await buildSnapshot(server, { epochBlocks: EPOCH });
    await extendTo(
      RB2 + 2n,
      new Map([
        [
          RB2,
          computeSections(
            [],
            b.ranked.slice(1, k).map((e) => resultOf(b.id, e)),
          ),
        ],
      ]),
    );
  }, 120_000);

  it('rebuilds the jobs live at H; a result landing after H is applied as on a node that replayed', async () => {
    expect(atH.manifest.height).toBe(H);
    expect(computeWindowStart(H)).toBe(H - 320n);
    expect(JA).toBeLessThan(computeWindowStart(H));
    const verified = await verifySnapshot(atH.manifest, source(atH), trust);
    expect(verified.computeBlocks.map((b) => b.height)).toEqual(
      Array.from({ length: 321 }, (_, i) => computeWindowStart(H) + BigInt(i)),
    );
    const { storage } = await freshStorage('compute-join');
    await installSnapshot(storage, verified);
    // The reference: every block's compute sections applied from block 1.
    const { storage: replayed } = await freshStorage('compute-replay');
    await applyCompute(replayed, 1n, H);
    const [a, b] = jobs as [(typeof jobs)[0], (typeof jobs)[0]];
    expect((await storage.compute.activeChains()).map((c) => c.chain)).toEqual(
      (await replayed.compute.activeChains()).map((c) => c.chain),
    );
    expect((await storage.compute.activeChains()).map((c) => c.id)).toEqual([jobIdBytes(b.id as never)]);
    // The local queue sequence counts the jobs this node admitted (fewer here); the rest agrees.
    const jobView = async (st: NodeStorage) => {
      const j = await st.compute.getJob(jobIdBytes(b.id as never));
      return j && { state: j.state, payload: j.payload };
    };
    expect(await jobView(storage)).toEqual(await jobView(replayed));
    expect((await jobView(storage))?.state).toBe('queued');
    // Job A was over before the window: the joiner has no record of it (docs: what is not carried).
    expect(await replayed.compute.getResult(jobIdBytes(a.id as never))).toBeDefined();

    // Blocks after H: job B's remaining results make it final identically on both.
    const last = BigInt(chain.blocks.length);
    await applyCompute(storage, H + 1n, last);
    await applyCompute(replayed, H + 1n, last);
    const idB = jobIdBytes(b.id as never);
    expect(await storage.compute.getResult(idB)).toBeDefined();
    expect(await storage.compute.getResult(idB)).toEqual(await replayed.compute.getResult(idB));
    expect(await storage.compute.getChain(idB)).toEqual(await replayed.compute.getChain(idB));
    expect(await storage.compute.activeChains()).toEqual([]);
    expect(await storage.compute.appliedHeight()).toBe(last);

    // Without the window (the gap this closes) the result after H names a job the node never saw.
    const { storage: bare } = await freshStorage('compute-bare');
    await expect(applyCompute(bare, H + 1n, last)).rejects.toMatchObject({ code: 'JOB_UNKNOWN' });
  }, 60_000);

  it('refuses a compute window with a block missing, out of order or with other sections', async () => {
    const { storage } = await freshStorage('compute-refuse');
    const index = atH.manifest.chunks.findIndex((c) => c.kind === ChunkKind.COMPUTE_SECTIONS);
    const chunk = decodeChunk(atH.chunks[index]!);
    if (chunk.kind !== ChunkKind.COMPUTE_SECTIONS) throw new Error('unreachable');
    const refuse = async (blocks: typeof chunk.blocks, message: RegExp) => {
      const bytes = encodeChunk({ kind: ChunkKind.COMPUTE_SECTIONS, blocks });
      const chunks = [...atH.chunks];
      chunks[index] = bytes;
      const entries = atH.manifest.chunks.map((c, i) =>
        i === index ? { ...c, count: blocks.length, hash: sha256(bytes) } : c,
      );
      await expect(
        verifySnapshot({ ...atH.manifest, chunks: entries }, async (i) => chunks[i]!, trust),
      ).rejects.toMatchObject({ code: 'COMPUTE_WINDOW_INVALID', message: expect.stringMatching(message) });
      expect(await isEmpty(storage)).toBe(true);
    };
    const jb = chunk.blocks.findIndex((b) => b.height === JB);
    // Job B's admission dropped from its block: the sections no longer hash to the header.
    await refuse(
      chunk.blocks.map((b, i) => (i === jb ? { ...b, sections: new Uint8Array([0]) } : b)),
      /do not hash/,
    );
    await refuse(
      chunk.blocks.filter((_, i) => i !== jb),
      /expected the sections/,
    );
    const swapped = [...chunk.blocks];
    [swapped[jb], swapped[jb + 1]] = [swapped[jb + 1]!, swapped[jb]!];
    await refuse(swapped, /out of order/);
  });
});

describe('spend-root window across H (RocksDB)', () => {
  const WINDOW = 300_000;
  let server: NodeStorage;
  let chain: TestChain;
  let built: BuiltSnapshot;
  let trust: SnapshotTrust;

  beforeAll(async () => {
    server = (await freshStorage('spend-server')).storage;
    // One block a second, about half of them appending: the 300 s window holds ~140 roots, more
    // than the last 64, and starts above block 1.
    chain = await buildTestChain(server, {
      blocks: 400,
      epochBlocks: EPOCH,
      depositEvery: 5,
      txEvery: 3,
      spendRootWindowMs: WINDOW,
    });
    built = await buildSnapshot(server, { epochBlocks: EPOCH, spendRootWindowMs: WINDOW });
    trust = {
      genesis: chain.genesis,
      epochBlocks: EPOCH,
      verifyVote: chain.verifyVote,
      spendRootWindowMs: WINDOW,
    };
  }, 60_000);

  const spendIndex = () => built.manifest.chunks.findIndex((c) => c.kind === ChunkKind.SPEND_ROOTS);

  it('carries the window; the joined node accepts exactly the roots a replaying node does', async () => {
    const theirs = await LedgerState.open(server, { spendRootWindowMs: WINDOW });
    const verified = await verifySnapshot(built.manifest, source(built), trust);
    expect(verified.spendRoots.windowMs).toBe(BigInt(WINDOW));
    expect(verified.spendRoots.entries).toEqual(theirs.spendRoots.list());
    expect(theirs.spendRoots.size).toBeGreaterThan(100);

    const { storage, path } = await freshStorage('spend-join');
    await installSnapshot(storage, verified);
    await storage.close();
    const joined = await NodeStorage.open(path, { logger: quietLogger });
    cleanups.push(() => joined.close().catch(() => {}));
    const mine = await LedgerState.open(joined, { spendRootWindowMs: WINDOW });
    expect(mine.spendRoots.list()).toEqual(theirs.spendRoots.list());

    // Every root of every block: accepted by both or by neither, at the tip's time and later.
    const headers = chain.blocks.map((b) => decodeBlock(b.bytes).header);
    const tipMs = headers.at(-1)!.timestampMs;
    const oldest = theirs.spendRoots.list()[0]!;
    expect(theirs.tree.isKnownRoot(oldest.root)).toBe(false);
    expect(theirs.isSpendRoot(oldest.root, tipMs)).toBe(true);
    expect(theirs.isSpendRoot(oldest.root, oldest.timestampMs + BigInt(WINDOW) + 1n)).toBe(false);
    let outside = 0;
    for (const h of headers) {
      for (const at of [tipMs, tipMs + 60_000n]) {
        const accepted = theirs.isSpendRoot(h.commitmentRoot, at);
        expect(mine.isSpendRoot(h.commitmentRoot, at)).toBe(accepted);
        if (!accepted) outside++;
      }
    }
    expect(outside).toBeGreaterThan(0);

    // Blocks after H: both prune the same entries and stay bounded by the window.
    await chain.extend(30);
    const set = new ValidatorSet(chain.genesis);
    for (const record of chain.blocks.slice(400))
      await replayBlock(joined, mine, record, set, chain.verifyVote);
    const after = await LedgerState.open(server, { spendRootWindowMs: WINDOW });
    expect(mine.spendRoots.list()).toEqual(after.spendRoots.list());
    const cutoff = mine.tip.timestampMs - BigInt(WINDOW);
    expect(mine.spendRoots.list().every((e) => e.timestampMs >= cutoff)).toBe(true);
    expect(mine.spendRoots.size).toBeLessThanOrEqual(WINDOW / 1000 + 1);
    // The joined node serves the window too, from its base headers and its own blocks.
    const again = await buildSnapshot(joined, { epochBlocks: EPOCH, spendRootWindowMs: WINDOW });
    expect((await verifySnapshot(again.manifest, source(again), trust)).spendRoots.entries).toEqual(
      after.spendRoots.list(),
    );
  }, 60_000);

  it('refuses a tampered, missing or extra root entry, and a window of another width; changes nothing', async () => {
    const { storage } = await freshStorage('spend-refuse');
    const index = spendIndex();
    const chunk = decodeChunk(built.chunks[index]!);
    if (chunk.kind !== ChunkKind.SPEND_ROOTS) throw new Error('unreachable');
    const refuse = async (roots: typeof chunk.roots | undefined, code: string, tr = trust) => {
      const chunks = built.chunks.filter((_, i) => i !== index);
      const entries = built.manifest.chunks.filter((_, i) => i !== index);
      if (roots) {
        const bytes = encodeChunk({ kind: ChunkKind.SPEND_ROOTS, roots });
        chunks.push(bytes);
        entries.push({ kind: ChunkKind.SPEND_ROOTS, count: roots.length, hash: sha256(bytes) });
      }
      await expect(
        verifySnapshot({ ...built.manifest, chunks: entries }, async (i) => chunks[i]!, tr),
      ).rejects.toMatchObject({ code });
      expect(await isEmpty(storage)).toBe(true);
    };
    const roots = [...chunk.roots];
    // A root the tree never had, an older timestamp (a root kept past its time), another height.
    await refuse(
      roots.map((e, i) => (i === 3 ? { ...e, root: randomField() } : e)),
      'SPEND_ROOTS_INVALID',
    );
    await refuse(
      roots.map((e, i) => (i === 3 ? { ...e, timestampMs: e.timestampMs + 1n } : e)),
      'SPEND_ROOTS_INVALID',
    );
    await refuse(
      roots.map((e, i) => (i === 3 ? { ...e, height: e.height + 1n } : e)),
      'SPEND_ROOTS_INVALID',
    );
    await refuse(roots.slice(1), 'SPEND_ROOTS_INVALID');
    await refuse(
      [{ ...roots[0]!, root: randomField(), timestampMs: roots[0]!.timestampMs - 1n }, ...roots],
      'SPEND_ROOTS_INVALID',
    );
    await refuse([roots[1]!, roots[0]!, ...roots.slice(2)], 'SPEND_ROOTS_INVALID');
    await refuse(undefined, 'SPEND_ROOTS_INVALID');
    // A joiner of a cohort with another window expects other roots.
    await refuse(roots, 'SPEND_ROOTS_INVALID', { ...trust, spendRootWindowMs: WINDOW - 10_000 });
    await refuse(roots, 'SPEND_ROOTS_INVALID', { ...trust, spendRootWindowMs: 0 });
    // The genuine list passes the same path.
    expect((await verifySnapshot(built.manifest, source(built), trust)).spendRoots.entries).toEqual(roots);
  });
});
