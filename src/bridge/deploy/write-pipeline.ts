/**
 * Sends many independent transactions (buffer writes) with a bounded number in flight, the way a
 * public RPC endpoint tolerates: one getSignatureStatuses for everything in flight per poll instead
 * of one poll loop per transaction. A transaction whose blockhash expired without landing is signed
 * again with a fresh one; a refusal by the cluster ends the run with its typed error.
 */
import {
  appendTransactionMessageInstructions,
  type Blockhash,
  type Commitment,
  createTransactionMessage,
  getBase64EncodedWireTransaction,
  getSignatureFromTransaction,
  type Instruction,
  isSolanaError,
  pipe,
  type Signature,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type TransactionSigner,
} from '@solana/kit';
import type { Logger } from '../../common/index.js';
import { BridgeError } from '../errors.js';
import { bridgeErrorFromTransactionError } from '../rpc/classify.js';
import type { BridgeRpc } from '../rpc/client.js';
import { loaderErrorOf } from './loader-errors.js';

export interface PipelineOptions {
  readonly feePayer: TransactionSigner;
  /** Transactions in flight at once. */
  readonly window: number;
  /** Sends of one transaction (each with a fresh blockhash) before giving up. */
  readonly maxAttempts?: number;
  /** Pause between two status polls (default 300 ms). */
  readonly pollMs?: number;
  /** How old a cached blockhash may get before the next send fetches one (default 5 s). */
  readonly blockhashMaxAgeMs?: number;
  readonly logger: Logger;
}

interface InFlight {
  readonly index: number;
  readonly signatures: Signature[];
  lastValidBlockHeight: bigint;
  sentAt: number;
  /** Set when the send itself failed in a way a resend may fix (transport, stale blockhash). */
  resend: boolean;
}

const CONFIRMED: Commitment = 'confirmed';
const STATUS_BATCH = 256;
/** A send unconfirmed for this long is sent again even if its blockhash still looks valid. */
const STALL_MS = 90_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function* causes(e: unknown): Generator<unknown> {
  for (let cur = e, depth = 0; cur !== undefined && cur !== null && depth < 10; depth++) {
    yield cur;
    cur = cur instanceof Error ? cur.cause : undefined;
  }
}
const hasCode = (e: unknown, code: number) => [...causes(e)].some((c) => isSolanaError(c, code as never));

/**
 * Sends `build(i)` for every i in `indices`, each until it is confirmed. Returns the number of
 * transactions sent (resends included); calls `onLanded` as each one confirms.
 */
export async function sendPipelined(
  rpc: BridgeRpc,
  indices: readonly number[],
  build: (index: number) => Instruction[],
  o: PipelineOptions,
  onLanded?: (index: number) => void,
): Promise<number> {
  const maxAttempts = o.maxAttempts ?? 5;
  let cached: { value: { blockhash: Blockhash; lastValidBlockHeight: bigint }; at: number } | undefined;
  const lifetime = async (fresh: boolean) => {
    if (fresh || !cached || Date.now() - cached.at > (o.blockhashMaxAgeMs ?? 5_000)) {
      const { value } = await rpc.call('getLatestBlockhash', (r) =>
        r.getLatestBlockhash({ commitment: CONFIRMED }),
      );
      cached = { value, at: Date.now() };
    }
    return cached.value;
  };
  let sent = 0;
  const send = async (t: InFlight, fresh: boolean) => {
    if (t.signatures.length >= maxAttempts) {
      throw new BridgeError(
        'RETRIES_EXHAUSTED',
        `buffer write ${t.index}: not confirmed after ${maxAttempts} sends`,
        {
          kind: `write ${t.index}`,
          signatures: t.signatures,
        },
      );
    }
    const l = await lifetime(fresh);
    const tx = await signTransactionMessageWithSigners(
      pipe(
        createTransactionMessage({ version: 0 }),
        (m) => setTransactionMessageFeePayerSigner(o.feePayer, m),
        (m) => setTransactionMessageLifetimeUsingBlockhash(l, m),
        (m) => appendTransactionMessageInstructions(build(t.index), m),
      ),
    );
    t.signatures.push(getSignatureFromTransaction(tx));
    t.lastValidBlockHeight = l.lastValidBlockHeight;
    t.sentAt = Date.now();
    t.resend = false;
    sent++;
    try {
      await rpc.call(
        'sendTransaction',
        (r) =>
          r.sendTransaction(getBase64EncodedWireTransaction(tx), {
            encoding: 'base64',
            preflightCommitment: CONFIRMED,
          }),
        { kind: `write ${t.index}`, attempt: t.signatures.length },
      );
    } catch (e) {
      if (hasCode(e, SOLANA_ERROR__TRANSACTION_ERROR__BLOCKHASH_NOT_FOUND)) {
        t.resend = true;
        cached = undefined;
        return;
      }
      // A refusal (preflight failed for another reason, a program error) will not change by resending.
      const refused = loaderErrorOf(e);
      if (refused) throw refused;
      if (hasCode(e, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE)) throw e;
      if (e instanceof BridgeError && !['RPC_TIMEOUT', 'RPC_UNAVAILABLE', 'RPC_ERROR'].includes(e.code))
        throw e;
      // Transport trouble: the transaction may still land; the status poll or its expiry decides.
      o.logger.warn(
        { index: t.index, err: e instanceof Error ? e.message : String(e) },
        'buffer write send failed; will check and resend',
      );
    }
  };

  const queue = [...indices];
  const inFlight = new Map<number, InFlight>();
  while (queue.length > 0 || inFlight.size > 0) {
    while (inFlight.size < o.window && queue.length > 0) {
      const t: InFlight = {
        index: queue.shift()!,
        signatures: [],
        lastValidBlockHeight: 0n,
        sentAt: 0,
        resend: false,
      };
      inFlight.set(t.index, t);
      await send(t, false);
    }
    await sleep(o.pollMs ?? 300);
    const waiting = [...inFlight.values()];
    const signatures = waiting.flatMap((t) => t.signatures);
    const statuses: Array<{ err: unknown; confirmationStatus: string | null } | null> = [];
    for (let i = 0; i < signatures.length; i += STATUS_BATCH) {
      const { value } = await rpc.call('getSignatureStatuses', (r) =>
        r.getSignatureStatuses(signatures.slice(i, i + STATUS_BATCH)),
      );
      statuses.push(...value);
    }
    let at = 0;
    let height: bigint | undefined;
    for (const t of waiting) {
      const own = statuses.slice(at, at + t.signatures.length);
      at += t.signatures.length;
      const failed = own.find((s) => s?.err);
      if (failed)
        throw (
          loaderErrorOf(bridgeErrorFromTransactionError(failed.err)) ??
          bridgeErrorFromTransactionError(failed.err)
        );
      if (
        own.some((s) => s && (s.confirmationStatus === 'confirmed' || s.confirmationStatus === 'finalized'))
      ) {
        inFlight.delete(t.index);
        onLanded?.(t.index);
        continue;
      }
      if (own.some((s) => s !== null)) continue; // processed: wait for confirmation
      // A cluster whose block height stalls would keep the blockhash valid forever: bound the wait too.
      if (!t.resend && Date.now() - t.sentAt < STALL_MS) {
        height ??= BigInt(
          await rpc.call('getBlockHeight', (r) => r.getBlockHeight({ commitment: CONFIRMED })),
        );
        if (height <= t.lastValidBlockHeight) continue;
      }
      await send(t, true);
    }
  }
  return sent;
}
