/**
 * Sends this validator's signed heartbeat on the `heartbeat` gossip topic and judges the others'.
 * A heartbeat counts only when its key is in the on-chain active set, its signature verifies over
 * the peer id it carries, that peer is the one the validator registered, and its timestamp is newer than
 * the last one accepted and close to our clock. Everything else is dropped and counted by outcome:
 * bad signatures are rejected (gossipsub lowers the sender's score), the rest only ignored (our
 * registry view may be a little behind the chain).
 */

import { bytesEqual, createLogger, type Lifecycle, type Logger } from '../common/index.js';
import type { GossipValidator, MessageOf, NetworkMessage } from '../network/index.js';
import { peerIdBytes, verifyHeartbeat } from './heartbeat.js';
import type { HeartbeatOutcome, ValidatorMetrics } from './metrics.js';
import type { ValidatorRoster } from './roster.js';
import type { ValidatorSigner } from './signing.js';

/** What the service needs of the network node (NetworkNode has it; tests pass a fake). */
export interface HeartbeatNetwork {
  readonly peerId: string;
  publish(purpose: 'heartbeat', msg: NetworkMessage): Promise<number>;
  setGossipValidator(purpose: 'heartbeat', validator: GossipValidator | undefined): void;
  readonly peers: { heard(peerId: string): void };
}

export interface HeartbeatServiceOptions {
  readonly network: HeartbeatNetwork;
  readonly signer: ValidatorSigner;
  readonly roster: ValidatorRoster;
  readonly metrics: ValidatorMetrics;
  readonly intervalMs: number;
  /** Heartbeats further than this from our clock are stale. Default max(30 s, 3 intervals). */
  readonly maxSkewMs?: number;
  /** Sends only while this says so (not before registration). */
  readonly shouldSend?: () => boolean;
  readonly now?: () => number;
  readonly logger?: Logger;
}

interface Heard {
  readonly timestampMs: bigint;
  readonly at: number;
  readonly peerId: string;
}

export class HeartbeatService implements Lifecycle {
  private readonly heard = new Map<string, Heard>();
  private readonly peerIdBytes = new Map<string, Uint8Array>();
  private timer: NodeJS.Timeout | undefined;
  private readonly log: Logger;
  private readonly now: () => number;
  private lastSent = 0n;

  constructor(private readonly o: HeartbeatServiceOptions) {
    this.log = o.logger ?? createLogger('validator.heartbeat');
    this.now = o.now ?? Date.now;
  }

  async start(): Promise<void> {
    if (this.timer) return;
    this.o.network.setGossipValidator('heartbeat', (msg, from) => this.onMessage(msg, from));
    this.o.metrics.ages = () => this.ages();
    void this.beat();
    this.timer = setInterval(() => void this.beat(), this.o.intervalMs);
  }

  async stop(): Promise<void> {
    if (!this.timer) return;
    clearInterval(this.timer);
    this.timer = undefined;
    this.o.network.setGossipValidator('heartbeat', undefined);
    this.o.metrics.ages = undefined;
  }

  /** Validator address -> ms since its last accepted heartbeat. */
  ages(): Map<string, number> {
    const now = this.now();
    const out = new Map<string, number>();
    for (const [address, h] of this.heard) {
      if (this.o.roster.get(address)) out.set(address, now - h.at);
    }
    return out;
  }

  lastHeard(address: string): { at: number; peerId: string } | undefined {
    const h = this.heard.get(address);
    return h && { at: h.at, peerId: h.peerId };
  }

  /** Judges one heartbeat (whoever relayed it); records it when accepted. */
  check(msg: MessageOf<'HEARTBEAT'>): HeartbeatOutcome {
    const signer = this.o.signer;
    const address = this.addressOf(msg.validator);
    const entry = address === undefined ? undefined : this.o.roster.get(address);
    if (!entry || address === undefined) return 'unregistered';
    const fields = {
      validator: msg.validator,
      peerId: msg.peerId,
      timestampMs: msg.timestampMs,
      height: msg.height,
    };
    if (!verifyHeartbeat(signer.domain, fields, msg.signature)) return 'bad_signature';
    const registered = entry.endpoints?.peerId;
    if (registered === undefined || !bytesEqual(this.peerBytes(registered), msg.peerId))
      return 'peer_mismatch';
    const now = this.now();
    const skew = this.o.maxSkewMs ?? Math.max(30_000, 3 * this.o.intervalMs);
    const last = this.heard.get(address);
    const ts = msg.timestampMs;
    if ((last && ts <= last.timestampMs) || ts > BigInt(now + skew) || ts < BigInt(now - skew))
      return 'stale';
    this.heard.set(address, { timestampMs: ts, at: now, peerId: registered });
    this.o.network.peers.heard(registered);
    return 'accepted';
  }

  private onMessage(msg: NetworkMessage, relayedBy: string): 'accept' | 'reject' | 'ignore' {
    if (msg.type !== 'HEARTBEAT') return 'reject';
    const outcome = this.check(msg);
    this.o.metrics.heartbeatsReceived.inc({ outcome });
    switch (outcome) {
      case 'accepted':
        return 'accept';
      case 'bad_signature':
        this.log.debug({ relayedBy }, 'heartbeat with a bad signature');
        return 'reject';
      case 'unregistered':
        // Possibly registered after our last read: look again (rate-limited).
        this.o.roster.requestRefresh();
        return 'ignore';
      default:
        this.log.debug({ relayedBy, outcome }, 'heartbeat ignored');
        return 'ignore';
    }
  }

  /** A registered peer id's multihash bytes (the roster repeats the same few ids). */
  private peerBytes(peerId: string): Uint8Array {
    let bytes = this.peerIdBytes.get(peerId);
    if (!bytes) {
      bytes = peerIdBytes(peerId);
      if (this.peerIdBytes.size > 1024) this.peerIdBytes.clear();
      this.peerIdBytes.set(peerId, bytes);
    }
    return bytes;
  }

  private addressOf(key: Uint8Array): string | undefined {
    if (key.length !== 32) return undefined;
    for (const e of this.o.roster.entries()) {
      if (e.publicKey.every((b, i) => b === key[i])) return e.address;
    }
    return undefined;
  }

  private async beat(): Promise<void> {
    if (this.o.shouldSend && !this.o.shouldSend()) return;
    // Strictly increasing even if the clock steps back: receivers drop anything not newer.
    let ts = BigInt(this.now());
    if (ts <= this.lastSent) ts = this.lastSent + 1n;
    this.lastSent = ts;
    const peerId = this.o.network.peerId;
    // The L2 height is 0 until the ledger feeds it.
    const height = 0n;
    const signature = this.o.signer.signHeartbeat({ peerId, timestampMs: ts, height });
    try {
      await this.o.network.publish('heartbeat', {
        type: 'HEARTBEAT',
        validator: this.o.signer.publicKey,
        peerId: peerIdBytes(peerId),
        timestampMs: ts,
        height,
        signature,
      });
      this.o.metrics.heartbeatsSent.inc();
    } catch (err) {
      this.log.warn({ err }, 'heartbeat publish failed');
    }
  }
}
