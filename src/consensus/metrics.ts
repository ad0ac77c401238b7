/**
 * Consensus metrics on the process registry. Round outcomes use the node metric the health module
 * already defines (`paraloom_consensus_rounds_total{outcome}`), so it is counted in one place.
 */
import type { Counter, Gauge, Registry } from 'prom-client';
import { Counter as PromCounter, Gauge as PromGauge } from 'prom-client';
import { nodeMetrics } from '../health/index.js';

export interface ConsensusMetrics {
  readonly rounds: Counter<'outcome'>;
  readonly height: Gauge<never>;
  readonly round: Gauge<never>;
  readonly validators: Gauge<never>;
  readonly decided: Counter<never>;
  readonly evidence: Counter<'source'>;
  readonly ignored: Counter<'reason'>;
  readonly reputation: Gauge<'validator'>;
}

const byRegistry = new WeakMap<Registry, ConsensusMetrics>();

export function consensusMetrics(registry: Registry): ConsensusMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const m: ConsensusMetrics = {
    rounds: nodeMetrics(registry).consensusRounds,
    height: new PromGauge({
      name: 'paraloom_consensus_height',
      help: 'Height consensus is deciding now',
      registers,
    }),
    validators: new PromGauge({
      name: 'paraloom_consensus_validators',
      help: 'Members of the validator set deciding the current height',
      registers,
    }),
    round: new PromGauge({
      name: 'paraloom_consensus_round',
      help: 'Round of the current height',
      registers,
    }),
    decided: new PromCounter({
      name: 'paraloom_consensus_decided_total',
      help: 'Heights decided (finalized) here',
      registers,
    }),
    evidence: new PromCounter({
      name: 'paraloom_consensus_evidence_total',
      help: 'New equivocation evidence recorded, by source (detected here or received by gossip)',
      labelNames: ['source'],
      registers,
    }),
    ignored: new PromCounter({
      name: 'paraloom_consensus_ignored_total',
      help: 'Consensus messages ignored, by reason (non_member, bad_signature, stale_height, ...)',
      labelNames: ['reason'],
      registers,
    }),
    reputation: new PromGauge({
      name: 'paraloom_consensus_reputation',
      help: 'Reputation score per validator (hex key)',
      labelNames: ['validator'],
      registers,
    }),
  };
  byRegistry.set(registry, m);
  return m;
}
