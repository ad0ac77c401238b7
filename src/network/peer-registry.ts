/**
 * Which peers we know and how they are doing: `connected`, `slow` (ping round trip at or above a
 * threshold, or pings failing) or `offline` (no connection). Lost peers are redialled with
 * exponential backoff and jitter; pinned peers (bootstrap, later the registered validators)
 * forever, others up to a bounded number of attempts. Consensus will use this registry to admit
 * consensus messages only from registered validators.
 */

import type { Libp2p, PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import type { Ping } from '@libp2p/ping';
import { type Multiaddr, multiaddr } from '@multiformats/multiaddr';
import type { Logger } from 'pino';
import type { Lifecycle } from '../common/index.js';
import type { ResolvedNetworkConfig } from './config.js';
import type { NetworkMetrics } from './metrics.js';

export type PeerState = 'connected' | 'slow' | 'offline';

export interface PeerStatus {
  readonly peerId: string;
  readonly state: PeerState;
  readonly pinned: boolean;
  /** Last measured ping round trip (ms). */
  readonly rttMs: number | undefined;
  readonly pingFailures: number;
  /** Reconnect attempts since the peer was lost. */
  readonly attempts: number;
  readonly lastSeen: number | undefined;
}

interface PeerRecord {
  peerId: PeerId;
  state: PeerState;
  pinned: boolean;
  addrs: Multiaddr[];
  rttMs: number | undefined;
  pingFailures: number;
  attempts: number;
  lastSeen: number | undefined;
  timer: NodeJS.Timeout | undefined;
  pinging: boolean;
}

export type PeerStateListener = (peerId: string, state: PeerState, previous: PeerState | undefined) => void;

type RegistryConfig = Pick<
  ResolvedNetworkConfig,
  | 'pingIntervalMs'
  | 'slowPingMs'
  | 'pingTimeoutMs'
  | 'maxPingFailures'
  | 'reconnectBaseMs'
  | 'reconnectMaxMs'
  | 'reconnectMaxAttempts'
>;

/** Delay before reconnect attempt `attempt` (0-based): base * 2^attempt capped at max, times 0.5..1. */
export function backoffDelay(
  attempt: number,
  baseMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(exp * (0.5 + 0.5 * random()));
}

/** libp2p refused to open one more outbound ping stream to the peer (its per-protocol limit). */
function isBusyPingSlot(err: unknown): boolean {
  return err instanceof Error && err.name === 'TooManyOutboundProtocolStreamsError';
}

export class PeerRegistry implements Lifecycle {
  private readonly peers = new Map<string, PeerRecord>();
  private readonly listeners = new Set<PeerStateListener>();
  private pingTimer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly libp2p: Libp2p<{ ping: Ping }>,
    private readonly config: RegistryConfig,
    private readonly metrics: NetworkMetrics,
    private readonly logger: Logger,
  ) {}

  private readonly onConnect = (evt: CustomEvent<PeerId>) => this.connected(evt.detail);
  private readonly onDisconnect = (evt: CustomEvent<PeerId>) => this.disconnected(evt.detail);

  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    this.libp2p.addEventListener('peer:connect', this.onConnect);
    this.libp2p.addEventListener('peer:disconnect', this.onDisconnect);
    for (const peer of this.libp2p.getPeers()) this.connected(peer);
    this.pingTimer = setInterval(() => void this.pingAll(), this.config.pingIntervalMs);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.libp2p.removeEventListener('peer:connect', this.onConnect);
    this.libp2p.removeEventListener('peer:disconnect', this.onDisconnect);
    clearInterval(this.pingTimer);
    for (const rec of this.peers.values()) clearTimeout(rec.timer);
  }

  /** Keeps a peer connected for good: redialled at `addrs` (multiaddrs with /p2p/<id>) when lost. */
  pin(peerId: string, addrs: readonly string[]): void {
    const rec = this.record(peerIdFromString(peerId));
    rec.pinned = true;
    for (const a of addrs) {
      const ma = multiaddr(a);
      if (!rec.addrs.some((x) => x.equals(ma))) rec.addrs.push(ma);
    }
    if (this.running && rec.state === 'offline' && !rec.timer) this.scheduleReconnect(rec, 0);
  }

  /**
   * Application-level proof of life (a validator's signed heartbeat) for a peer we know: refreshes
   * `lastSeen` without waiting for the next ping. Unknown peers are not added (no state from gossip).
   */
  heard(peerId: string): void {
    const rec = this.peers.get(peerId);
    if (rec && rec.state !== 'offline') rec.lastSeen = Date.now();
  }

  onStateChange(listener: PeerStateListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get(peerId: string): PeerStatus | undefined {
    const rec = this.peers.get(peerId);
    return rec && status(rec);
  }

  list(): PeerStatus[] {
    return [...this.peers.values()].map(status);
  }

  /** Runs one ping round now (also runs every pingIntervalMs). */
  async pingAll(): Promise<void> {
    const peers = [...this.peers.values()].filter((r) => r.state !== 'offline' && !r.pinging);
    await Promise.all(peers.map((r) => this.pingOne(r)));
  }

  private async pingOne(rec: PeerRecord): Promise<void> {
    rec.pinging = true;
    try {
      const rtt = await this.libp2p.services.ping.ping(rec.peerId, {
        signal: AbortSignal.timeout(this.config.pingTimeoutMs),
      });
      if (rec.state === 'offline') return;
      rec.rttMs = rtt;
      rec.pingFailures = 0;
      rec.lastSeen = Date.now();
      this.metrics.pingSeconds.observe(rtt / 1000);
      this.setState(rec, rtt >= this.config.slowPingMs ? 'slow' : 'connected');
    } catch (err) {
      if (rec.state === 'offline' || !this.running) return;
      if (isBusyPingSlot(err)) {
        // Refused here, before anything was sent: says nothing about the peer.
        this.logger.debug(
          { peer: rec.peerId.toString() },
          'ping skipped: another ping to this peer is in flight',
        );
        return;
      }
      rec.pingFailures++;
      this.metrics.errors.inc({ code: 'TIMEOUT' });
      this.logger.debug({ err, peer: rec.peerId.toString(), failures: rec.pingFailures }, 'ping failed');
      this.setState(rec, 'slow');
      if (rec.pingFailures >= this.config.maxPingFailures) {
        this.logger.warn(
          { peer: rec.peerId.toString() },
          'peer stopped answering pings; closing its connections',
        );
        await this.libp2p
          .hangUp(rec.peerId)
          .catch((e: unknown) => this.logger.debug({ err: e }, 'hangUp failed'));
      }
    } finally {
      rec.pinging = false;
    }
  }

  private connected(peerId: PeerId): void {
    const rec = this.record(peerId);
    clearTimeout(rec.timer);
    rec.timer = undefined;
    rec.attempts = 0;
    rec.pingFailures = 0;
    rec.lastSeen = Date.now();
    this.setState(rec, rec.rttMs !== undefined && rec.rttMs >= this.config.slowPingMs ? 'slow' : 'connected');
  }

  private disconnected(peerId: PeerId): void {
    const rec = this.peers.get(peerId.toString());
    if (!rec || !this.running) return;
    if (this.libp2p.getConnections(peerId).length > 0) return;
    this.setState(rec, 'offline');
    if (!rec.timer)
      this.scheduleReconnect(rec, backoffDelay(0, this.config.reconnectBaseMs, this.config.reconnectMaxMs));
  }

  private scheduleReconnect(rec: PeerRecord, delay: number): void {
    if (!this.running) return;
    if (!rec.pinned && rec.attempts >= this.config.reconnectMaxAttempts) {
      this.logger.info({ peer: rec.peerId.toString(), attempts: rec.attempts }, 'giving up on lost peer');
      this.peers.delete(rec.peerId.toString());
      this.updateGauge();
      return;
    }
    rec.timer = setTimeout(() => void this.reconnect(rec), delay);
  }

  private async reconnect(rec: PeerRecord): Promise<void> {
    rec.timer = undefined;
    if (!this.running || rec.state !== 'offline') return;
    if (this.libp2p.getConnections(rec.peerId).length > 0) return; // it came back on its own
    rec.attempts++;
    // Pinned peers at their configured addresses; others at what identify told the peer store.
    const target = rec.pinned && rec.addrs.length > 0 ? rec.addrs : rec.peerId;
    try {
      await this.libp2p.dial(target, { signal: AbortSignal.timeout(this.config.pingTimeoutMs) });
      this.metrics.reconnects.inc({ outcome: 'ok' });
      this.logger.info({ peer: rec.peerId.toString(), attempts: rec.attempts }, 'reconnected to peer');
    } catch (err) {
      this.metrics.reconnects.inc({ outcome: 'failed' });
      this.logger.debug({ err, peer: rec.peerId.toString(), attempts: rec.attempts }, 'reconnect failed');
      if (rec.state === 'offline' && !rec.timer) {
        this.scheduleReconnect(
          rec,
          backoffDelay(rec.attempts, this.config.reconnectBaseMs, this.config.reconnectMaxMs),
        );
      }
    }
  }

  private record(peerId: PeerId): PeerRecord {
    const id = peerId.toString();
    let rec = this.peers.get(id);
    if (!rec) {
      rec = {
        peerId,
        state: 'offline',
        pinned: false,
        addrs: [],
        rttMs: undefined,
        pingFailures: 0,
        attempts: 0,
        lastSeen: undefined,
        timer: undefined,
        pinging: false,
      };
      this.peers.set(id, rec);
    }
    return rec;
  }

  private setState(rec: PeerRecord, state: PeerState): void {
    const previous = rec.state;
    rec.state = state;
    this.updateGauge();
    if (previous === state) return;
    this.logger.debug({ peer: rec.peerId.toString(), state, previous }, 'peer state');
    for (const l of this.listeners) {
      try {
        l(rec.peerId.toString(), state, previous);
      } catch (err) {
        this.metrics.errors.inc({ code: 'REQUEST_FAILED' });
        this.logger.error({ err }, 'peer state listener threw');
      }
    }
  }

  private updateGauge(): void {
    const counts: Record<PeerState, number> = { connected: 0, slow: 0, offline: 0 };
    for (const r of this.peers.values()) counts[r.state]++;
    for (const [state, n] of Object.entries(counts)) this.metrics.peers.set({ state }, n);
  }
}

function status(r: PeerRecord): PeerStatus {
  return {
    peerId: r.peerId.toString(),
    state: r.state,
    pinned: r.pinned,
    rttMs: r.rttMs,
    pingFailures: r.pingFailures,
    attempts: r.attempts,
    lastSeen: r.lastSeen,
  };
}
