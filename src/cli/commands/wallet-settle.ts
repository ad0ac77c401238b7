/**
 * `paraloom wallet settle <nullifier>`: sends an approved withdrawal to the program from any funded
 * Solana key. Settlement is permissionless: the payer funds the nullifier records and the signature;
 * the fee still goes to the relayer the proof names. Useful when that relayer does not settle.
 */
import { address, createKeyPairSignerFromPrivateKeyBytes } from '@solana/kit';
import {
  BridgeRpc,
  checkProgramVersion,
  PARALOOM_DEV_PROGRAM_ID,
  TransactionSender,
  WithdrawSubmitter,
} from '../../bridge/index.js';
import { createLogger } from '../../common/index.js';
import { withdrawArgsOf } from '../../coordinator/index.js';
import { decodeTransaction } from '../../ledger/index.js';
import { fieldFromDecimal, privacyReady } from '../../privacy/index.js';
import { readKeypairFile } from '../../validator/index.js';
import { IngressClient, WalletError } from '../../wallet/index.js';

export interface SettleOptions {
  readonly ingress: string;
  readonly keypair: string;
  readonly rpc: string;
  readonly program?: string;
  readonly json?: boolean;
}

export async function settleAction(nullifier: string, o: SettleOptions): Promise<void> {
  const n0 = fieldFromDecimal(nullifier);
  const client = new IngressClient(o.ingress);
  const w = await client.withdrawal(n0);
  if (!w) {
    throw new WalletError('WITHDRAWAL_NOT_APPROVED', 'no final block holds this withdrawal (yet)', {
      nullifier,
    });
  }
  const print = (value: Record<string, unknown>, text: string) =>
    console.log(o.json ? JSON.stringify(value) : text);
  if (w.state === 'settled') {
    print({ nullifier, state: 'settled', signature: w.signature ?? null }, 'already settled on Solana');
    return;
  }
  if (w.state !== 'approved' || !w.approval || !w.transaction) {
    throw new WalletError(
      'WITHDRAWAL_NOT_APPROVED',
      'no anchor approves this withdrawal yet; retry shortly',
      {
        nullifier,
        state: w.state,
      },
    );
  }
  // The proof is re-encoded to the chain's compressed form, which needs the curve.
  await privacyReady();
  const args = withdrawArgsOf(decodeTransaction(w.transaction).tx, w.approval);
  const logger = createLogger('wallet', 'warn');
  const rpc = new BridgeRpc({ rpcUrl: o.rpc, logger });
  const programId = address(o.program ?? PARALOOM_DEV_PROGRAM_ID);
  await checkProgramVersion(rpc, programId, { commitment: 'confirmed' });
  const keypair = await readKeypairFile(o.keypair);
  const payer = await createKeyPairSignerFromPrivateKeyBytes(keypair.secretKey.slice(0, 32));
  const sender = new TransactionSender(rpc, { feePayer: payer, commitment: 'confirmed', logger });
  const outcome = await new WithdrawSubmitter({ rpc, sender, programId, logger }).submit(args);
  const value = {
    nullifier,
    state: outcome.status,
    payer: payer.address,
    relayer: args.relayer,
    fee: args.fee.toString(),
    signature: outcome.status === 'withdrawn' ? outcome.signature : null,
    ...(outcome.status === 'expired'
      ? { slot: outcome.slot.toString(), expirationSlot: outcome.expirationSlot.toString() }
      : {}),
  };
  switch (outcome.status) {
    case 'withdrawn':
      print(value, `settled by ${payer.address} (${outcome.signature}); fee ${args.fee} to ${args.relayer}`);
      return;
    case 'already-spent':
      print(value, 'already settled on Solana');
      return;
    default:
      print(value, `not settled: ${outcome.status}`);
      process.exitCode = 1;
  }
}
