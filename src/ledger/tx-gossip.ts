import type { Logger } from '../common/index.js';
import { Caps, type NetworkMessage, type NetworkNode } from '../network/index.js';

/** Room left in a TXS message for its envelope and count (the rest is the transactions). */
const TXS_OVERHEAD = 2 + 2;

/**
 * Publishes what this node's ingress admitted, coalescing the transactions admitted in one turn of
 * the event loop (those one verification batch released) into one TXS message. Under load the
 * batches grow with the verifier's, so the per-message gossip cost (framing, encryption, message
 * ids, validation, dispatch at every peer) is paid once per batch; a lone transaction goes out as
 * TX at once, with no added delay.
 */
export class TxGossip {
  private queued: Uint8Array[] = [];
  private scheduled: NodeJS.Immediate | undefined;

  constructor(
    private readonly network: Pick<NetworkNode, 'publish'>,
    private readonly logger: Logger,
  ) {}

  add(tx: Uint8Array): void {
    this.queued.push(tx);
    this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Drops what is queued and not yet published (the relay is stopping). */
  clear(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    this.queued = [];
  }

  private flush(): void {
    this.scheduled = undefined;
    const txs = this.queued;
    this.queued = [];
    let chunk: Uint8Array[] = [];
    let bytes = TXS_OVERHEAD;
    for (const tx of txs) {
      const size = 4 + tx.length;
      if (chunk.length && (chunk.length === Caps.txBatch || bytes + size > Caps.txBatchBytes)) {
        this.publish(chunk);
        chunk = [];
        bytes = TXS_OVERHEAD;
      }
      chunk.push(tx);
      bytes += size;
    }
    if (chunk.length) this.publish(chunk);
  }

  private publish(txs: Uint8Array[]): void {
    const msg: NetworkMessage = txs.length === 1 ? { type: 'TX', tx: txs[0]! } : { type: 'TXS', txs };
    this.network.publish('tx', msg).catch((err: unknown) => {
      this.logger.warn({ err, transactions: txs.length }, 'could not gossip admitted transactions');
    });
  }
}
