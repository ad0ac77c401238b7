/**
 * The devnet's demo: two wallets shield, pay privately and withdraw unlinkably, printing what
 * Solana saw next to what the wallets know, and checking that every balance reconciles exactly.
 */
import { join } from 'node:path';
import { type Address, address, generateKeyPairSigner } from '@solana/kit';
import {
  BridgeRpc,
  decodeBridgeState,
  depositInstruction,
  deriveProgramAddresses,
  PARALOOM_DEV_PROGRAM_ID,
  TransactionSender,
} from '../bridge/index.js';
import { createLogger } from '../common/index.js';
import { encodeTransaction } from '../ledger/index.js';
import { loadCircuitArtifacts, noteCommitment, shutdownProver } from '../privacy/index.js';
import { IngressClient, passphraseFromEnv, Wallet } from '../wallet/index.js';
import type { Devnet } from './cohort.js';
import { DevnetError } from './errors.js';

const SOL = 1_000_000_000n;

/** Passphrase of the demo's wallets when PARALOOM_WALLET_PASSPHRASE is unset. */
export const DEMO_WALLET_PASSPHRASE = 'paraloom-devnet-demo';

export function sol(lamports: bigint): string {
  const neg = lamports < 0n;
  const v = neg ? -lamports : lamports;
  const frac = (v % SOL).toString().padStart(9, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${v / SOL}${frac ? `.${frac}` : ''}`;
}

export interface DemoReport {
  readonly deposit: { signature: string; amount: string };
  readonly transfer: { id: string; amount: string };
  readonly withdrawal: {
    id: string;
    signature: string | null;
    amount: string;
    fee: string;
    recipient: string;
  };
  readonly balances: Record<string, string>;
  readonly vaultDelta: string;
}

function throwIfStopping(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new DevnetError('STOPPED', 'the devnet is stopping: demo abandoned');
}

/**
 * Polls `fn` until it yields; a failing poll (a validator busy or restarting) is retried, not fatal.
 * An aborted `signal` ends the wait at once: a stopped devnet must not be polled for a minute.
 */
async function until<T>(
  what: string,
  fn: () => Promise<T | undefined>,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    throwIfStopping(signal);
    try {
      const v = await fn();
      if (v !== undefined) return v;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > end) {
      throw new DevnetError('TIMEOUT', `timed out waiting for ${what}`, {}, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, 300));
  }
}

/**
 * Runs the demo on a started devnet. Proving starts snarkjs' worker threads, which hold the process
 * open until ended: they are ended when the demo ends, however it ends. An aborted `signal` (the
 * devnet is stopping) ends the demo at its next wait.
 */
export async function runDemo(
  devnet: Devnet,
  dir: string,
  print: (line: string) => void,
  signal?: AbortSignal,
): Promise<DemoReport> {
  try {
    return await demoSteps(devnet, dir, print, signal);
  } finally {
    await shutdownProver();
  }
}

async function demoSteps(
  devnet: Devnet,
  dir: string,
  print: (line: string) => void,
  signal: AbortSignal | undefined,
): Promise<DemoReport> {
  const logger = createLogger('demo', 'warn');
  const rpc = new BridgeRpc({ rpcUrl: devnet.rpcUrl, logger });
  const programId = address(devnet.programId ?? PARALOOM_DEV_PROGRAM_ID);
  const p = await deriveProgramAddresses(programId);
  const vaultBefore = await rpc.balance(p.vault);
  const artifacts = await loadCircuitArtifacts();
  const encode = (proof: Parameters<Parameters<Wallet['transfer']>[1]['encode']>[0]) =>
    encodeTransaction({ proof: proof.proof.toWire(), statement: proof.statement });
  // Alice talks to one validator, Bob to another: any validator's ingress serves any wallet.
  const aliceIngress = new IngressClient(devnet.validators[1 % devnet.validators.length]!.ingress!);
  const bobIngress = new IngressClient(devnet.coordinator.ingress!);
  // Throwaway wallets of a throwaway chain: a known passphrase (docs/operations.md) unless one is set.
  const unlock = { passphrase: passphraseFromEnv() ?? DEMO_WALLET_PASSPHRASE };
  const alice = Wallet.create(join(dir, 'wallets', 'alice'), unlock);
  const bob = Wallet.create(join(dir, 'wallets', 'bob'), unlock);
  const side = (solana: string, wallets: string) => {
    print(`  Solana saw:       ${solana}`);
    print(`  the wallets know: ${wallets}`);
  };

  // 1. Deposit (shield): public on Solana, the note's owner is hidden in its commitment.
  const payer = await generateKeyPairSigner();
  await rpc.airdrop(payer.address, 3n * SOL);
  const depositAmount = 2n * SOL;
  print(`1. Alice shields ${sol(depositAmount)} SOL from her Solana account ${payer.address}`);
  const note = alice.prepareDeposit(depositAmount);
  const sent = await new TransactionSender(rpc, { feePayer: payer, commitment: 'confirmed', logger }).send(
    [
      depositInstruction(p, payer, {
        amount: depositAmount,
        ownerPk: note.pkD,
        blinding: note.blinding,
        asset: note.asset,
      }),
    ],
    'deposit',
  );
  await until(
    'the deposit in an L2 block',
    async () => ((await alice.sync(aliceIngress)).depositsLanded > 0 ? true : undefined),
    60_000,
    signal,
  );
  side(
    `deposit ${sol(depositAmount)} SOL from ${payer.address} (tx ${sent.signature}), commitment ${noteCommitment(note).toString().slice(0, 16)}...`,
    `Alice owns a ${sol(depositAmount)} SOL note (spendable ${sol(alice.balance().spendable)} SOL)`,
  );

  // 2. Private transfer: nothing reaches Solana.
  const transferAmount = SOL / 2n;
  print(`2. Alice pays Bob ${sol(transferAmount)} SOL privately (${bob.address.slice(0, 20)}...)`);
  throwIfStopping(signal);
  const transferId = await alice.transfer(aliceIngress, {
    to: bob.address,
    amount: transferAmount,
    artifacts,
    encode,
  });
  await until(
    'Bob to receive the payment',
    async () => {
      await alice.sync(aliceIngress);
      return (await bob.sync(bobIngress)).received > 0 ? true : undefined;
    },
    60_000,
    signal,
  );
  side(
    'nothing (the transfer lives on the L2: two nullifiers, two commitments, a proof)',
    `Bob received ${sol(bob.balance().spendable)} SOL; Alice has ${sol(alice.balance().spendable)} SOL`,
  );

  // 3. Unlinkable withdrawal to a fresh address, settled by the coordinator's relayer.
  const recipient = (await generateKeyPairSigner()).address;
  const withdrawAmount = (3n * SOL) / 10n;
  print(
    `3. Bob withdraws ${sol(withdrawAmount)} SOL to a fresh Solana address ${recipient} (he holds no SOL)`,
  );
  // A withdrawal spends under an anchored root: wait until one covers Bob's note.
  const bobLeaf = Math.max(...bob.store.unspent(note.asset).map((n) => n.leafIndex));
  await until(
    "an anchored root covering Bob's note",
    async () => ((await bobIngress.anchors()).some((a) => (a.leafCount ?? 0) > bobLeaf) ? true : undefined),
    60_000,
    signal,
  );
  throwIfStopping(signal);
  const w = await bob.withdraw(bobIngress, { recipient, amount: withdrawAmount, artifacts, encode });
  // Settled once its nullifier PDAs exist; the settling signature reaches this validator with the
  // primary's next snapshot when another node relayed it, so give it a moment (on a loaded machine
  // 5 s was not always enough: the report then showed no signature).
  let settledAt: number | undefined;
  const settled = await until(
    'the withdrawal to settle on Solana',
    async () => {
      const s = await bobIngress.withdrawal(w.nullifier0);
      if (s?.state !== 'settled') return undefined;
      settledAt ??= Date.now();
      return s.signature || Date.now() - settledAt > 15_000 ? s : undefined;
    },
    120_000,
    signal,
  );
  await bob.sync(bobIngress);
  await alice.sync(aliceIngress);
  const received = await rpc.balance(recipient as Address);
  side(
    `withdraw ${sol(withdrawAmount)} SOL to ${recipient}, fee ${sol(w.fee)} SOL to relayer ${w.relayer}${settled.signature ? ` (tx ${settled.signature})` : ''}; no account, key or amount links it to Alice's deposit`,
    `Bob has ${sol(bob.balance().spendable)} SOL left; Alice ${sol(alice.balance().spendable)} SOL`,
  );

  // 4. Reconcile: the vault moved by deposits - withdrawals; every wallet adds up.
  const vaultAfter = await rpc.balance(p.vault);
  const state = decodeBridgeState((await rpc.accountData(p.bridgeState, 'confirmed'))!.data);
  const vaultDelta = vaultAfter - vaultBefore;
  const expected = depositAmount - (withdrawAmount + w.fee);
  const checks: [string, boolean][] = [
    ['recipient received exactly the amount', received === withdrawAmount],
    ['vault = deposits - withdrawals', vaultDelta === expected],
    ['Alice: deposit - payment', alice.balance().spendable === depositAmount - transferAmount],
    ['Bob: payment - withdrawal - fee', bob.balance().spendable === transferAmount - withdrawAmount - w.fee],
  ];
  print('4. Reconciliation');
  for (const [what, ok] of checks) print(`  ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  print(
    `  vault ${sol(vaultAfter)} SOL (${sol(vaultDelta)} during the demo); on chain: deposited ${sol(state.totalDeposited)}, withdrawn ${sol(state.totalWithdrawn)}, anchored height ${state.lastHeight}`,
  );
  if (checks.some(([, ok]) => !ok)) {
    throw new DevnetError('DEMO_FAILED', 'balances do not reconcile', {
      failed: checks.filter(([, ok]) => !ok).map(([w]) => w),
    });
  }
  return {
    deposit: { signature: sent.signature, amount: sol(depositAmount) },
    transfer: { id: transferId, amount: sol(transferAmount) },
    withdrawal: {
      id: w.id,
      signature: settled.signature ?? null,
      amount: sol(withdrawAmount),
      fee: sol(w.fee),
      recipient,
    },
    balances: {
      alice: sol(alice.balance().spendable),
      bob: sol(bob.balance().spendable),
      recipient: sol(received),
    },
    vaultDelta: sol(vaultDelta),
  };
}
