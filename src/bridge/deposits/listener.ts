import type { Address, Signature } from '@solana/kit';
import { createLogger, type Lifecycle, type Logger } from '../../common/index.js';
import { FIELD_ZERO, type Field, hash2 } from '../../privacy/index.js';
import { BridgeError } from '../errors.js';
import type { DepositEventData } from '../events.js';
import type { BridgeRpc } from '../rpc/client.js';
import { checkProgramVersion } from '../version.js';
import { depositsOfTransaction, finalizedSignatures } from './scan.js';

/** Same shape as src/storage's DepositCursor, which is what a node passes as `cursor`. */
export interface ListenerCursor {
  readonly consumed: bigint;
  readonly accumulator: Field;
  readonly slot: bigint;
}

/** A durable cursor store (src/storage's DepositCursorStore satisfies it). */
export interface DepositCursorPort {
  get(): ListenerCursor | undefined;
  set(cursor: ListenerCursor): Promise<void>;
}

export interface Deposit extends DepositEventData {
  readonly signature: Signature;
  readonly slot: bigint;
}

export interface DepositListenerOptions {
  readonly rpc: BridgeRpc;
  readonly programId: Address;
  readonly cursor: DepositCursorPort;
  /**
   * Receives each finalized transaction's new deposits, in queue order. The cursor is written after
   * it resolves (unless the handler already moved it, e.g. in the same batch as an L2 block), so a
   * handler that throws gets the same deposits again.
   */
  readonly onDeposits: (deposits: readonly Deposit[]) => Promise<void>;
  readonly pollMs?: number;
  /** getSignaturesForAddress page size, 1..1000. */
  readonly pageSize?: number;
  readonly expectedVersion?: number;
  readonly logger?: Logger;
}

const INITIAL: ListenerCursor = { consumed: 0n, accumulator: FIELD_ZERO, slot: 0n };

/**
 * Reads the program's deposit queue at `finalized` and hands each deposit to the L2 exactly once, in
 * queue order. The cursor only moves past deposits that were fetched, decoded, chained (acc_i =
 * P2(acc_{i-1}, c_i)) and delivered; any failure ends the pass with the cursor where it was.
 */
export class DepositListener implements Lifecycle {
  private readonly log: Logger;
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private abort: AbortController | undefined;
  /** Newest signature of a fully processed pass: the next pass pages only down to it. */
  private until: Signature | undefined;

  constructor(private readonly o: DepositListenerOptions) {
    this.log = o.logger ?? createLogger('bridge.deposits');
    if (o.pageSize !== undefined && (o.pageSize < 1 || o.pageSize > 1000)) {
      throw new BridgeError('ARGUMENT_INVALID', 'pageSize must be in 1..1000', { pageSize: o.pageSize });
    }
  }

  /** Version handshake first (throws PROGRAM_VERSION_MISMATCH), then polls until stop(). */
  async start(): Promise<void> {
    if (this.running) return;
    await checkProgramVersion(this.o.rpc, this.o.programId, {
      ...(this.o.expectedVersion !== undefined ? { expected: this.o.expectedVersion } : {}),
    });
    this.running = true;
    this.abort = new AbortController();
    this.o.rpc.metrics.depositCursor.set(Number(this.cursor().consumed));
    this.watchLogs(this.abort.signal);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.abort?.abort();
    this.wake?.();
    await this.loop;
    this.loop = undefined;
  }

  /** One pass; returns the number of deposits delivered. Tests and `run` call it. */
  async pollOnce(): Promise<number> {
    const start = this.cursor();
    const refs = await finalizedSignatures(this.o.rpc, this.o.programId, {
      fromSlot: start.slot,
      pageSize: this.o.pageSize ?? 1000,
      ...(this.until ? { until: this.until } : {}),
    });
    let delivered = 0;
    for (const ref of refs) {
      const cur = this.cursor();
      const fresh: Deposit[] = [];
      let acc = cur.accumulator;
      let next = cur.consumed;
      for (const e of await depositsOfTransaction(this.o.rpc, this.o.programId, ref)) {
        if (e.index < next) continue; // already delivered before a restart
        if (e.index > next) {
          throw new BridgeError('DEPOSIT_GAP', `deposit ${e.index} seen while ${next} is the next expected`, {
            signature: ref.signature,
            expected: `${next}`,
            got: `${e.index}`,
          });
        }
        if (hash2(acc, e.commitment) !== e.accumulator) {
          throw new BridgeError('EVENT_DECODE_FAILED', 'deposit accumulator does not chain', {
            signature: ref.signature,
            index: `${e.index}`,
          });
        }
        acc = e.accumulator;
        next += 1n;
        fresh.push({ ...e, signature: ref.signature, slot: ref.slot });
      }
      if (fresh.length === 0) continue;
      await this.o.onDeposits(fresh);
      const after = { consumed: next, accumulator: acc, slot: ref.slot };
      if ((this.o.cursor.get()?.consumed ?? 0n) < after.consumed) await this.o.cursor.set(after);
      delivered += fresh.length;
      this.o.rpc.metrics.depositsEmitted.inc(fresh.length);
      this.o.rpc.metrics.depositCursor.set(Number(next));
      this.log.info(
        { from: `${fresh[0]!.index}`, count: fresh.length, slot: `${ref.slot}` },
        'deposits delivered',
      );
    }
    const newest = refs[refs.length - 1];
    if (newest) this.until = newest.signature;
    return delivered;
  }

  private cursor(): ListenerCursor {
    return this.o.cursor.get() ?? INITIAL;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.pollOnce();
      } catch (e) {
        const code = e instanceof BridgeError ? e.code : 'UNKNOWN';
        this.o.rpc.metrics.depositPollFailures.inc({ code });
        this.log.warn(
          { code, err: e instanceof Error ? e.message : String(e), cursor: `${this.cursor().consumed}` },
          'deposit pass stopped; cursor unchanged, will retry',
        );
      }
      if (!this.running) break;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, this.o.pollMs ?? 1000);
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** A finalized log mentioning the program wakes the loop early; polling alone is still correct. */
  private watchLogs(signal: AbortSignal): void {
    const subs = this.o.rpc.subscriptions;
    if (!subs) return;
    void (async () => {
      try {
        const stream = await subs
          .logsNotifications({ mentions: [this.o.programId] }, { commitment: 'finalized' })
          .subscribe({ abortSignal: signal });
        for await (const _ of stream) this.wake?.();
      } catch (e) {
        if (!signal.aborted)
          this.log.warn(
            { err: e instanceof Error ? e.message : String(e) },
            'logs subscription ended; polling only',
          );
      }
    })();
  }
}
