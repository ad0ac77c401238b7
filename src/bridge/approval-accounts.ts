import {
  type Address,
  type Base58EncodedBytes,
  type Commitment,
  getBase58Decoder,
  getBase64Encoder,
} from '@solana/kit';
import { type Approval, decodeApproval } from './accounts.js';
import { accountDiscriminator, SIZES } from './constants.js';
import type { BridgeRpc } from './rpc/client.js';

/** Offset of `payer` in the Approval account (programs/paraloom/src/paraloom.h). */
const APPROVAL_PAYER_OFFSET = 56n;

const base58 = getBase58Decoder();
const base64 = getBase64Encoder();

/**
 * The live Approval accounts whose rent `payer` paid: one getProgramAccounts call filtered by size,
 * discriminator and payer, so the answer holds only those (a coordinator's own, a handful).
 */
export async function approvalsPaidBy(
  rpc: BridgeRpc,
  programId: Address,
  payer: Address,
  commitment: Commitment = 'confirmed',
): Promise<{ address: Address; approval: Approval }[]> {
  const found = await rpc.call(
    'getProgramAccounts',
    (r) =>
      r.getProgramAccounts(programId, {
        commitment,
        encoding: 'base64',
        filters: [
          { dataSize: BigInt(SIZES.approval) },
          {
            memcmp: {
              offset: 0n,
              bytes: base58.decode(accountDiscriminator('Approval')) as Base58EncodedBytes,
              encoding: 'base58',
            },
          },
          {
            memcmp: {
              offset: APPROVAL_PAYER_OFFSET,
              bytes: payer as string as Base58EncodedBytes,
              encoding: 'base58',
            },
          },
        ],
      }),
    { payer },
  );
  return found.map(({ pubkey, account }) => ({
    address: pubkey,
    approval: decodeApproval(new Uint8Array(base64.encode(account.data[0]))),
  }));
}
