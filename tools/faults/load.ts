/**
 * The load a fault scenario runs under, as users would make it:
 * - transfers: pre-proven (bench/l2 fixtures: the first ones spend deterministic deposits, the rest
 *   are zero-value transfers that cost the cohort exactly as much), offered at a steady rate, each
 *   to the next validator in turn; a wallet whose validator does not answer tries the next, and one
 *   that holds a 202 but sees no output published after a while hands the transfer to another
 *   validator (what a wallet does when its validator crashed with the transfer in its mempool);
 * - deposits of fresh notes on Solana at a steady interval;
 * - withdrawals are not made here (see the closing note: each needs a proof against a live root).
 * Every submission is recorded: when, to whom, and what came back.
 */
import { randomBytes } from 'node:crypto';
import { address, type TransactionSigner } from '@solana/kit';
import type { L2Fixtures } from '../../bench/l2/fixtures.js';
import {
  BridgeRpc,
  decodeBridgeState,
  depositInstruction,
  deriveProgramAddresses,
  PARALOOM_DEV_PROGRAM_ID,
  type ProgramAddresses,
  TransactionSender,
} from '../../src/bridge/index.js';
import { fundedSigner } from '../../src/bridge/testing/index.js';
import { bytesToHex, createLogger } from '../../src/common/index.js';
import { fieldMod, NATIVE_ASSET, type Note, noteCommitment } from '../../src/privacy/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface Submission {
  readonly index: number;
  /** ms since the load started. */
  readonly atMs: number;
  /** Validator indexes tried, in order. */
  readonly tried: number[];
  /** HTTP status of the last answer, or 0 when no validator answered. */
  status: number;
  /** The refusal's code (4xx), or the transport error. */
  code?: string;
  ackedAtMs?: number;
  /** First output commitment: the transfer is final once it is published. */
  readonly commitment: string;
  /** Resubmissions after a 202 whose output did not show up. */
  resubmitted: number;
}

export interface DepositRecord {
  readonly commitment: string;
  readonly amount: bigint;
  readonly atMs: number;
  confirmedAtMs?: number;
  error?: string;
}

/** Submits one encoded transaction; resolves with the status and the error code, if any. */
export async function submitTransaction(
  ingress: string,
  tx: Uint8Array,
): Promise<{ status: number; code?: string }> {
  try {
    const res = await fetch(`${ingress}/v1/transactions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ transaction: bytesToHex(tx) }),
      signal: AbortSignal.timeout(4_000),
    });
    const body = (await res.json().catch(() => ({}))) as { code?: string; error?: { code?: string } };
    const code = body.error?.code ?? body.code;
    return { status: res.status, ...(code ? { code } : {}) };
  } catch (e) {
    return { status: 0, code: (e as Error).name };
  }
}

export class Depositor {
  private constructor(
    private readonly sender: TransactionSender,
    private readonly payer: TransactionSigner,
    readonly bridge: BridgeRpc,
    readonly addresses: ProgramAddresses,
  ) {}

  static async open(rpcUrl: string): Promise<Depositor> {
    const payer = await fundedSigner(rpcUrl, 50_000_000_000);
    const logger = createLogger('faults', 'warn');
    const bridge = new BridgeRpc({ rpcUrl, logger });
    const sender = new TransactionSender(bridge, {
      feePayer: payer,
      commitment: 'confirmed',
      pollMs: 50,
      logger,
    });
    return new Depositor(
      sender,
      payer,
      bridge,
      await deriveProgramAddresses(address(PARALOOM_DEV_PROGRAM_ID)),
    );
  }

  async deposit(notes: readonly Note[]): Promise<void> {
    await this.sender.send(
      notes.map((n) =>
        depositInstruction(this.addresses, this.payer, {
          amount: n.amount,
          ownerPk: n.pkD,
          blinding: n.blinding,
          asset: n.asset,
        }),
      ),
      'deposit',
    );
  }

  /** The vault's lamports and the program's running totals, at `confirmed`. */
  async vault(): Promise<{ lamports: bigint; deposited: bigint; withdrawn: bigint }> {
    const lamports = await this.bridge.balance(this.addresses.vault);
    const state = decodeBridgeState(
      (await this.bridge.accountData(this.addresses.bridgeState, 'confirmed'))!.data,
    );
    return { lamports, deposited: state.totalDeposited, withdrawn: state.totalWithdrawn };
  }
}

/** A note nobody here can spend (random owner key): a deposit is only load. */
function randomNote(amount: bigint): Note {
  const f = () => fieldMod(BigInt(`0x${randomBytes(32).toString('hex')}`));
  return { amount, pkD: f(), blinding: f(), asset: NATIVE_ASSET };
}

export interface LoadOptions {
  readonly fixtures: L2Fixtures;
  /** Fixture transfers to skip (spent by an earlier phase). */
  readonly firstTransfer: number;
  readonly transfersPerSecond: number;
  readonly depositEveryMs: number;
  readonly durationMs: number;
  readonly ingress: (i: number) => string | undefined;
  readonly validators: number;
  readonly depositor: Depositor;
  readonly published: (commitment: string) => boolean;
  /** A 202 whose output is not published after this long is handed to another validator. */
  readonly resubmitAfterMs?: number;
}

export class Load {
  readonly submissions: Submission[] = [];
  readonly deposits: DepositRecord[] = [];
  private readonly t0 = Date.now();
  private stopped = false;
  private running: Promise<unknown> | undefined;

  constructor(private readonly o: LoadOptions) {}

  now(): number {
    return Date.now() - this.t0;
  }

  start(): void {
    this.running = Promise.all([this.transfers(), this.depositLoop(), this.resubmitLoop()]);
  }

  /** Stops offering new work (what is in flight finishes). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Submits to validators from `first` on, skipping those that do not answer. */
  private async submitFrom(s: Submission, tx: Uint8Array, first: number): Promise<void> {
    for (let k = 0; k < this.o.validators; k++) {
      const v = (first + k) % this.o.validators;
      const url = this.o.ingress(v);
      if (!url) continue;
      s.tried.push(v);
      const r = await submitTransaction(url, tx);
      s.status = r.status;
      if (r.code) s.code = r.code;
      else delete s.code;
      if (r.status === 202) s.ackedAtMs = s.ackedAtMs ?? this.now();
      if (r.status !== 0 && r.status < 500 && r.status !== 429) return;
    }
  }

  private async transfers(): Promise<void> {
    const { fixtures, transfersPerSecond: rate } = this.o;
    if (rate <= 0) return;
    const inFlight: Promise<void>[] = [];
    for (let i = this.o.firstTransfer; i < fixtures.transactions.length && !this.stopped; i++) {
      const due = ((i - this.o.firstTransfer) * 1000) / rate;
      if (due > this.o.durationMs) break;
      await sleep(Math.max(0, due - this.now()));
      const s: Submission = {
        index: i,
        atMs: this.now(),
        tried: [],
        status: 0,
        commitment: fixtures.outputs[i]![0].toString(),
        resubmitted: 0,
      };
      this.submissions.push(s);
      inFlight.push(this.submitFrom(s, fixtures.transactions[i]!, i % this.o.validators));
    }
    await Promise.all(inFlight);
  }

  private async depositLoop(): Promise<void> {
    if (this.o.depositEveryMs <= 0) return;
    for (let k = 0; !this.stopped && this.now() + this.o.depositEveryMs <= this.o.durationMs; k++) {
      await sleep(this.o.depositEveryMs);
      const note = randomNote(2_000_000n + BigInt(k));
      const d: DepositRecord = {
        commitment: noteCommitment(note).toString(),
        amount: note.amount,
        atMs: this.now(),
      };
      this.deposits.push(d);
      try {
        await this.o.depositor.deposit([note]);
        d.confirmedAtMs = this.now();
      } catch (e) {
        d.error = (e as Error).message;
      }
    }
  }

  /** Hands acknowledged transfers that never showed up to another validator, until stopped. */
  private async resubmitLoop(): Promise<void> {
    const after = this.o.resubmitAfterMs ?? 8_000;
    while (!this.stopped) {
      await sleep(1_000);
      await this.resubmitStale(after);
    }
  }

  /** One pass: every acknowledged transfer unpublished for `afterMs` goes to the next validator. */
  async resubmitStale(afterMs: number): Promise<void> {
    const now = this.now();
    for (const s of this.submissions) {
      if (s.status !== 202 || this.o.published(s.commitment)) continue;
      if (now - (s.ackedAtMs ?? now) < afterMs * (1 + s.resubmitted)) continue;
      s.resubmitted++;
      const last = s.tried.at(-1) ?? 0;
      const before: { status: number; code?: string | undefined } = { status: s.status, code: s.code };
      await this.submitFrom(s, this.o.fixtures.transactions[s.index]!, last + 1);
      // Already in another validator's mempool or block: the original 202 still stands.
      if (
        ['DUPLICATE', 'NULLIFIER_CONFLICT', 'NULLIFIER_SPENT'].includes(s.code ?? '') ||
        (s.status as number) === 0
      ) {
        s.status = before.status;
        if (before.code) s.code = before.code;
        else delete s.code;
      }
    }
  }
}
