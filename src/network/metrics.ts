import { Counter, register as defaultRegistry, Gauge, Histogram, type Registry } from 'prom-client';

export interface NetworkMetrics {
  readonly received: Counter<'channel' | 'type'>;
  readonly rejected: Counter<'channel' | 'reason'>;
  readonly published: Counter<'channel'>;
  readonly requests: Counter<'protocol' | 'direction' | 'outcome'>;
  readonly peers: Gauge<'state'>;
  readonly pingSeconds: Histogram<never>;
  readonly reconnects: Counter<'outcome'>;
  readonly gossipLinkRepairs: Counter<never>;
  readonly errors: Counter<'code'>;
}

const byRegistry = new WeakMap<Registry, NetworkMetrics>();

/** One set of network metrics per registry (tests run several nodes in one process). */
export function networkMetrics(registry: Registry = defaultRegistry): NetworkMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const m: NetworkMetrics = {
    received: new Counter({
      name: 'paraloom_network_messages_received_total',
      help: 'Messages accepted, by channel (gossip purpose or protocol) and message type',
      labelNames: ['channel', 'type'],
      registers,
    }),
    rejected: new Counter({
      name: 'paraloom_network_messages_rejected_total',
      help: 'Messages dropped as oversized, truncated, malformed, of an unknown version/type or invalid',
      labelNames: ['channel', 'reason'],
      registers,
    }),
    published: new Counter({
      name: 'paraloom_network_messages_published_total',
      help: 'Gossip messages published by this node',
      labelNames: ['channel'],
      registers,
    }),
    requests: new Counter({
      name: 'paraloom_network_requests_total',
      help: 'Request-response exchanges by protocol, direction (inbound/outbound) and outcome',
      labelNames: ['protocol', 'direction', 'outcome'],
      registers,
    }),
    peers: new Gauge({
      name: 'paraloom_network_peers',
      help: 'Known peers by state (connected, slow, offline)',
      labelNames: ['state'],
      registers,
    }),
    pingSeconds: new Histogram({
      name: 'paraloom_network_ping_seconds',
      help: 'Ping round-trip time to peers',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    reconnects: new Counter({
      name: 'paraloom_network_reconnects_total',
      help: 'Reconnection attempts to lost peers by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    gossipLinkRepairs: new Counter({
      name: 'paraloom_network_gossip_link_repairs_total',
      help: 'Connections to a peer closed (and redialled) because gossipsub had lost its stream to it while the connection stayed up',
      registers,
    }),
    errors: new Counter({
      name: 'paraloom_network_errors_total',
      help: 'Network errors by NetworkError code (dials, handlers, streams)',
      labelNames: ['code'],
      registers,
    }),
  };
  byRegistry.set(registry, m);
  return m;
}
