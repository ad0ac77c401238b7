import { type BatchVerifierPool, transactPublicInputs, type WireVerificationItem } from '../privacy/index.js';
import type { LedgerMetrics } from './metrics.js';
import type { DecodedTransaction } from './transaction.js';

/** Verification input for one transaction: public inputs always derived from its statement. */
export function verificationItem(d: DecodedTransaction): WireVerificationItem {
  return { wire: d.tx.proof, publicInputs: transactPublicInputs(d.tx.statement) };
}

/**
 * Verifies `txs` as one batch on the worker pool and returns the indexes of the ones that failed
 * (undecodable points or a failing pairing check), ascending.
 */
export async function verifyTransactions(
  pool: BatchVerifierPool,
  txs: readonly DecodedTransaction[],
  metrics: LedgerMetrics,
  stage: 'mempool' | 'block',
): Promise<readonly number[]> {
  if (txs.length === 0) return [];
  const stop = metrics.verifySeconds.startTimer({ stage });
  try {
    const result = await pool.verifyBatch(txs.map(verificationItem));
    return result.invalid;
  } finally {
    stop();
    metrics.verifyBatchSize.observe(txs.length);
  }
}
