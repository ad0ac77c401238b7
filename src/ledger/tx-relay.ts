import type { Lifecycle, Logger } from '../common/index.js';
import type { NetworkNode } from '../network/index.js';
import type { AdmitResult, TxOrigin } from './mempool.js';
import { TxGossip } from './tx-gossip.js';

export interface TxRelayOptions {
  readonly network: Pick<NetworkNode, 'publish' | 'onGossip'>;
  /** Offers a gossiped transaction to this node's mempool. */
  readonly submit: (tx: Uint8Array, origin: TxOrigin) => Promise<AdmitResult>;
  readonly logger: Logger;
}

/**
 * Transactions between validators over the 'tx' gossip topic: what peers publish goes to the
 * mempool, and what this node's mempool admits from its own ingress is published (batched by
 * TxGossip). A gossiped copy is not published again: its publisher already sent it to every
 * connected validator, and gossipsub's IHAVE reaches the others.
 */
export class TxRelay implements Lifecycle {
  private readonly gossip: TxGossip;
  private unsubscribe: (() => void) | undefined;

  constructor(private readonly o: TxRelayOptions) {
    this.gossip = new TxGossip(o.network, o.logger);
  }

  /** The mempool's onAdmitted hook. */
  admitted(tx: Uint8Array, origin: TxOrigin): void {
    if (origin !== 'gossip') this.gossip.add(tx);
  }

  async start(): Promise<void> {
    if (this.unsubscribe) return;
    this.unsubscribe = this.o.network.onGossip('tx', (msg) => {
      const txs = msg.type === 'TX' ? [msg.tx] : msg.type === 'TXS' ? msg.txs : [];
      for (const tx of txs) {
        this.o
          .submit(tx, 'gossip')
          .catch((err: unknown) => this.o.logger.warn({ err }, 'gossiped transaction failed admission'));
      }
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.gossip.clear();
  }
}
