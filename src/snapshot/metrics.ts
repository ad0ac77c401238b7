import { Counter, Gauge, type Registry } from 'prom-client';

export interface SnapshotMetrics {
  /** Snapshot parts this node answered with data, by part (manifest, chunk). */
  readonly served: Counter<'part'>;
  readonly builds: Counter;
  /** Height of the snapshot this node joined by (0: it never did). */
  readonly joinedHeight: Gauge;
}

const byRegistry = new WeakMap<Registry, SnapshotMetrics>();

/** One set per registry: the server and the join share the node's registry. */
export function snapshotMetrics(registry: Registry): SnapshotMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const served = new Counter({
    name: 'paraloom_snapshot_parts_served_total',
    help: 'State snapshot parts served to joining peers, by part (manifest, chunk)',
    labelNames: ['part'] as const,
    registers,
  });
  for (const part of ['manifest', 'chunk']) served.inc({ part }, 0);
  const metrics: SnapshotMetrics = {
    served,
    builds: new Counter({
      name: 'paraloom_snapshot_builds_total',
      help: 'State snapshots this node built to serve',
      registers,
    }),
    joinedHeight: new Gauge({
      name: 'paraloom_snapshot_joined_height',
      help: 'Height of the state snapshot this node joined by at its last start (0: it replayed blocks)',
      registers,
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
