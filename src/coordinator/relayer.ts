import type { ChainView, WithdrawSubmitter } from '../bridge/index.js';
import { createLogger, type Lifecycle, type Logger } from '../common/index.js';
import { type AnchoredRange, type AnchoredRanges, withdrawArgsFor } from './approvals.js';
import type { CoordinatorMetrics } from './metrics.js';

export interface RelayerOptions {
  /** The node's chain view: the anchored ring each sweep settles from. */
  readonly chain: Pick<ChainView, 'state' | 'slot'>;
  readonly submitter: WithdrawSubmitter;
  readonly ranges: AnchoredRanges;
  /**
   * Relayer addresses this node settles for: its own and, as the cohort's coordinator, every active
   * validator's (a withdrawal naming a former primary is still paid after a failover).
   */
  readonly relayers: () => ReadonlySet<string>;
  /** Whether this node may act now (the election's lease); default always. */
  readonly active?: () => boolean;
  /** Smallest fee (lamports) this relayer settles for. */
  readonly minFee: bigint;
  readonly metrics: CoordinatorMetrics;
  readonly sweepMs?: number;
  readonly logger?: Logger;
  readonly onSettled?: (txId: string, signature: string) => void;
}

/** Attempts per withdrawal before the relayer leaves it to a later restart (or the user). */
const MAX_ATTEMPTS = 5;

/**
 * Settles on Solana the approved withdrawals that name this node as relayer, paying the
 * transaction fee and the nullifier PDAs' rent and receiving the fee the user bound in the proof.
 * Stateless by design: each sweep rebuilds the work from the chain's anchored ring (as the chain
 * view last read it; the component kicks a sweep when it changes) and the final blocks, and WithdrawSubmitter checks the nullifier PDAs before sending, so a restart (or another
 * relayer) never pays a withdrawal twice.
 */
export class Relayer implements Lifecycle {
  private readonly log: Logger;
  private readonly done = new Set<string>();
  private readonly attempts = new Map<string, number>();
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(private readonly o: RelayerOptions) {
    this.log = o.logger ?? createLogger('coordinator.relayer');
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.o.sweepMs ?? 2_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** Runs a sweep now (or right after the one in progress). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.sweep()
      .catch((err: unknown) => this.log.warn({ err }, 'relay sweep failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  private async sweep(): Promise<void> {
    if (this.o.active && !this.o.active()) return;
    const state = this.o.chain.state;
    if (!state) return;
    for (const range of await this.o.ranges.of(state, this.o.chain.slot)) {
      for (let i = 0; i < range.withdrawals.length && !this.stopped; i++) await this.settle(range, i);
    }
  }

  private async settle(range: AnchoredRange, position: number): Promise<void> {
    const w = range.withdrawals[position]!;
    const key = w.tx.idHex;
    if (this.done.has(key)) return;
    const args = withdrawArgsFor(range, position);
    if (!this.o.relayers().has(args.relayer)) {
      this.done.add(key);
      return;
    }
    if (this.o.active && !this.o.active()) return;
    if (args.fee < this.o.minFee) {
      this.done.add(key);
      this.o.metrics.relayed.inc({ outcome: 'fee_too_low' });
      this.log.warn(
        { tx: key, fee: `${args.fee}`, minFee: `${this.o.minFee}` },
        'withdrawal fee below minimum; not relayed',
      );
      return;
    }
    try {
      const outcome = await this.o.submitter.submit(args, { mayProceed: this.o.active });
      // Withheld: the lease was lost before sending; whoever holds it now settles this withdrawal.
      if (outcome.status !== 'withheld') this.done.add(key);
      this.o.metrics.relayed.inc({ outcome: outcome.status.replace('-', '_') });
      if (outcome.status === 'withdrawn') {
        this.o.onSettled?.(key, outcome.signature);
        this.log.info(
          {
            tx: key,
            height: `${w.height}`,
            approvalHeight: `${range.entry.height}`,
            signature: outcome.signature,
            slot: `${outcome.slot}`,
          },
          'withdrawal relayed',
        );
      } else this.log.info({ tx: key, status: outcome.status }, 'withdrawal not relayed');
    } catch (err) {
      const n = (this.attempts.get(key) ?? 0) + 1;
      this.attempts.set(key, n);
      this.o.metrics.relayed.inc({ outcome: 'failed' });
      this.log.warn({ err, tx: key, attempt: n }, 'withdrawal relay failed');
      if (n >= MAX_ATTEMPTS) this.done.add(key);
    }
  }
}
