/**
 * `paraloom wallet disclose <payment>` writes a statement opening one payment (paraloom-disclosure/1);
 * `paraloom verify-disclosure <file>` checks one against a validator's chain of L2 blocks. Only
 * types are imported here: main.ts registers `verify-disclosure` at startup, and the wallet module
 * loads when a command runs.
 */
import type { Command } from 'commander';
import type { VerifiedDisclosure } from '../../wallet/index.js';

const DEFAULT_WALLET = '.paraloom/wallet';
const DEFAULT_INGRESS = 'http://127.0.0.1:9500';

interface DiscloseOptions {
  wallet: string;
  ingress: string;
  out?: string;
  sync: boolean;
  json?: boolean;
}

interface VerifyOptions {
  ingress: string;
  json?: boolean;
}

const print = (value: unknown) =>
  console.log(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));

/** Registers `wallet disclose` under the `wallet` command. */
export function registerWalletDisclose(wallet: Command): void {
  wallet
    .command('disclose')
    .description(
      'write a statement opening one payment (amount, asset, recipient, leaf, opening) that anyone can check with verify-disclosure',
    )
    .argument(
      '<payment>',
      "a received note's leaf index or commitment, or a sent transfer's id (as `wallet history --json` shows them)",
    )
    .option('--wallet <dir>', 'wallet directory', DEFAULT_WALLET)
    .option('--ingress <url>', "a validator's ingress URL (the wallet syncs first)", DEFAULT_INGRESS)
    .option('--no-sync', 'disclose from what the wallet knows, without syncing first')
    .option('--out <file>', 'write the statement to this file (mode 0600) instead of stdout')
    .option('--json', 'with --out, print one JSON object saying what was written')
    .action(async (payment: string, o: DiscloseOptions) => {
      const [
        { disclosePayment, encodeDisclosure, IngressClient, writeSecretFile },
        { formatSol, openWallet },
      ] = await Promise.all([import('../../wallet/index.js'), import('./wallet.js')]);
      const w = await openWallet(o.wallet);
      // A sent payment learns its leaf index when the sync sees its output published.
      if (o.sync) await w.sync(new IngressClient(o.ingress));
      const d = disclosePayment(w.key, w.store, payment);
      const text = encodeDisclosure(d);
      if (o.out === undefined) {
        process.stdout.write(text);
        return;
      }
      writeSecretFile(o.out, text);
      if (o.json) {
        print({
          file: o.out,
          direction: d.direction,
          leafIndex: d.leafIndex,
          commitment: d.commitment,
          amount: d.amount,
          recipient: d.recipient,
          ...(d.txId ? { txId: d.txId } : {}),
        });
      } else {
        console.log(
          `wrote ${o.out}: ${d.direction} ${formatSol(d.amount)} SOL to ${d.recipient} (leaf ${d.leafIndex}). It opens this one note and nothing else; whoever holds it can show the payment to anyone.`,
        );
      }
    });
}

function describeVerified(v: VerifiedDisclosure, formatSol: (l: bigint) => string): string {
  const d = v.disclosure;
  const amount = d.asset === 0n ? `${formatSol(d.amount)} SOL` : `${d.amount} units of asset ${d.asset}`;
  const root =
    v.rootKind === 'current'
      ? `the validator's current root${v.leafCount !== undefined ? ` (${v.leafCount} leaves, height ${v.height})` : ''}`
      : v.rootKind === 'recent'
        ? "one of the validator's last final roots"
        : `the root anchored at L2 height ${v.height}`;
  return [
    `verified: ${amount} to ${d.recipient}`,
    `  leaf ${d.leafIndex}, commitment ${d.commitment}`,
    `  root ${v.root}: ${root}`,
    `  the discloser says it ${d.direction} this payment${d.txId ? ` (transaction ${d.txId})` : ''}`,
  ].join('\n');
}

/** Registers the top-level `verify-disclosure`. */
export function registerVerifyDisclosureCommand(program: Command): void {
  program
    .command('verify-disclosure')
    .description(
      "check a payment disclosure against a validator's L2 chain: opening, published leaf and its Merkle path to the root",
    )
    .argument('<file>', 'the disclosure (paraloom-disclosure/1), as `paraloom wallet disclose` wrote it')
    .option('--ingress <url>', "a validator's ingress URL", DEFAULT_INGRESS)
    .option('--json', 'print one JSON object (also on refusal, with its code)')
    .action(async (file: string, o: VerifyOptions) => {
      const [
        { IngressClient, MAX_DISCLOSURE_BYTES, parseDisclosure, verifyDisclosure, WalletError },
        { formatSol },
      ] = await Promise.all([import('../../wallet/index.js'), import('./wallet.js')]);
      const { readFile, stat } = await import('node:fs/promises');
      try {
        if ((await stat(file)).size > MAX_DISCLOSURE_BYTES) {
          throw new WalletError('DISCLOSURE_INVALID', 'disclosure file: too large to be a disclosure', {
            field: 'file',
            reason: 'too large to be a disclosure',
          });
        }
        const v = await verifyDisclosure(
          parseDisclosure(await readFile(file, 'utf8')),
          new IngressClient(o.ingress),
        );
        const d = v.disclosure;
        if (!o.json) {
          console.log(describeVerified(v, formatSol));
          return;
        }
        print({
          verified: true,
          direction: d.direction,
          amount: d.amount,
          ...(d.asset === 0n ? { amountSol: formatSol(d.amount) } : {}),
          asset: d.asset,
          recipient: d.recipient,
          leafIndex: d.leafIndex,
          commitment: d.commitment,
          ...(d.txId ? { txId: d.txId } : {}),
          root: v.root,
          rootKind: v.rootKind,
          leafCount: v.leafCount ?? null,
          height: v.height ?? null,
        });
      } catch (e) {
        if (!o.json || !(e instanceof WalletError)) throw e;
        print({ verified: false, code: e.code, message: e.message, context: e.context });
        process.exitCode = 1;
      }
    });
}
