import type { Address } from '@solana/kit';
import { type BridgeRpc, DepositListener, type ListenerCursor } from '../bridge/index.js';
import type { Lifecycle, Logger } from '../common/index.js';
import type { PendingDeposit } from './deposits.js';
import type { LedgerTip } from './state.js';

export interface DepositFeedOptions {
  readonly rpc: BridgeRpc;
  readonly programId: Address;
  /** The ledger's tip when the feed starts: where its deposit queue resumes. */
  readonly tip: LedgerTip;
  /** Hands finalized deposits to the ledger, in queue order (LedgerApp.addDeposits). */
  readonly addDeposits: (deposits: readonly PendingDeposit[]) => unknown;
  readonly pollMs?: number;
  readonly logger: Logger;
}

/**
 * Feeds the ledger the program's finalized deposits in queue order. The listener's cursor is kept
 * in memory, starting at what the last stored block consumed: the ledger holds delivered but
 * unconsumed deposits only in memory, so after a restart they must be delivered again (the
 * ledger's queue skips what blocks already consumed).
 */
export class DepositFeed implements Lifecycle {
  private listener: DepositListener | undefined;

  constructor(private readonly o: DepositFeedOptions) {}

  async start(): Promise<void> {
    if (this.listener) return;
    const { tip } = this.o;
    let cursor: ListenerCursor = {
      consumed: tip.depositsConsumed,
      accumulator: tip.depositAccumulator,
      slot: 0n,
    };
    const listener = new DepositListener({
      rpc: this.o.rpc,
      programId: this.o.programId,
      cursor: {
        get: () => cursor,
        set: async (c) => {
          cursor = c;
        },
      },
      onDeposits: async (deposits) => {
        this.o.addDeposits(deposits.map((d) => ({ ...d })));
      },
      pollMs: this.o.pollMs ?? 500,
      logger: this.o.logger,
    });
    await listener.start();
    this.listener = listener;
  }

  async stop(): Promise<void> {
    await this.listener?.stop();
    this.listener = undefined;
  }
}
