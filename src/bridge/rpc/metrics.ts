import { Counter, register as defaultRegistry, Gauge, Histogram, type Registry } from 'prom-client';

export interface BridgeMetrics {
  readonly rpcRequests: Counter<'method'>;
  readonly rpcFailures: Counter<'method' | 'reason'>;
  readonly rpcRetries: Counter<'method'>;
  readonly rpcSeconds: Histogram<'method'>;
  readonly depositsEmitted: Counter<never>;
  readonly depositCursor: Gauge<never>;
  readonly depositPollFailures: Counter<'code'>;
  readonly submissions: Counter<'kind' | 'outcome'>;
  readonly submitAttempts: Counter<'kind'>;
}

const byRegistry = new WeakMap<Registry, BridgeMetrics>();

/** One set of bridge metrics per registry (tests give each node its own; a node uses the global one). */
export function bridgeMetrics(registry: Registry = defaultRegistry): BridgeMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: BridgeMetrics = {
    rpcRequests: new Counter({
      name: 'paraloom_bridge_rpc_requests_total',
      help: 'Solana RPC calls made by the bridge, by method',
      labelNames: ['method'],
      registers,
    }),
    rpcFailures: new Counter({
      name: 'paraloom_bridge_rpc_failures_total',
      help: 'Failed Solana RPC calls, by method and reason (timeout, unavailable, rpc_error, program_error)',
      labelNames: ['method', 'reason'],
      registers,
    }),
    rpcRetries: new Counter({
      name: 'paraloom_bridge_rpc_retries_total',
      help: 'Solana RPC calls sent again because the connection closed under them (a kept-alive socket the server had closed)',
      labelNames: ['method'],
      registers,
    }),
    rpcSeconds: new Histogram({
      name: 'paraloom_bridge_rpc_seconds',
      help: 'Solana RPC call latency, by method',
      labelNames: ['method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    depositsEmitted: new Counter({
      name: 'paraloom_bridge_deposits_total',
      help: 'Finalized deposits delivered to the L2, each exactly once per cursor',
      registers,
    }),
    depositCursor: new Gauge({
      name: 'paraloom_bridge_deposit_cursor',
      help: 'Deposits delivered so far (index of the next deposit expected from the queue)',
      registers,
    }),
    depositPollFailures: new Counter({
      name: 'paraloom_bridge_deposit_poll_failures_total',
      help: 'Deposit listener passes that stopped early (cursor left where it was), by BridgeError code',
      labelNames: ['code'],
      registers,
    }),
    submissions: new Counter({
      name: 'paraloom_bridge_submissions_total',
      help: 'Anchor and withdraw submissions by outcome (confirmed, already_anchored, superseded, already_spent, expired, withheld, failed)',
      labelNames: ['kind', 'outcome'],
      registers,
    }),
    submitAttempts: new Counter({
      name: 'paraloom_bridge_submit_attempts_total',
      help: 'Transactions sent (each retry with a fresh blockhash counts once)',
      labelNames: ['kind'],
      registers,
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
