import { Counter, Gauge, type Registry } from 'prom-client';

export interface ComputeMetrics {
  readonly faults: Gauge<'executor'>;
  readonly admissions: Counter<'origin' | 'outcome'>;
  readonly executions: Counter<'outcome'>;
  readonly gossipErrors: Counter<'kind'>;
  readonly pooled: Gauge<'pool'>;
}

/** The compute service's metrics, registered once per registry. */
export function computeMetrics(registry: Registry): ComputeMetrics {
  const registers = [registry];
  return {
    faults: new Gauge({
      name: 'paraloom_compute_executor_faults',
      help: 'Agreed compute faults of an executor (disagreeing, equivocating or silent), from blocks',
      labelNames: ['executor'],
      registers,
    }),
    admissions: new Counter({
      name: 'paraloom_compute_admissions_total',
      help: 'Compute jobs offered to this node (ingress or gossip), by outcome',
      labelNames: ['origin', 'outcome'],
      registers,
    }),
    executions: new Counter({
      name: 'paraloom_compute_executions_total',
      help: 'Jobs this validator ran as an executor, by outcome',
      labelNames: ['outcome'],
      registers,
    }),
    gossipErrors: new Counter({
      name: 'paraloom_compute_gossip_errors_total',
      help: 'Compute messages that could not be published or were refused on receipt',
      labelNames: ['kind'],
      registers,
    }),
    pooled: new Gauge({
      name: 'paraloom_compute_pool_size',
      help: 'Compute jobs and results waiting for a block',
      labelNames: ['pool'],
      registers,
    }),
  };
}
