/**
 * The recovery side of `paraloom wallet`: `restore` from a recovery phrase, `new --view-only` from a
 * viewing key, and `export-viewing-key`. A restore rebuilds the wallet from the phrase and the
 * network alone: the program's deposit instructions on Solana give back its deposits (and the
 * number its next deposit must use), the validators' published outputs its notes, spends and history.
 */
import { address } from '@solana/kit';
import { BridgeRpc, depositOpenings, PARALOOM_DEV_PROGRAM_ID } from '../../bridge/index.js';
import { createLogger } from '../../common/index.js';
import {
  askPassphrase,
  birthdayLeafIndex,
  IngressClient,
  type PublicDeposit,
  type Wallet,
} from '../../wallet/index.js';
import { formatSol } from './wallet.js';

export interface RecoverOptions {
  readonly wallet: string;
  readonly ingress: string;
  readonly rpc: string;
  readonly program?: string;
  readonly birthday: string;
  readonly json?: boolean;
}

/**
 * Every deposit instruction of the program on chain (the same for every wallet that asks, so the
 * RPC learns nothing of which are ours). Read before anything is written: a restore that cannot
 * see the deposits would hand out deposit numbers already shown on chain.
 */
async function depositsOnChain(o: RecoverOptions): Promise<PublicDeposit[]> {
  const rpc = new BridgeRpc({ rpcUrl: o.rpc, logger: createLogger('wallet', 'warn') });
  return depositOpenings(rpc, address(o.program ?? PARALOOM_DEV_PROGRAM_ID));
}

function birthdayOf(text: string): bigint {
  if (!/^\d{1,19}$/.test(text)) throw new Error(`--birthday is an L2 height, not ${text}`);
  return BigInt(text);
}

/** Creates the wallet with `create`, takes back its deposits, syncs, and prints what it found. */
async function recover(
  o: RecoverOptions,
  create: (passphrase: string, scanFrom: number) => Wallet,
  print: (value: Record<string, unknown>, text: string) => void,
): Promise<void> {
  const birthday = birthdayOf(o.birthday);
  const client = new IngressClient(o.ingress);
  const warn = (m: string) => {
    if (!o.json) console.error(m);
  };
  const scanFrom = await birthdayLeafIndex(client, birthday, warn);
  const deposits = await depositsOnChain(o);
  const passphrase = await askPassphrase({ confirm: true });
  const w = create(passphrase, scanFrom);
  const { found, depositsMade } = w.recoverDeposits(deposits);
  const r = await w.sync(client).catch((e: unknown) => {
    console.error(
      `created ${o.wallet} (address ${w.address}), but the sync failed: run 'paraloom wallet sync'`,
    );
    throw e;
  });
  const b = w.balance();
  print(
    {
      address: w.address,
      dir: o.wallet,
      capability: w.capability,
      scanFrom,
      depositsFound: found,
      depositsMade,
      ...r,
      spendable: b.spendable,
      pending: b.pending,
      depositing: b.depositing,
    },
    [
      `${w.capability === 'spend' ? 'restored' : 'watching'} ${o.wallet}`,
      `address ${w.address}`,
      `scanned ${r.scanned} outputs from leaf ${scanFrom}: ${r.received} notes received, ${found} deposits found, ${r.spendsSeen} spends seen`,
      `spendable ${formatSol(b.spendable)} SOL, depositing ${formatSol(b.depositing)} SOL`,
    ].join('\n'),
  );
}

export async function restoreAction(
  mnemonic: string,
  o: RecoverOptions,
  print: (value: Record<string, unknown>, text: string) => void,
): Promise<void> {
  const { Wallet } = await import('../../wallet/index.js');
  await recover(
    o,
    (passphrase, scanFrom) => Wallet.create(o.wallet, { mnemonic, passphrase, scanFrom }),
    print,
  );
}

export async function viewOnlyAction(
  viewingKey: string,
  o: RecoverOptions,
  print: (value: Record<string, unknown>, text: string) => void,
): Promise<void> {
  const { decodeViewingKey } = await import('../../privacy/index.js');
  // A mistyped key fails here, before any passphrase is asked or anything is written.
  decodeViewingKey(viewingKey.trim());
  const { Wallet } = await import('../../wallet/index.js');
  await recover(
    o,
    (passphrase, scanFrom) => Wallet.createViewOnly(o.wallet, { viewingKey, passphrase, scanFrom }),
    print,
  );
}
