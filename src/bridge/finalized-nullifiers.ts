import type { Address } from '@solana/kit';
import { type Field, fieldToBytesBE } from '../privacy/index.js';
import { findNullifierPda } from './pda.js';
import type { BridgeRpc } from './rpc/client.js';

/** getMultipleAccounts takes at most 100 addresses per call. */
const ACCOUNTS_PER_CALL = 100;

/** What Solana had finalized about some nullifiers: the finalized slot read, and each PDA's presence. */
export interface FinalizedNullifiers {
  /** The lowest context slot of the reads: every answer is at least this finalized. */
  readonly slot: bigint;
  /** Per nullifier, in order: whether its nullifier record exists (owned by the program). */
  readonly present: readonly boolean[];
}

/**
 * Reads the nullifier records of `nullifiers` at `finalized`, each read no older than the previous
 * one's slot. A withdrawal whose expiration_slot is below `slot` and whose two records are absent can
 * never be settled: the program refuses it past its expiration, and a withdraw that landed by then is
 * in the finalized state. An account at the address that the program does not own (lamports sent to
 * it) is not a record.
 */
export async function readFinalizedNullifiers(
  rpc: BridgeRpc,
  programId: Address,
  nullifiers: readonly Field[],
): Promise<FinalizedNullifiers> {
  const pdas = await Promise.all(
    nullifiers.map(async (n) => (await findNullifierPda(programId, fieldToBytesBE(n)))[0]),
  );
  const present: boolean[] = [];
  let slot: bigint | undefined;
  for (let i = 0; i < pdas.length; i += ACCOUNTS_PER_CALL) {
    const chunk = pdas.slice(i, i + ACCOUNTS_PER_CALL);
    const { context, value } = await rpc.call(
      'getMultipleAccounts',
      (r) =>
        r.getMultipleAccounts(chunk, {
          commitment: 'finalized',
          encoding: 'base64',
          ...(slot !== undefined ? { minContextSlot: slot } : {}),
        }),
      { count: chunk.length, commitment: 'finalized' },
    );
    slot ??= BigInt(context.slot);
    for (const account of value) present.push(account !== null && account.owner === programId);
  }
  // No nullifiers, no read: slot 0 says nothing was finalized about them.
  return { slot: slot ?? 0n, present };
}
