import type { Registry } from 'prom-client';
import type { Lifecycle, Logger } from '../common/index.js';
import type { NetworkMessage, NetworkNode } from '../network/index.js';
import type { NodeStorage } from '../storage/index.js';
import { type BuiltSnapshot, buildSnapshot, RefundScan } from './build.js';
import { isSnapshotError, SnapshotError } from './errors.js';
import { decodeManifest, type SnapshotManifest } from './format.js';
import { installSnapshot } from './install.js';
import { type SnapshotMetrics, snapshotMetrics } from './metrics.js';
import { type SnapshotTrust, type VerifiedSnapshot, verifySnapshot } from './verify.js';

export interface SnapshotServerOptions {
  readonly network: Pick<NetworkNode, 'handle'>;
  readonly storage: NodeStorage;
  readonly epochBlocks: number;
  /** sync.snapshot_refresh_blocks: build a newer snapshot only once the tip is this far past the last. */
  readonly refreshBlocks: number;
  /**
   * BuildOptions.refundCutoffSlot at build time: the finalized Solana slot this node saw minus
   * sync.snapshot_refund_grace_slots; undefined (no cutoff) while the slot is unknown.
   */
  readonly refundCutoffSlot?: () => bigint | undefined;
  /** ledger.spend_root_window_ms (cohort-wide); default the ledger's. */
  readonly spendRootWindowMs?: number;
  readonly registry?: Registry;
  readonly logger: Logger;
}

const notHeld = (height: bigint, part: number): NetworkMessage => ({
  type: 'SNAPSHOT_RESPONSE',
  height,
  part,
  bytes: new Uint8Array(0),
});

/**
 * Serves this node's state snapshot on the 'snapshot' protocol. A snapshot is built on demand from
 * the state at the tip when a joiner asks for a manifest and the last one is `refreshBlocks` old
 * (one build at a time); its chunks stay in memory until the next build, so a joiner fetches every
 * chunk of one consistent snapshot. A chunk of an older snapshot is answered as not held.
 */
export class SnapshotServer implements Lifecycle {
  private serving = false;
  private registered = false;
  private current: BuiltSnapshot | undefined;
  private building: Promise<BuiltSnapshot> | undefined;
  private readonly metrics: SnapshotMetrics | undefined;
  private readonly refundScan = new RefundScan();

  constructor(private readonly o: SnapshotServerOptions) {
    this.metrics = o.registry ? snapshotMetrics(o.registry) : undefined;
  }

  async start(): Promise<void> {
    this.serving = true;
    if (this.registered) return;
    this.o.network.handle('snapshot', (req) => this.serve(req));
    this.registered = true;
  }

  async stop(): Promise<void> {
    this.serving = false;
    this.current = undefined;
    await this.building?.catch(() => {});
  }

  async serve(req: NetworkMessage): Promise<NetworkMessage> {
    if (!this.serving || req.type !== 'SNAPSHOT_REQUEST') return notHeld(0n, 0);
    try {
      const snapshot = req.height === 0n && req.part === 0 ? await this.latest() : this.current;
      if (!snapshot || (req.height !== 0n && snapshot.manifest.height !== req.height)) {
        return notHeld(req.height, req.part);
      }
      const bytes = req.part === 0 ? snapshot.manifestBytes : snapshot.chunks[req.part - 1];
      if (!bytes) return notHeld(req.height, req.part);
      this.metrics?.served.inc({ part: req.part === 0 ? 'manifest' : 'chunk' });
      return { type: 'SNAPSHOT_RESPONSE', height: snapshot.manifest.height, part: req.part, bytes };
    } catch (err) {
      // Nothing held yet (an empty ledger) is an ordinary answer; anything else is worth a line.
      if (!isSnapshotError(err) || err.code !== 'NOTHING_TO_SERVE') {
        this.o.logger.warn({ err }, 'snapshot build failed');
      }
      return notHeld(req.height, req.part);
    }
  }

  private async latest(): Promise<BuiltSnapshot> {
    const tip = this.o.storage.blocks.writtenTipHeight() ?? 0n;
    const current = this.current;
    if (current && tip - current.manifest.height < BigInt(this.o.refreshBlocks)) return current;
    this.building ??= (async () => {
      const t0 = performance.now();
      const cutoff = this.o.refundCutoffSlot?.();
      const built = await buildSnapshot(this.o.storage, {
        epochBlocks: this.o.epochBlocks,
        refundScan: this.refundScan,
        ...(this.o.spendRootWindowMs !== undefined ? { spendRootWindowMs: this.o.spendRootWindowMs } : {}),
        ...(cutoff !== undefined ? { refundCutoffSlot: cutoff } : {}),
      });
      this.current = built;
      this.metrics?.builds.inc();
      this.o.logger.info(
        {
          height: `${built.manifest.height}`,
          chunks: built.chunks.length,
          bytes: built.bytes,
          ms: Math.round(performance.now() - t0),
        },
        'state snapshot built',
      );
      return built;
    })().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }
}

export interface JoinOptions {
  readonly network: Pick<NetworkNode, 'peers' | 'request'>;
  readonly storage: NodeStorage;
  /** sync.snapshot_threshold_blocks (0: never). */
  readonly thresholdBlocks: number;
  /**
   * Empties a far-behind store and returns it reopened; called only once a snapshot verified. Absent:
   * only an empty store joins by snapshot.
   */
  readonly reset?: () => Promise<NodeStorage>;
  /** What the snapshot is checked against; asked only once a snapshot is worth taking. */
  readonly trust: () => Promise<SnapshotTrust>;
  /** How long to look for a peer that answers at all (a node starting may not be connected yet). */
  readonly waitPeersMs?: number;
  readonly requestTimeoutMs?: number;
  readonly registry?: Registry;
  /** Called with the installed snapshot and the store it went into (after a reset, the new one). */
  readonly onInstalled?: (verified: VerifiedSnapshot, storage: NodeStorage) => Promise<void>;
  readonly logger: Logger;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Joins by snapshot if a peer offers a snapshot more than `thresholdBlocks` ahead of this node's
 * ledger (empty, or far behind when `reset` is given): fetches it from the peer offering the
 * highest, verifies it, empties a far-behind store, installs it.
 * Returns the installed height, or undefined when the node should replay blocks instead (no peer
 * ahead by enough, or every offered snapshot refused: the refusals are logged).
 */
export async function joinBySnapshot(o: JoinOptions): Promise<bigint | undefined> {
  const local = o.storage.blocks.tip()?.height ?? 0n;
  if (o.thresholdBlocks <= 0 || (local > 0n && !o.reset)) return undefined;
  const timeoutMs = o.requestTimeoutMs ?? 30_000;
  const offers = await findOffers(o, timeoutMs);
  const best = offers.filter((x) => x.manifest.height - local > BigInt(o.thresholdBlocks));
  if (best.length === 0) {
    o.logger.info(
      { offers: offers.map((x) => `${x.manifest.height}`), local: `${local}`, threshold: o.thresholdBlocks },
      'no peer is far enough ahead for a snapshot: replaying blocks',
    );
    return undefined;
  }
  const trust = await o.trust();
  for (const { peer, manifest } of best.sort((a, b) => (a.manifest.height > b.manifest.height ? -1 : 1))) {
    const t0 = performance.now();
    let installing = false;
    try {
      const verified = await verifySnapshot(
        manifest,
        async (i) => {
          const res = await o.network.request(
            peer,
            'snapshot',
            { type: 'SNAPSHOT_REQUEST', height: manifest.height, part: i + 1 },
            { timeoutMs },
          );
          if (res.type !== 'SNAPSHOT_RESPONSE' || res.bytes.length === 0) {
            throw new SnapshotError('CHUNK_UNAVAILABLE', 'the peer no longer serves this chunk', {
              index: i,
              height: `${manifest.height}`,
            });
          }
          return res.bytes;
        },
        trust,
      );
      const t1 = performance.now();
      // Blocks this node holds are final and below H: the snapshot's state supersedes them.
      installing = true;
      const storage = local > 0n && o.reset ? await o.reset() : o.storage;
      if (local > 0n)
        o.logger.warn(
          { local: `${local}`, height: `${manifest.height}` },
          'far behind: local state replaced by a snapshot',
        );
      await installSnapshot(storage, verified);
      await o.onInstalled?.(verified, storage);
      o.logger.info(
        {
          height: `${manifest.height}`,
          peer,
          chunks: manifest.chunks.length,
          leaves: `${verified.header.leafCount}`,
          nullifiers: verified.nullifiers.length,
          fetchVerifyMs: Math.round(t1 - t0),
          installMs: Math.round(performance.now() - t1),
        },
        `joined by snapshot at height ${manifest.height}`,
      );
      if (o.registry) snapshotMetrics(o.registry).joinedHeight.set(Number(manifest.height));
      return manifest.height;
    } catch (err) {
      o.logger.warn({ err, peer, height: `${manifest.height}` }, 'snapshot refused or not fetched');
      // A refused or unfetched snapshot changed nothing: the next peer's may do. A failed install
      // (or reset) left the marker or an empty store: the next start recovers, so stop now.
      if (installing) throw err;
    }
  }
  return undefined;
}

async function findOffers(
  o: JoinOptions,
  timeoutMs: number,
): Promise<{ peer: string; manifest: SnapshotManifest }[]> {
  const deadline = Date.now() + (o.waitPeersMs ?? 15_000);
  for (;;) {
    const offers: { peer: string; manifest: SnapshotManifest }[] = [];
    let answered = 0;
    for (const peer of o.network.peers.list().filter((p) => p.state !== 'offline')) {
      try {
        const res = await o.network.request(
          peer.peerId,
          'snapshot',
          { type: 'SNAPSHOT_REQUEST', height: 0n, part: 0 },
          { timeoutMs },
        );
        answered++;
        if (res.type === 'SNAPSHOT_RESPONSE' && res.bytes.length > 0) {
          offers.push({ peer: peer.peerId, manifest: decodeManifest(res.bytes) });
        }
      } catch (err) {
        o.logger.debug({ err, peer: peer.peerId }, 'snapshot manifest request failed');
      }
    }
    if (answered > 0 || Date.now() > deadline) return offers;
    await sleep(500);
  }
}
