import { LAMPORTS_PER_SIGNATURE, SIZES } from './constants.js';
import type { BridgeRpc } from './rpc/client.js';

/**
 * What settling one withdrawal costs its relayer on this cluster: the rent of the two nullifier
 * records `withdraw` creates (the relayer pays them; they are never closed) and the transaction's one
 * signature (the relayer's). The approval account, if any, is paid by the anchor submitter.
 */
export interface RelayCost {
  /** Rent-exempt minimum of one nullifier record (SIZES.nullifierRecord bytes) as the cluster answers. */
  readonly nullifierRecordRent: bigint;
  readonly nullifierRecords: 2;
  /** Solana's base fee for the withdraw transaction's single signature. */
  readonly signatureFee: bigint;
  readonly total: bigint;
}

export async function relayCost(rpc: BridgeRpc): Promise<RelayCost> {
  const space = BigInt(SIZES.nullifierRecord);
  const rent = await rpc.call(
    'getMinimumBalanceForRentExemption',
    (r) => r.getMinimumBalanceForRentExemption(space),
    { space: SIZES.nullifierRecord },
  );
  const nullifierRecordRent = BigInt(rent);
  const signatureFee = LAMPORTS_PER_SIGNATURE;
  return {
    nullifierRecordRent,
    nullifierRecords: 2,
    signatureFee,
    total: 2n * nullifierRecordRent + signatureFee,
  };
}
