import type { Address } from '@solana/kit';
import {
  approvalsPaidBy,
  type BridgeRpc,
  closeApprovalInstruction,
  deriveProgramAddresses,
  type TransactionSender,
} from '../bridge/index.js';
import { createLogger, type Lifecycle, type Logger } from '../common/index.js';
import type { CoordinatorMetrics } from './metrics.js';

export interface ApprovalCloserOptions {
  readonly rpc: BridgeRpc;
  /** Its fee payer is the anchor submitter whose approvals are closed (the rent comes back to it). */
  readonly sender: TransactionSender;
  readonly programId: Address;
  readonly metrics: CoordinatorMetrics;
  /** Between sweeps (default 60 s): an approval lives at least a withdrawal's validity, minutes or more. */
  readonly sweepMs?: number;
  /** Closes per sweep (default 8), so a backlog after a long outage drains without a burst. */
  readonly maxPerSweep?: number;
  readonly logger?: Logger;
}

/**
 * Takes back the rent of the Approval accounts this node paid for as anchor submitter, once every
 * withdrawal they approve has expired (the program then refuses those withdrawals anyway). It reads
 * its approvals from the chain each sweep, so a restart or a former coordinator loses nothing; and
 * close_approval is permissionless, so whoever closes first wins and the rent still goes to us.
 */
export class ApprovalCloser implements Lifecycle {
  private readonly log: Logger;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(private readonly o: ApprovalCloserOptions) {
    this.log = o.logger ?? createLogger('coordinator.approvals');
  }

  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.sweep()
        .then(() => undefined)
        .catch((err: unknown) => this.log.warn({ err }, 'approval close sweep failed'))
        .finally(() => {
          this.running = undefined;
        });
    }, this.o.sweepMs ?? 60_000);
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One pass; returns the heights it closed. */
  async sweep(): Promise<bigint[]> {
    const payer = this.o.sender.feePayer.address;
    const p = await deriveProgramAddresses(this.o.programId);
    const slot = await this.o.rpc.slot('confirmed');
    const expired = (await approvalsPaidBy(this.o.rpc, this.o.programId, payer))
      .map((a) => a.approval)
      .filter((a) => slot > a.maxExpirationSlot)
      .sort((a, b) => (a.height < b.height ? -1 : 1))
      .slice(0, this.o.maxPerSweep ?? 8);
    const closed: bigint[] = [];
    for (const a of expired) {
      try {
        const sent = await this.o.sender.send(
          [await closeApprovalInstruction(p, a.height, payer)],
          'close_approval',
        );
        closed.push(a.height);
        this.o.metrics.approvalsClosed.inc({ outcome: 'closed' });
        this.log.info(
          { height: `${a.height}`, maxExpirationSlot: `${a.maxExpirationSlot}`, signature: sent.signature },
          'expired approval closed; rent returned',
        );
      } catch (err) {
        this.o.metrics.approvalsClosed.inc({ outcome: 'failed' });
        this.log.warn({ err, height: `${a.height}` }, 'closing an expired approval failed');
      }
    }
    return closed;
  }
}
