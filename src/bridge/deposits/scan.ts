import { type Address, getBase58Encoder, type Signature } from '@solana/kit';
import { bytesEqual } from '../../common/index.js';
import { fieldToBytesBE } from '../../privacy/index.js';
import { BridgeError } from '../errors.js';
import {
  type DepositEventData,
  type DepositOpening,
  decodeDepositEvent,
  depositInstructionOpening,
  isDepositEvent,
  programDataFor,
} from '../events.js';
import type { BridgeRpc } from '../rpc/client.js';

const base58 = getBase58Encoder();

export interface SignatureRef {
  readonly signature: Signature;
  readonly slot: bigint;
}

/**
 * Successful signatures mentioning the program at `commitment` (finalized unless said), oldest
 * first, newer than `until` and in slots >= `fromSlot`. Pages backwards with before/until/limit as getSignaturesForAddress requires.
 * Stopping at `fromSlot` (inclusive) rather than at a remembered signature makes a restart safe even
 * when that signature has aged out of the node's history: the deposits of that slot are seen again
 * and dropped by queue index.
 */
export async function finalizedSignatures(
  rpc: BridgeRpc,
  programId: Address,
  opts: { until?: Signature; fromSlot: bigint; pageSize: number; commitment?: 'confirmed' | 'finalized' },
): Promise<SignatureRef[]> {
  const commitment = opts.commitment ?? 'finalized';
  const newestFirst: SignatureRef[] = [];
  let before: Signature | undefined;
  for (;;) {
    const page = await rpc.call(
      'getSignaturesForAddress',
      (r) =>
        r.getSignaturesForAddress(programId, {
          commitment,
          limit: opts.pageSize,
          ...(before ? { before } : {}),
          ...(opts.until ? { until: opts.until } : {}),
        }),
      { programId, before, until: opts.until },
    );
    let reachedOld = false;
    for (const entry of page) {
      const slot = BigInt(entry.slot);
      if (slot < opts.fromSlot) {
        reachedOld = true;
        break;
      }
      // A node that reports a weaker status than asked is misbehaving; such an entry may still roll back.
      if (commitment === 'finalized' && entry.confirmationStatus && entry.confirmationStatus !== 'finalized')
        continue;
      if (entry.err === null) newestFirst.push({ signature: entry.signature, slot });
    }
    if (reachedOld || page.length < opts.pageSize) break;
    before = page[page.length - 1]!.signature;
  }
  return newestFirst.reverse();
}

/** A transaction getSignaturesForAddress listed, at `commitment`; RPC_ERROR if the node does not return it. */
async function listedTransaction(rpc: BridgeRpc, ref: SignatureRef, commitment: 'confirmed' | 'finalized') {
  const tx = await rpc.call(
    'getTransaction',
    (r) =>
      r.getTransaction(ref.signature, { commitment, encoding: 'json', maxSupportedTransactionVersion: 0 }),
    { signature: ref.signature },
  );
  if (!tx) {
    throw new BridgeError(
      'RPC_ERROR',
      `a listed ${commitment} transaction was not returned by getTransaction`,
      {
        signature: ref.signature,
      },
    );
  }
  return tx;
}

/**
 * The deposit events one finalized transaction carries, in log order. Throws (and so stops the
 * listener's pass) if the transaction cannot be fetched at `finalized`, failed, or its events do not
 * match the deposit instructions the depositor signed.
 */
export async function depositsOfTransaction(
  rpc: BridgeRpc,
  programId: Address,
  ref: SignatureRef,
): Promise<DepositEventData[]> {
  const tx = await listedTransaction(rpc, ref, 'finalized');
  if (!tx.meta || tx.meta.err !== null) return [];
  const logs = tx.meta.logMessages;
  if (!logs) {
    throw new BridgeError('EVENT_DECODE_FAILED', 'transaction has no logs', { signature: ref.signature });
  }
  const events = programDataFor(logs, programId).filter(isDepositEvent).map(decodeDepositEvent);
  const message = tx.transaction.message;
  const signed = message.instructions
    .filter((ix) => message.accountKeys[ix.programIdIndex] === programId)
    .map((ix) => depositInstructionOpening(new Uint8Array(base58.encode(ix.data))))
    .filter((d) => d !== null);
  // Deposits made through CPI have no top-level instruction; when every event has one, they must agree.
  if (signed.length === events.length) {
    signed.forEach((s, i) => {
      const e = events[i]!;
      if (s.amount !== e.amount || !bytesEqual(fieldToBytesBE(s.commitment), fieldToBytesBE(e.commitment))) {
        throw new BridgeError('EVENT_DECODE_FAILED', 'DepositEvent does not match its deposit instruction', {
          signature: ref.signature,
          index: `${e.index}`,
        });
      }
    });
  } else if (signed.length > events.length) {
    throw new BridgeError('EVENT_DECODE_FAILED', 'a successful deposit instruction emitted no DepositEvent', {
      signature: ref.signature,
    });
  }
  return events;
}

/** A deposit instruction of a successful transaction, with where it was found. */
export interface FoundDepositOpening extends DepositOpening {
  readonly signature: Signature;
  readonly slot: bigint;
}

/**
 * The openings of every top-level deposit instruction of the program's successful transactions at
 * `confirmed`, oldest first: what a wallet restored from its seed searches for its own deposits
 * (the arguments are public on chain; reading all of them says nothing about which are the
 * reader's). Deposits made through CPI are not seen: their arguments are not top-level.
 */
export async function depositOpenings(
  rpc: BridgeRpc,
  programId: Address,
  opts: { fromSlot?: bigint; pageSize?: number } = {},
): Promise<FoundDepositOpening[]> {
  const refs = await finalizedSignatures(rpc, programId, {
    fromSlot: opts.fromSlot ?? 0n,
    pageSize: opts.pageSize ?? 1000,
    commitment: 'confirmed',
  });
  const found: FoundDepositOpening[] = [];
  for (const ref of refs) {
    const tx = await listedTransaction(rpc, ref, 'confirmed');
    if (!tx.meta || tx.meta.err !== null) continue;
    const message = tx.transaction.message;
    for (const ix of message.instructions) {
      if (message.accountKeys[ix.programIdIndex] !== programId) continue;
      const opening = depositInstructionOpening(new Uint8Array(base58.encode(ix.data)));
      if (opening) found.push({ ...opening, signature: ref.signature, slot: ref.slot });
    }
  }
  return found;
}
