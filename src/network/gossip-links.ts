/**
 * Repairs a gossipsub link that died under a live connection. Gossipsub keeps one outbound stream
 * per peer and, when that stream closes (a reset, a full write buffer) or its inbound read fails,
 * drops the stream or the whole peer while the libp2p connection stays up: it never opens a new
 * stream on that connection. Pings still pass, so nothing else notices; messages between the two
 * keep arriving only relayed through a third peer, and stop for good when that peer goes (in CI: a
 * killed validator took the survivors' heartbeats with it). Seen in @libp2p/gossipsub 17.1:
 * gossipsub.js createOutboundStream ("TODO make this behavior more robust") and
 * handlePeerReadStreamError.
 *
 * The audit closes the connections of a peer that speaks gossipsub but is missing from gossipsub's
 * peers, or has no outbound gossipsub stream, for two audits in a row (a fresh connection gets its
 * stream within one); the peer registry redials it (pinned peers forever), and the new connection
 * gets fresh streams on both sides.
 */
import type { GossipSub } from '@libp2p/gossipsub';
import type { Libp2p, PeerId } from '@libp2p/interface';
import type { Logger } from '../common/index.js';
import type { NetworkMetrics } from './metrics.js';

/** Gossipsub's per-peer outbound streams: on its class, not on its exported interface. */
interface OutboundStreams {
  readonly streamsOutbound?: ReadonlyMap<string, unknown>;
}

export class GossipLinkAudit {
  /** Connected gossipsub peers found without a gossip link at the last audit. */
  private suspects = new Set<string>();
  private running = false;

  constructor(
    private readonly libp2p: Libp2p,
    private readonly pubsub: GossipSub,
    private readonly metrics: NetworkMetrics,
    private readonly logger: Logger,
  ) {}

  /** One pass; overlapping calls are skipped (the peer store lookups are asynchronous). */
  async run(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const now = new Set<string>();
      const known = new Set(this.pubsub.getPeers().map((p) => p.toString()));
      const outbound = (this.pubsub as unknown as OutboundStreams).streamsOutbound;
      for (const peer of this.libp2p.getPeers()) {
        const id = peer.toString();
        const linked = known.has(id) && (outbound === undefined || outbound.has(id));
        if (linked || !(await this.speaksGossipsub(peer))) continue;
        now.add(id);
        if (this.suspects.has(id)) await this.repair(peer);
      }
      this.suspects = now;
    } finally {
      this.running = false;
    }
  }

  private async speaksGossipsub(peer: PeerId): Promise<boolean> {
    // A peer the store has not recorded yet (identify still running) is judged at the next audit.
    const known = await this.libp2p.peerStore.get(peer).catch(() => undefined);
    return known?.protocols.some((p) => this.pubsub.protocols.includes(p)) ?? false;
  }

  private async repair(peer: PeerId): Promise<void> {
    this.metrics.gossipLinkRepairs.inc();
    this.logger.warn(
      { peer: peer.toString() },
      'gossipsub lost its stream to a connected peer; closing the connection to redial it',
    );
    try {
      await this.libp2p.hangUp(peer);
    } catch (err) {
      this.metrics.errors.inc({ code: 'GOSSIP_LINK_REPAIR_FAILED' });
      this.logger.warn({ err, peer: peer.toString() }, 'closing a connection for a gossip repair failed');
    }
  }
}
