import { Counter, register as defaultRegistry, Gauge, Histogram, type Registry } from 'prom-client';

export interface StorageMetrics {
  readonly commits: Counter<'mode'>;
  readonly commitOps: Histogram<never>;
  readonly commitWriters: Histogram<never>;
  readonly commitSeconds: Histogram<never>;
  readonly errors: Counter<'code'>;
  readonly nullifiers: Gauge<never>;
}

const byRegistry = new WeakMap<Registry, StorageMetrics>();

/** One set of storage metrics per registry, so several databases can live in one process. */
export function storageMetrics(registry: Registry = defaultRegistry): StorageMetrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: StorageMetrics = {
    commits: new Counter({
      name: 'paraloom_storage_commits_total',
      help: 'RocksDB batches written, by mode (synced or unsynced)',
      labelNames: ['mode'],
      registers,
    }),
    commitOps: new Histogram({
      name: 'paraloom_storage_commit_ops',
      help: 'Key operations per written batch',
      buckets: [1, 4, 16, 64, 256, 1024, 4096, 16384],
      registers,
    }),
    commitWriters: new Histogram({
      name: 'paraloom_storage_commit_writers',
      help: 'Writers merged into one batch by group commit',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers,
    }),
    commitSeconds: new Histogram({
      name: 'paraloom_storage_commit_seconds',
      help: 'Time to write (and, when synced, fsync) one batch',
      buckets: [0.0001, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1, 0.5],
      registers,
    }),
    errors: new Counter({
      name: 'paraloom_storage_errors_total',
      help: 'Storage errors by StorageError code',
      labelNames: ['code'],
      registers,
    }),
    nullifiers: new Gauge({
      name: 'paraloom_storage_nullifiers',
      help: 'Nullifiers in the spent set',
      registers,
    }),
  };
  byRegistry.set(registry, metrics);
  return metrics;
}
