import './polyfill.js';
import { randomBytes } from 'node:crypto';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import {
  type GossipSub,
  type GossipsubMessage,
  gossipsub,
  type Message,
  StrictNoSign,
  TopicValidatorResult,
} from '@libp2p/gossipsub';
import { createTopicScoreParams } from '@libp2p/gossipsub/score';
import { type Identify, identify } from '@libp2p/identify';
import type { Connection, Libp2p, PeerId, PrivateKey, Stream } from '@libp2p/interface';
import { type KadDHT, kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht';
import { peerIdFromString } from '@libp2p/peer-id';
import { type Ping, ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import type { Registry } from 'prom-client';
import { createLogger, type Lifecycle, type Logger } from '../common/index.js';
import {
  capOf,
  dhtProtocol,
  GOSSIP_PURPOSES,
  GOSSIP_TYPES,
  type GossipPurpose,
  gossipCap,
  gossipTopic,
  PROTOCOL_NAMES,
  PROTOCOLS,
  type ProtocolName,
  protocolId,
} from './channels.js';
import { type NetworkConfig, type ResolvedNetworkConfig, resolveNetworkConfig } from './config.js';
import { NetworkError } from './errors.js';
import { readFrame, writeFrame } from './framing.js';
import { GossipLinkAudit } from './gossip-links.js';
import { decodeGossipPayload, gossipMessageId, gossipPayload } from './gossip-payload.js';
import { loadOrCreateIdentity } from './identity.js';
import { decodeMessage, encodeMessage, type NetworkMessage } from './messages.js';
import { type NetworkMetrics, networkMetrics } from './metrics.js';
import { PeerRegistry } from './peer-registry.js';

export type Services = { identify: Identify; ping: Ping; dht: KadDHT; pubsub: GossipSub };

/**
 * `relayedBy` is the neighbour the message came from, not its author: gossip is unsigned, so a
 * message that needs an author carries its own signature (votes, heartbeats, results, ...).
 */
export type GossipHandler = (msg: NetworkMessage, relayedBy: string) => void;
/** Application check run inside gossipsub's validator, after decoding (e.g. "signed by a validator"). */
export type GossipValidator = (msg: NetworkMessage, relayedBy: string) => 'accept' | 'reject' | 'ignore';
export type RequestHandler = (req: NetworkMessage, from: string) => Promise<NetworkMessage> | NetworkMessage;

export interface NetworkNodeOptions {
  readonly registry?: Registry;
  readonly logger?: Logger;
}

/** Error codes carried in ERROR responses. */
export const RemoteErrorCode = { NO_HANDLER: 1, BAD_REQUEST: 2, INTERNAL: 3 } as const;

/** Extra RPC-frame room gossipsub needs around our largest message (protobuf fields, topic, id). */
const GOSSIP_FRAME_OVERHEAD = 16 * 1024;

/**
 * One node's libp2p stack: TCP + noise + yamux, identify, ping, a per-cluster Kademlia DHT for
 * discovery, gossipsub topics with decoding validators, and bounded request-response protocols.
 */
export class NetworkNode implements Lifecycle {
  readonly peers: PeerRegistry;
  readonly metrics: NetworkMetrics;
  private readonly topics: Record<GossipPurpose, string>;
  private readonly topicPurpose = new Map<string, GossipPurpose>();
  private readonly gossipHandlers = new Map<GossipPurpose, Set<GossipHandler>>();
  private readonly gossipValidators = new Map<GossipPurpose, GossipValidator>();
  private readonly requestHandlers = new Map<ProtocolName, RequestHandler>();
  private readonly decoded = new WeakMap<Uint8Array, NetworkMessage>();
  private readonly warnedAt = new Map<string, number>();
  private readonly pendingDials = new Set<string>();
  /** Publish nonces: a random start, then one more per publish. */
  private nonce = randomBytes(8).readBigUInt64LE(0);
  private discoveryTimer: NodeJS.Timeout | undefined;
  private gossipAuditTimer: NodeJS.Timeout | undefined;
  private discovering: Promise<void> | undefined;
  private started = false;

  private constructor(
    readonly libp2p: Libp2p<Services>,
    readonly config: ResolvedNetworkConfig,
    readonly logger: Logger,
    registry: Registry | undefined,
  ) {
    this.metrics = networkMetrics(registry);
    this.peers = new PeerRegistry(libp2p, config, this.metrics, logger);
    this.topics = Object.fromEntries(
      GOSSIP_PURPOSES.map((p) => [p, gossipTopic(config.cluster, p)]),
    ) as Record<GossipPurpose, string>;
    for (const p of GOSSIP_PURPOSES) this.topicPurpose.set(this.topics[p], p);
  }

  /** Loads (or creates) the identity key and builds the libp2p node; `start()` connects it. */
  static async create(config: NetworkConfig, options: NetworkNodeOptions = {}): Promise<NetworkNode> {
    const resolved = resolveNetworkConfig(config);
    const logger = options.logger ?? createLogger('network');
    const { key, created } = await loadOrCreateIdentity(resolved.identityFile);
    if (created) logger.info({ path: resolved.identityFile }, 'created a new node identity key');
    const libp2p = await createLibp2p(buildLibp2pOptions(resolved, key));
    return new NetworkNode(
      libp2p,
      resolved,
      logger.child({ peer: libp2p.peerId.toString() }),
      options.registry,
    );
  }

  get peerId(): string {
    return this.libp2p.peerId.toString();
  }

  get multiaddrs(): string[] {
    return this.libp2p.getMultiaddrs().map((m) => m.toString());
  }

  /** Gossipsub's current score of a peer (negative after it sent messages our validators rejected). */
  gossipScore(peerId: string): number {
    return (this.libp2p.services.pubsub as unknown as { getScore(id: string): number }).getScore(peerId);
  }

  topic(purpose: GossipPurpose): string {
    return this.topics[purpose];
  }

  async start(): Promise<void> {
    if (this.started) return;
    await this.libp2p.start();
    this.started = true;
    const pubsub = this.libp2p.services.pubsub;
    for (const purpose of GOSSIP_PURPOSES) {
      const topic = this.topics[purpose];
      pubsub.topicValidators.set(topic, (peer, msg) => this.validateGossip(purpose, peer, msg));
      pubsub.subscribe(topic);
    }
    pubsub.addEventListener('gossipsub:message', this.onGossipMessage);
    for (const name of PROTOCOL_NAMES) {
      await this.libp2p.handle(
        protocolId(this.config.cluster, name),
        (stream, conn) => this.serve(name, stream, conn),
        {
          maxInboundStreams: 32,
        },
      );
    }
    this.libp2p.addEventListener('peer:discovery', this.onDiscovery);
    await this.peers.start();
    for (const addr of this.config.bootstrap) {
      const peer = multiaddr(addr)
        .getComponents()
        .find((c) => c.name === 'p2p')?.value;
      if (!peer) {
        this.logger.warn({ addr }, 'bootstrap address has no /p2p/<peer id>; skipped');
        continue;
      }
      if (peer === this.peerId) continue;
      this.peers.pin(peer, [addr]);
    }
    this.discoveryTimer = setInterval(() => void this.discover(), this.config.discoveryIntervalMs);
    // At the ping cadence: a link is as dead for gossip as a peer that stopped answering pings.
    const audit = new GossipLinkAudit(this.libp2p, pubsub, this.metrics, this.logger);
    this.gossipAuditTimer = setInterval(() => void audit.run(), this.config.pingIntervalMs);
    this.logger.info({ addrs: this.multiaddrs, cluster: this.config.cluster }, 'network started');
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    clearInterval(this.discoveryTimer);
    clearInterval(this.gossipAuditTimer);
    await this.peers.stop();
    this.libp2p.removeEventListener('peer:discovery', this.onDiscovery);
    this.libp2p.services.pubsub.removeEventListener('gossipsub:message', this.onGossipMessage);
    await this.libp2p.stop();
    this.logger.info('network stopped');
  }

  /** Dials a peer (multiaddr with /p2p/<id>). */
  async dial(addr: string): Promise<void> {
    this.requireStarted();
    try {
      await this.libp2p.dial(multiaddr(addr), { signal: AbortSignal.timeout(this.config.requestTimeoutMs) });
    } catch (err) {
      throw this.countError(new NetworkError('DIAL_FAILED', 'dial failed', { addr }, { cause: err }));
    }
  }

  /** One DHT lookup of our own id: fills the routing table and the peer store with nearby peers. */
  discover(): Promise<void> {
    if (!this.started) return Promise.resolve();
    if (this.discovering) return this.discovering;
    const run = async () => {
      const signal = AbortSignal.timeout(this.config.requestTimeoutMs);
      try {
        for await (const _ of this.libp2p.services.dht.getClosestPeers(
          this.libp2p.peerId.toMultihash().bytes,
          {
            signal,
          },
        )) {
          // Progress events; peers found are added to the peer store, which triggers peer:discovery.
        }
      } catch (err) {
        this.metrics.errors.inc({ code: 'REQUEST_FAILED' });
        this.logger.debug({ err }, 'DHT self-lookup ended with an error');
      }
    };
    this.discovering = run().finally(() => {
      this.discovering = undefined;
    });
    return this.discovering;
  }

  onGossip(purpose: GossipPurpose, handler: GossipHandler): () => void {
    let set = this.gossipHandlers.get(purpose);
    if (!set) {
      set = new Set();
      this.gossipHandlers.set(purpose, set);
    }
    set.add(handler);
    return () => set.delete(handler);
  }

  setGossipValidator(purpose: GossipPurpose, validator: GossipValidator | undefined): void {
    if (validator) this.gossipValidators.set(purpose, validator);
    else this.gossipValidators.delete(purpose);
  }

  /** Publishes a message on its purpose's topic; returns the number of peers it was sent to. */
  async publish(purpose: GossipPurpose, msg: NetworkMessage): Promise<number> {
    this.requireStarted();
    if (!GOSSIP_TYPES[purpose].has(msg.type)) {
      throw new NetworkError('MESSAGE_NOT_ALLOWED', 'message type does not belong on this topic', {
        purpose,
        type: msg.type,
      });
    }
    this.nonce = (this.nonce + 1n) & 0xffff_ffff_ffff_ffffn;
    const data = gossipPayload(this.nonce, encodeMessage(msg));
    const result = await this.libp2p.services.pubsub.publish(this.topics[purpose], data);
    this.metrics.published.inc({ channel: purpose });
    return result.recipients.length;
  }

  handle(name: ProtocolName, handler: RequestHandler): void {
    this.requestHandlers.set(name, handler);
  }

  /** Sends one request and reads one bounded response (or rejects with a NetworkError). */
  async request(
    peerId: string,
    name: ProtocolName,
    req: NetworkMessage,
    options: { timeoutMs?: number } = {},
  ): Promise<NetworkMessage> {
    this.requireStarted();
    const spec = PROTOCOLS[name];
    if (!spec.request.has(req.type)) {
      throw new NetworkError('MESSAGE_NOT_ALLOWED', 'message type is not a request of this protocol', {
        protocol: name,
        type: req.type,
      });
    }
    const timeoutMs = options.timeoutMs ?? this.config.requestTimeoutMs;
    let stream: Stream | undefined;
    try {
      stream = await this.openStream(peerId, name, timeoutMs);
      await writeFrame(stream, encodeMessage(req));
      // Start reading before half-closing: a fast answer (and the remote's close) must find a reader.
      const response = readFrame(stream, capOf(spec.response), timeoutMs);
      response.catch(() => undefined); // handled by the await below; avoids an unhandled rejection
      await stream.close({ signal: AbortSignal.timeout(timeoutMs) });
      const raw = await response;
      const res = decodeMessage(raw, spec.response);
      this.metrics.requests.inc({ protocol: name, direction: 'outbound', outcome: 'ok' });
      if (res.type === 'ERROR') {
        throw new NetworkError('REMOTE_ERROR', `peer answered with an error: ${res.text}`, {
          protocol: name,
          code: res.code,
        });
      }
      return res;
    } catch (err) {
      const e =
        err instanceof NetworkError
          ? err
          : new NetworkError(
              'REQUEST_FAILED',
              'request failed',
              { protocol: name, peer: peerId },
              { cause: err },
            );
      if (e.code !== 'REMOTE_ERROR') {
        this.metrics.requests.inc({ protocol: name, direction: 'outbound', outcome: e.code });
        if (e.code.startsWith('MESSAGE_') || e.code.startsWith('FRAME_')) {
          this.metrics.rejected.inc({ channel: name, reason: e.code });
        }
      }
      this.logger.debug({ err: e, peer: peerId, protocol: name }, 'request failed');
      stream?.abort(e);
      throw this.countError(e);
    }
  }

  /**
   * Opens a protocol stream. A failure before anything was sent (the connection closing under the
   * negotiation, say) is retried once on a fresh connection: the peer has seen no request yet.
   */
  private async openStream(peerId: string, name: ProtocolName, timeoutMs: number): Promise<Stream> {
    const peer = peerIdFromString(peerId);
    const protocol = protocolId(this.config.cluster, name);
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      return await this.libp2p.dialProtocol(peer, protocol, { signal });
    } catch (err) {
      if (signal.aborted) throw err;
      this.metrics.errors.inc({ code: 'DIAL_FAILED' });
      this.logger.debug(
        { err, peer: peerId, protocol: name },
        'opening a request stream failed; retrying once',
      );
      await new Promise((r) => setTimeout(r, 50));
      return await this.libp2p.dialProtocol(peer, protocol, { signal });
    }
  }

  private async serve(name: ProtocolName, stream: Stream, conn: Connection): Promise<void> {
    const from = conn.remotePeer.toString();
    const spec = PROTOCOLS[name];
    try {
      const raw = await readFrame(stream, capOf(spec.request), this.config.requestTimeoutMs);
      let req: NetworkMessage;
      try {
        req = decodeMessage(raw, spec.request);
      } catch (err) {
        if (err instanceof NetworkError) {
          this.reject(name, from, err);
          await this.respond(stream, { type: 'ERROR', code: RemoteErrorCode.BAD_REQUEST, text: err.code });
          return;
        }
        throw err;
      }
      this.metrics.received.inc({ channel: name, type: req.type });
      const handler = this.requestHandlers.get(name);
      if (!handler) {
        await this.respond(stream, { type: 'ERROR', code: RemoteErrorCode.NO_HANDLER, text: 'no handler' });
        this.metrics.requests.inc({ protocol: name, direction: 'inbound', outcome: 'NO_HANDLER' });
        return;
      }
      let res: NetworkMessage;
      try {
        res = await handler(req, from);
        if (!spec.response.has(res.type)) {
          throw new NetworkError(
            'MESSAGE_NOT_ALLOWED',
            'handler returned a type this protocol cannot carry',
            {
              type: res.type,
            },
          );
        }
      } catch (err) {
        this.countError(
          err instanceof NetworkError ? err : new NetworkError('REQUEST_FAILED', 'handler failed'),
        );
        this.logger.error({ err, protocol: name, peer: from }, 'request handler failed');
        res = { type: 'ERROR', code: RemoteErrorCode.INTERNAL, text: 'internal error' };
      }
      await this.respond(stream, res);
      this.metrics.requests.inc({ protocol: name, direction: 'inbound', outcome: 'ok' });
    } catch (err) {
      const e =
        err instanceof NetworkError
          ? err
          : new NetworkError('REQUEST_FAILED', 'serving failed', {}, { cause: err });
      if (e.code.startsWith('FRAME_') || e.code.startsWith('MESSAGE_')) this.reject(name, from, e);
      this.metrics.requests.inc({ protocol: name, direction: 'inbound', outcome: e.code });
      this.countError(e);
      this.logger.debug({ err: e, protocol: name, peer: from }, 'inbound request failed');
      stream.abort(e);
    }
  }

  private async respond(stream: Stream, msg: NetworkMessage): Promise<void> {
    await writeFrame(stream, encodeMessage(msg));
    await stream.close({ signal: AbortSignal.timeout(this.config.requestTimeoutMs) });
  }

  private validateGossip(purpose: GossipPurpose, peer: PeerId, msg: Message): TopicValidatorResult {
    const from = peer.toString();
    let decoded: NetworkMessage;
    try {
      decoded = decodeGossipPayload(msg.data, GOSSIP_TYPES[purpose]);
    } catch (err) {
      const e =
        err instanceof NetworkError
          ? err
          : new NetworkError('MESSAGE_INVALID', 'undecodable', {}, { cause: err });
      this.reject(purpose, from, e);
      return TopicValidatorResult.Reject;
    }
    const app = this.gossipValidators.get(purpose);
    if (app) {
      let verdict: ReturnType<GossipValidator>;
      try {
        verdict = app(decoded, from);
      } catch (err) {
        this.logger.error({ err, purpose }, 'gossip validator threw; message ignored');
        this.metrics.errors.inc({ code: 'MESSAGE_INVALID' });
        return TopicValidatorResult.Ignore;
      }
      if (verdict === 'reject') {
        this.reject(
          purpose,
          from,
          new NetworkError('MESSAGE_INVALID', 'rejected by the application validator'),
        );
        return TopicValidatorResult.Reject;
      }
      if (verdict === 'ignore') return TopicValidatorResult.Ignore;
    }
    this.decoded.set(msg.data, decoded);
    return TopicValidatorResult.Accept;
  }

  private readonly onGossipMessage = (evt: CustomEvent<GossipsubMessage>) => {
    const msg = evt.detail.msg;
    const purpose = this.topicPurpose.get(msg.topic);
    if (!purpose) return;
    const decoded = this.decoded.get(msg.data);
    if (!decoded) return; // only messages our validator accepted
    const from = evt.detail.propagationSource.toString();
    this.metrics.received.inc({ channel: purpose, type: decoded.type });
    for (const handler of this.gossipHandlers.get(purpose) ?? []) {
      try {
        handler(decoded, from);
      } catch (err) {
        this.metrics.errors.inc({ code: 'REQUEST_FAILED' });
        this.logger.error({ err, purpose }, 'gossip handler threw');
      }
    }
  };

  private readonly onDiscovery = (evt: CustomEvent<{ id: PeerId }>) => {
    const peer = evt.detail.id;
    if (peer.equals(this.libp2p.peerId) || this.libp2p.getConnections(peer).length > 0) return;
    if (this.libp2p.getPeers().length >= this.config.targetPeers) return;
    const id = peer.toString();
    if (this.pendingDials.has(id)) return;
    this.pendingDials.add(id);
    this.libp2p
      .dial(peer, { signal: AbortSignal.timeout(this.config.requestTimeoutMs) })
      .catch((err: unknown) => {
        this.metrics.errors.inc({ code: 'DIAL_FAILED' });
        this.logger.debug({ err, peer: id }, 'dial to discovered peer failed');
      })
      .finally(() => this.pendingDials.delete(id));
  };

  /** Counts a dropped message and logs it (warn at most once per second per channel and reason). */
  private reject(channel: string, from: string, err: NetworkError): void {
    this.metrics.rejected.inc({ channel, reason: err.code });
    const key = `${channel}:${err.code}`;
    const now = Date.now();
    if ((this.warnedAt.get(key) ?? 0) + 1000 <= now) {
      this.warnedAt.set(key, now);
      this.logger.warn({ channel, from, code: err.code, context: err.context }, 'dropped a bad message');
    } else {
      this.logger.debug({ channel, from, code: err.code }, 'dropped a bad message');
    }
  }

  private countError(err: NetworkError): NetworkError {
    this.metrics.errors.inc({ code: err.code });
    return err;
  }

  private requireStarted(): void {
    if (!this.started) throw new NetworkError('NOT_STARTED', 'network node is not started');
  }
}

/**
 * Gossipsub's mesh bounds for degree D, in gossipsub's own proportions (D 6: Dlo 4, Dhi 12, Dscore 4,
 * Dout 2). D 0 turns relaying off: a validator cohort is fully connected (every node pins every
 * active validator's endpoints) and publishes by flooding, so a relay mesh only delivered each
 * message two or three more times (a third of a loaded node's CPU went to those duplicates).
 */
export function meshDegrees(d: number): {
  D: number;
  Dlo: number;
  Dhi: number;
  Dscore: number;
  Dout: number;
} {
  if (d === 0) return { D: 0, Dlo: 0, Dhi: 0, Dscore: 0, Dout: 0 };
  const Dlo = Math.max(1, Math.ceil((2 * d) / 3));
  return { D: d, Dlo, Dhi: 2 * d, Dscore: Dlo, Dout: Math.min(Math.floor(d / 3), Dlo - 1) };
}

function buildLibp2pOptions(config: ResolvedNetworkConfig, privateKey: PrivateKey) {
  const topics = GOSSIP_PURPOSES.map((p) => gossipTopic(config.cluster, p));
  const maxGossip = Math.max(...GOSSIP_PURPOSES.map(gossipCap));
  return {
    privateKey,
    addresses: { listen: [...config.listen], announce: [...config.announce] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { maxConnections: config.maxConnections },
    // The peer registry pings every peer (ping_interval_ms, ping_timeout_ms, max_ping_failures) and
    // decides when one is gone. libp2p's own monitor pinged on the same 10 s period, and aborted a
    // connection at its first ping over an adaptive timeout or refused for a busy ping slot: on a
    // loaded cohort it cut validators off from each other in the middle of a height.
    connectionMonitor: { enabled: false },
    services: {
      identify: identify(),
      // The registry's ping and an operator's (CLI, tests) must not fail each other; a peer may run
      // two of its own at once, so it gets more inbound than we open outbound.
      ping: ping({ maxOutboundStreams: 2, maxInboundStreams: 4 }),
      dht: kadDHT({
        protocol: dhtProtocol(config.cluster),
        clientMode: false,
        peerInfoMapper: config.allowPrivateAddresses ? passthroughMapper : removePrivateAddressesMapper,
        querySelfInterval: config.discoveryIntervalMs,
        initialQuerySelfInterval: 500,
      }),
      pubsub: gossipsub({
        allowedTopics: topics,
        allowPublishToZeroTopicPeers: true,
        emitSelf: false,
        ...meshDegrees(config.gossipMeshDegree),
        // Every gossiped message authenticates itself where it must (signed votes, proposals,
        // heartbeats and results; proofs for transactions), so gossipsub's per-message Ed25519
        // signature was pure cost (about a sixth of a loaded node's main thread).
        globalSignaturePolicy: StrictNoSign,
        msgIdFn: (msg: Message) => gossipMessageId(msg.data),
        maxInboundDataLength: maxGossip + GOSSIP_FRAME_OVERHEAD,
        scoreParams: {
          topics: Object.fromEntries(
            topics.map((t) => [
              t,
              createTopicScoreParams({
                topicWeight: 1,
                // A rejected message costs its sender count^2 (decaying); past -80 (graylist, about 9 bad
                // messages) all its RPCs are ignored, so a flood of garbage is cut off early.
                invalidMessageDeliveriesWeight: -1,
                invalidMessageDeliveriesDecay: 0.9,
                timeInMeshWeight: 0,
                firstMessageDeliveriesWeight: 0,
                meshMessageDeliveriesWeight: 0,
                meshFailurePenaltyWeight: 0,
              }),
            ]),
          ),
        },
      }),
    },
  };
}
