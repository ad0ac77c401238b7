import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { REJECT_REASONS } from './rejections.js';

export interface LedgerMetrics {
  readonly mempoolSize: Gauge;
  readonly rejections: Counter<'reason'>;
  readonly admitted: Counter;
  readonly verifySeconds: Histogram<'stage'>;
  readonly verifyBatchSize: Histogram;
  readonly proposalsRefused: Counter<'reason'>;
  readonly blocksCommitted: Counter;
  readonly height: Gauge;
  readonly refunds: Counter;
  readonly spendRoots: Gauge;
  readonly inclusionWait: Histogram;
}

/** The ledger's metrics, registered in the node's one registry (or a test's own). */
export function ledgerMetrics(registry: Registry): LedgerMetrics {
  const registers = [registry];
  const rejections = new Counter({
    name: 'paraloom_ledger_mempool_rejections_total',
    help: 'Transactions refused by the mempool, by reason',
    labelNames: ['reason'] as const,
    registers,
  });
  // Zero series for every reason, so dashboards and rate() see them before the first rejection.
  for (const reason of REJECT_REASONS) rejections.inc({ reason }, 0);
  return {
    mempoolSize: new Gauge({
      name: 'paraloom_ledger_mempool_size',
      help: 'Verified transactions waiting in the mempool',
      registers,
    }),
    rejections,
    admitted: new Counter({
      name: 'paraloom_ledger_mempool_admitted_total',
      help: 'Transactions admitted to the mempool after their proof verified',
      registers,
    }),
    verifySeconds: new Histogram({
      name: 'paraloom_ledger_verify_seconds',
      help: 'Latency of one batch proof verification (mempool admission or proposal re-execution)',
      labelNames: ['stage'] as const,
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    }),
    verifyBatchSize: new Histogram({
      name: 'paraloom_ledger_verify_batch_size',
      help: 'Proofs per verification batch',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
      registers,
    }),
    proposalsRefused: new Counter({
      name: 'paraloom_ledger_proposals_refused_total',
      help: 'Proposals refused by validateProposal, by reason',
      labelNames: ['reason'] as const,
      registers,
    }),
    blocksCommitted: new Counter({
      name: 'paraloom_ledger_blocks_committed_total',
      help: 'Blocks applied to the ledger',
      registers,
    }),
    height: new Gauge({
      name: 'paraloom_ledger_height',
      help: 'Height of the last applied block',
      registers,
    }),
    refunds: new Counter({
      name: 'paraloom_ledger_refunds_total',
      help: 'Withdrawals refunded (expired unsettled) by applied blocks',
      registers,
    }),
    spendRoots: new Gauge({
      name: 'paraloom_ledger_spend_roots',
      help: 'Roots in the spend-root window index (ledger.spend_root_window_ms)',
      registers,
    }),
    inclusionWait: new Histogram({
      name: 'paraloom_ledger_inclusion_wait_seconds',
      help: 'From admission to this mempool until this node, as leader, put the transaction in a proposal',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
  };
}
