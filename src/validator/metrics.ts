import { Counter, register as defaultRegistry, Gauge, type Registry } from 'prom-client';

export const HEARTBEAT_OUTCOMES = [
  'accepted',
  'unregistered',
  'bad_signature',
  'peer_mismatch',
  'stale',
] as const;
export type HeartbeatOutcome = (typeof HEARTBEAT_OUTCOMES)[number];

export interface ValidatorMetrics {
  readonly registered: Gauge<never>;
  readonly activeValidators: Gauge<never>;
  readonly heartbeatsSent: Counter<never>;
  readonly heartbeatsReceived: Counter<'outcome'>;
  readonly heartbeatAge: Gauge<'validator'>;
  /** Set by the heartbeat service: validator address -> ms since its last accepted heartbeat. */
  ages: (() => ReadonlyMap<string, number>) | undefined;
}

const byRegistry = new WeakMap<Registry, ValidatorMetrics>();

/** One set of validator metrics per registry (tests run several nodes in one process). */
export function validatorMetrics(registry: Registry = defaultRegistry): ValidatorMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const m: ValidatorMetrics = {
    registered: new Gauge({
      name: 'paraloom_validator_registered',
      help: '1 while this node key has an active, bonded ValidatorAccount on chain, else 0',
      registers,
    }),
    activeValidators: new Gauge({
      name: 'paraloom_validator_active_validators',
      help: 'Validators in the on-chain active set at the last registry read',
      registers,
    }),
    heartbeatsSent: new Counter({
      name: 'paraloom_validator_heartbeats_sent_total',
      help: 'Signed heartbeats this node published',
      registers,
    }),
    heartbeatsReceived: new Counter({
      name: 'paraloom_validator_heartbeats_received_total',
      help: 'Heartbeats received, by outcome: accepted, unregistered, bad_signature, peer_mismatch, stale',
      labelNames: ['outcome'],
      registers,
    }),
    heartbeatAge: new Gauge({
      name: 'paraloom_validator_heartbeat_age_seconds',
      help: 'Seconds since the last accepted heartbeat of each registered validator heard at least once',
      labelNames: ['validator'],
      registers,
      collect() {
        this.reset();
        for (const [validator, ms] of m.ages?.() ?? []) this.set({ validator }, ms / 1000);
      },
    }),
    ages: undefined,
  };
  // Zero-valued series from the first scrape, so a rate() over them is defined.
  for (const outcome of HEARTBEAT_OUTCOMES) m.heartbeatsReceived.inc({ outcome }, 0);
  byRegistry.set(registry, m);
  return m;
}
