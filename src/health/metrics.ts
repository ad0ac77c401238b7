/**
 * One prom-client registry per node process, created here and handed to every component (storage
 * and network take it as their `registry` option), so /metrics serves everything from one place
 * and tests can run several nodes in one process without name clashes.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export { Registry };

/** A fresh registry with the process metrics (CPU, memory, event loop lag, GC, handles). */
export function createMetricsRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}

export const CONSENSUS_OUTCOMES = ['committed', 'nil', 'timeout'] as const;
export type ConsensusOutcome = (typeof CONSENSUS_OUTCOMES)[number];
export const COORDINATOR_ROLES = ['primary', 'passive', 'none'] as const;
export type CoordinatorRole = (typeof COORDINATOR_ROLES)[number];

/**
 * Node-level metrics that belong to no single module's internals. Peer count and nullifier set size
 * are not repeated here: network (`paraloom_network_peers{state}`) and storage
 * (`paraloom_storage_nullifiers`) register them on the same registry.
 */
export interface NodeMetrics {
  /** Seconds to verify one Groth16 proof (a batch observes its time divided by its size, per proof). */
  readonly proofVerifySeconds: Histogram<never>;
  /** Consensus rounds by how they ended. */
  readonly consensusRounds: Counter<'outcome'>;
  /** 1 for this node's current coordinator role, 0 for the others. */
  readonly coordinatorRole: Gauge<'role'>;
}

const byRegistry = new WeakMap<Registry, NodeMetrics>();

export function nodeMetrics(registry: Registry): NodeMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const m: NodeMetrics = {
    proofVerifySeconds: new Histogram({
      name: 'paraloom_proof_verify_seconds',
      help: 'Time to verify one Groth16 proof (batches: batch time / batch size, per proof)',
      buckets: [0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.5],
      registers,
    }),
    consensusRounds: new Counter({
      name: 'paraloom_consensus_rounds_total',
      help: 'Consensus rounds by outcome: committed (block finalized), nil (nil precommit quorum), timeout',
      labelNames: ['outcome'],
      registers,
    }),
    coordinatorRole: new Gauge({
      name: 'paraloom_coordinator_role',
      help: 'Coordinator role of this node: 1 on the current role (primary, passive, none), 0 on the others',
      labelNames: ['role'],
      registers,
    }),
  };
  // Every series exists from the first scrape, so rate() and alerts see a 0 rather than no data.
  for (const outcome of CONSENSUS_OUTCOMES) m.consensusRounds.inc({ outcome }, 0);
  setCoordinatorRole(m, 'none');
  byRegistry.set(registry, m);
  return m;
}

export function setCoordinatorRole(m: NodeMetrics, role: CoordinatorRole): void {
  for (const r of COORDINATOR_ROLES) m.coordinatorRole.set({ role: r }, r === role ? 1 : 0);
}
