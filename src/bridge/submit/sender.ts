import {
  appendTransactionMessageInstructions,
  type Commitment,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  type Instruction,
  pipe,
  type Signature,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type TransactionSigner,
} from '@solana/kit';
import { createLogger, type Logger } from '../../common/index.js';
import { BridgeError } from '../errors.js';
import { bridgeErrorFromTransactionError } from '../rpc/classify.js';
import type { BridgeRpc } from '../rpc/client.js';

export interface SenderOptions {
  /** Pays fees (and rent of created PDAs); the coordinator, so users need no SOL. */
  readonly feePayer: TransactionSigner;
  /** Level at which a submission counts as done (default confirmed). */
  readonly commitment?: Exclude<Commitment, 'processed'>;
  /** Attempts, each with a fresh blockhash (default 3). */
  readonly maxAttempts?: number;
  /** How long one attempt waits for its confirmation (default 20 s). */
  readonly confirmTimeoutMs?: number;
  readonly pollMs?: number;
  readonly logger?: Logger;
}

/** Per-submission options of {@link TransactionSender.send}. */
export interface SendOptions {
  /**
   * Asked right before each attempt goes out; when it answers false nothing more is sent and the
   * submission fails with SEND_WITHHELD. A coordinator passes its lease here: the process may have
   * been paused between deciding to act and sending, and must not act on a decision it no longer owns.
   */
  readonly mayProceed?: () => boolean;
}

export interface Sent {
  readonly signature: Signature;
  readonly slot: bigint;
  readonly attempts: number;
}

const RETRYABLE = new Set(['RPC_TIMEOUT', 'RPC_UNAVAILABLE', 'RPC_ERROR', 'CONFIRMATION_TIMEOUT']);
const rank = { processed: 0, confirmed: 1, finalized: 2 } as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Build, sign, send, confirm, with a deadline per attempt and a bounded number of attempts. A program
 * error is never retried (it will not change by resending); it is thrown as its BridgeError for the
 * caller to interpret. Before each new attempt the earlier signatures are checked, so a transaction
 * that landed late is reported instead of being sent twice.
 */
export class TransactionSender {
  private readonly log: Logger;

  constructor(
    private readonly rpc: BridgeRpc,
    readonly options: SenderOptions,
  ) {
    this.log = options.logger ?? createLogger('bridge.sender');
  }

  get feePayer(): TransactionSigner {
    return this.options.feePayer;
  }

  async send(instructions: readonly Instruction[], kind: string, opts: SendOptions = {}): Promise<Sent> {
    const maxAttempts = this.options.maxAttempts ?? 3;
    const sent: Signature[] = [];
    let last: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const landed = await this.findLanded(sent);
      if (landed) return { ...landed, attempts: attempt - 1 };
      try {
        const { value: lifetime } = await this.rpc.call('getLatestBlockhash', (r) =>
          r.getLatestBlockhash({ commitment: 'confirmed' }),
        );
        const tx = await signTransactionMessageWithSigners(
          pipe(
            createTransactionMessage({ version: 0 }),
            (m) => setTransactionMessageFeePayerSigner(this.options.feePayer, m),
            (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
            (m) => appendTransactionMessageInstructions(instructions, m),
          ),
        );
        const signature = getSignatureFromTransaction(tx);
        if (opts.mayProceed && !opts.mayProceed())
          throw new BridgeError('SEND_WITHHELD', `${kind}: withheld by the caller before sending`, {
            kind,
            attempt,
            earlierSignatures: sent,
          });
        sent.push(signature);
        this.rpc.metrics.submitAttempts.inc({ kind });
        await this.rpc.call(
          'sendTransaction',
          (r) =>
            r.sendTransaction(getBase64EncodedWireTransaction(tx), {
              encoding: 'base64',
              preflightCommitment: 'confirmed',
            }),
          { kind, signature, attempt },
        );
        const slot = await this.confirm(signature, lifetime.lastValidBlockHeight, kind);
        return { signature, slot, attempts: attempt };
      } catch (e) {
        if (!(e instanceof BridgeError) || !RETRYABLE.has(e.code)) throw e;
        last = e;
        this.log.warn({ kind, attempt, code: e.code, err: e.message }, 'submission attempt failed; retrying');
        await sleep(Math.min(2000, 100 * 2 ** attempt));
      }
    }
    const landed = await this.findLanded(sent);
    if (landed) return { ...landed, attempts: maxAttempts };
    throw new BridgeError(
      'RETRIES_EXHAUSTED',
      `${kind}: no confirmation after ${maxAttempts} attempts`,
      { kind, signatures: sent },
      { cause: last },
    );
  }

  /** Polls the signature until it reaches the target level, fails, its blockhash expires, or time runs out. */
  private async confirm(signature: Signature, lastValidBlockHeight: bigint, kind: string): Promise<bigint> {
    const target = this.options.commitment ?? 'confirmed';
    const deadline = Date.now() + (this.options.confirmTimeoutMs ?? 20_000);
    while (Date.now() < deadline) {
      try {
        const status = await this.status(signature);
        if (status?.err) throw bridgeErrorFromTransactionError(status.err);
        if (status && rank[status.level] >= rank[target]) return status.slot;
        if (!status) {
          const height = await this.rpc.call('getBlockHeight', (r) =>
            r.getBlockHeight({ commitment: 'confirmed' }),
          );
          if (BigInt(height) > lastValidBlockHeight) break; // can never land now
        }
      } catch (e) {
        // A status read that failed is not a failed transaction; keep waiting until the deadline.
        if (!(e instanceof BridgeError) || !RETRYABLE.has(e.code)) throw e;
      }
      await sleep(this.options.pollMs ?? 200);
    }
    throw new BridgeError('CONFIRMATION_TIMEOUT', `${kind}: ${signature} not ${target} in time`, {
      kind,
      signature,
    });
  }

  private async status(
    signature: Signature,
  ): Promise<{ slot: bigint; level: keyof typeof rank; err: unknown } | null> {
    const { value } = await this.rpc.call(
      'getSignatureStatuses',
      (r) => r.getSignatureStatuses([signature]),
      { signature },
    );
    const s = value[0];
    if (!s) return null;
    return { slot: BigInt(s.slot), level: s.confirmationStatus ?? 'processed', err: s.err };
  }

  /** The first earlier attempt that reached the target level (a landed failure is rethrown). */
  private async findLanded(
    signatures: readonly Signature[],
  ): Promise<{ signature: Signature; slot: bigint } | null> {
    if (signatures.length === 0) return null;
    const target = this.options.commitment ?? 'confirmed';
    try {
      const { value } = await this.rpc.call(
        'getSignatureStatuses',
        (r) => r.getSignatureStatuses(signatures),
        {
          signatures,
        },
      );
      for (let i = 0; i < value.length; i++) {
        const s = value[i];
        if (!s) continue;
        if (s.err) throw bridgeErrorFromTransactionError(s.err);
        if (rank[s.confirmationStatus ?? 'processed'] >= rank[target])
          return { signature: signatures[i]!, slot: BigInt(s.slot) };
      }
    } catch (e) {
      if (!(e instanceof BridgeError) || !RETRYABLE.has(e.code)) throw e;
    }
    return null;
  }
}
