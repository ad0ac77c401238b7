import type { BatchVerifierPool } from '../privacy/index.js';
import type { LedgerMetrics } from './metrics.js';
import type { DecodedTransaction } from './transaction.js';
import { verifyTransactions } from './verify.js';

export type VerifyOutcome = 'ok' | 'BAD_PROOF' | 'VERIFIER_FAILED';

interface Waiting {
  readonly tx: DecodedTransaction;
  readonly resolve: (outcome: VerifyOutcome) => void;
}

/**
 * Collects arriving transactions into batches for the worker pool. One batch is in flight at a
 * time: whatever arrives meanwhile forms the next batch, so batches grow with load (one final
 * exponentiation per batch) and stay small, with low latency, when traffic is light.
 */
export class VerifyBatcher {
  private waiting: Waiting[] = [];
  private running = false;
  private timer: NodeJS.Timeout | NodeJS.Immediate | undefined;

  constructor(
    private readonly pool: BatchVerifierPool,
    private readonly metrics: LedgerMetrics,
    private readonly maxBatch: number,
    private readonly lingerMs: number,
  ) {}

  get queued(): number {
    return this.waiting.length;
  }

  verify(tx: DecodedTransaction): Promise<VerifyOutcome> {
    return new Promise((resolve) => {
      this.waiting.push({ tx, resolve });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.running || this.timer) return;
    if (this.waiting.length >= this.maxBatch) {
      void this.flush();
      return;
    }
    const go = () => {
      this.timer = undefined;
      void this.flush();
    };
    // Without a linger a lone proof starts at once; what arrived in the same turn of the event loop
    // (one batch request, one gossip burst) still shares its batch, and whatever arrives while a
    // batch runs forms the next one, so batches grow only under load.
    this.timer = this.lingerMs > 0 ? setTimeout(go, this.lingerMs) : setImmediate(go);
  }

  private async flush(): Promise<void> {
    if (this.running || this.waiting.length === 0) return;
    this.running = true;
    const batch = this.waiting.splice(0, this.maxBatch);
    try {
      const invalid = new Set(
        await verifyTransactions(
          this.pool,
          batch.map((w) => w.tx),
          this.metrics,
          'mempool',
        ),
      );
      batch.forEach((w, i) => {
        w.resolve(invalid.has(i) ? 'BAD_PROOF' : 'ok');
      });
    } catch {
      // A dead worker or a stopped pool: nobody is admitted on a verification we did not finish.
      for (const w of batch) w.resolve('VERIFIER_FAILED');
    } finally {
      this.running = false;
      if (this.waiting.length) this.schedule();
    }
  }

  async stop(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
    }
    this.timer = undefined;
    for (const w of this.waiting.splice(0)) w.resolve('VERIFIER_FAILED');
  }
}
