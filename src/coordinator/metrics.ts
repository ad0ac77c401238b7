import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface CoordinatorMetrics {
  readonly anchors: Counter<'outcome'>;
  readonly anchoredHeight: Gauge;
  readonly anchorLag: Gauge;
  readonly anchorSeconds: Histogram;
  readonly anchorSignatures: Counter<'outcome'>;
  readonly relayed: Counter<'outcome'>;
  readonly approvalsClosed: Counter<'outcome'>;
  readonly rangesStore: Counter<'outcome'>;
  readonly slashes: Counter<'outcome'>;
  readonly heartbeats: Counter<'outcome'>;
  readonly term: Gauge;
  readonly heartbeatAge: Gauge;
  readonly failovers: Counter;
}

const cache = new WeakMap<Registry, CoordinatorMetrics>();

/** The coordinator duties' metrics (one set per registry). */
export function coordinatorMetrics(registry: Registry): CoordinatorMetrics {
  const known = cache.get(registry);
  if (known) return known;
  const registers = [registry];
  const m: CoordinatorMetrics = {
    anchors: new Counter({
      name: 'paraloom_coordinator_anchors_total',
      help: 'Anchor rounds by outcome (anchored, already_anchored, superseded, withheld, no_quorum, failed)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    anchoredHeight: new Gauge({
      name: 'paraloom_coordinator_anchored_height',
      help: 'Last L2 height anchored on Solana, as this node last read it',
      registers,
    }),
    anchorLag: new Gauge({
      name: 'paraloom_coordinator_anchor_lag_blocks',
      help: 'Final L2 blocks not yet anchored on Solana',
      registers,
    }),
    anchorSeconds: new Histogram({
      name: 'paraloom_coordinator_anchor_seconds',
      help: 'One anchor round: signature collection and confirmed submission',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
      registers,
    }),
    anchorSignatures: new Counter({
      name: 'paraloom_coordinator_anchor_signatures_total',
      help: 'Anchor signatures asked of validators, by outcome (valid, invalid, error)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    relayed: new Counter({
      name: 'paraloom_coordinator_relayed_withdrawals_total',
      help: 'Withdrawals this node relayed on chain, by outcome (withdrawn, already_spent, expired, withheld, failed)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    approvalsClosed: new Counter({
      name: 'paraloom_coordinator_approvals_closed_total',
      help: 'Expired Approval accounts this node paid for and closed (rent back), by outcome (closed, failed)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    rangesStore: new Counter({
      name: 'paraloom_coordinator_anchored_ranges_store_total',
      help: 'Anchored ranges remembered across restarts, by outcome (restored, persisted, unreadable, persist_failed)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    slashes: new Counter({
      name: 'paraloom_coordinator_slash_submissions_total',
      help: 'Equivocation evidence submitted to the slash instruction, by outcome (slashed, already_slashed, failed)',
      labelNames: ['outcome'] as const,
      registers,
    }),
    heartbeats: new Counter({
      name: 'paraloom_coordinator_heartbeats_received_total',
      help: 'Lease requests (the primary heartbeat) received, by verdict: granted, replay, stale_term, term_taken, lease_held, foreign, bad_signature',
      labelNames: ['outcome'] as const,
      registers,
    }),
    term: new Gauge({
      name: 'paraloom_coordinator_term',
      help: 'Highest coordinator term this node knows',
      registers,
    }),
    heartbeatAge: new Gauge({
      name: 'paraloom_coordinator_heartbeat_age_seconds',
      help: 'Seconds since the last valid primary heartbeat (0 on the primary)',
      registers,
    }),
    failovers: new Counter({
      name: 'paraloom_coordinator_failovers_total',
      help: 'Times this node became primary',
      registers,
    }),
  };
  cache.set(registry, m);
  return m;
}
