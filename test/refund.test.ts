/**
 * Refunds on the shared cohort (test/helpers/shared-cohort.ts), through the CLI as a user meets them:
 * a wallet withdraws naming validator NON_RELAYER (registered, with a floor, but its node does not
 * relay) with a short validity. Nobody settles it; once Solana finalizes a slot past its expiration
 * with its nullifier records absent, the cohort refunds it: the wallet's balance comes back exactly,
 * its history shows the withdrawal expired and refunded, and the program refuses the stale
 * withdrawal when anyone sends it afterwards. Other files use the cohort meanwhile; every check is
 * about this file's own wallet and withdrawal.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { address, createKeyPairSignerFromPrivateKeyBytes, generateKeyPairSigner } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BridgeError,
  BridgeRpc,
  deriveProgramAddresses,
  findNullifierPda,
  PARALOOM_DEV_PROGRAM_ID,
  PROGRAM_ERROR_BASE,
  PROGRAM_ERROR_CODES,
  TransactionSender,
  withdrawInstruction,
} from '../src/bridge/index.js';
import { createLogger } from '../src/common/index.js';
import { withdrawArgsOf } from '../src/coordinator/index.js';
import { runParaloom, runParaloomOk } from '../src/devnet/index.js';
import { decodeTransaction } from '../src/ledger/index.js';
import { fieldFromDecimal, fieldToBytesBE, privacyReady } from '../src/privacy/index.js';
import { generateKeypair, writeKeypairFile } from '../src/validator/index.js';
import { IngressClient } from '../src/wallet/index.js';
import { until } from './helpers/paraloom-child.js';
import { NON_RELAYER, type SharedCohort, sharedCohort } from './helpers/shared-cohort.js';

const SOL = 1_000_000_000n;
const logger = createLogger('test', 'silent');
/**
 * Slots the withdrawal stays valid (150 ms slots): proving under load takes up to ~40 s and the
 * ingress wants 150 slots left at admission, so 700 slots (~105 s) leave room for both.
 */
const VALID_FOR = 700n;

const lastJson = <T>(r: { stdout: string[] }): T => JSON.parse(r.stdout.at(-1)!) as T;

describe('refund of a withdrawal nobody settles (multi-process, shared cohort)', () => {
  let dir: string;
  let cohort: SharedCohort;
  let rpc: BridgeRpc;

  beforeAll(async () => {
    await privacyReady();
    cohort = await sharedCohort();
    rpc = new BridgeRpc({ rpcUrl: cohort.rpcUrl, logger });
    dir = await mkdtemp(join(tmpdir(), 'paraloom-refund-'));
  }, 300_000);

  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('refunds it after expiry, restores the balance exactly, and the program refuses it afterwards', async () => {
    const wallet = join(dir, 'wallet');
    const via = cohort.validators[0]!;
    const client = new IngressClient(via.ingress);
    const common = ['--wallet', wallet, '--ingress', via.ingress, '--json'];
    const payerFile = join(dir, 'payer.json');
    const kp = generateKeypair();
    await writeKeypairFile(payerFile, kp);
    await rpc.airdrop(kp.address, 2n * SOL);
    await runParaloomOk(['wallet', 'new', '--wallet', wallet, '--json']);
    await runParaloomOk([
      'wallet',
      'deposit',
      '--amount',
      '0.5',
      '--payer',
      payerFile,
      '--rpc',
      cohort.rpcUrl,
      ...common,
    ]);
    type Balance = { spendable: string; pending: string; refundedWithdrawals?: number };
    const balance = async () => lastJson<Balance>(await runParaloomOk(['wallet', 'balance', ...common]));
    const before = await until(
      'the deposit spendable',
      async () => {
        const b = await balance();
        return b.spendable === `${SOL / 2n}` ? b : undefined;
      },
      120_000,
    );
    console.log(`wallet balance before the withdrawal: spendable ${before.spendable} lamports`);

    const nonRelayer = cohort.validators[NON_RELAYER]!.address;
    const recipient = (await generateKeyPairSigner()).address;
    const submitted = lastJson<{ id: string; nullifier: string; fee: string; relayer: string }>(
      await runParaloomOk([
        'wallet',
        'withdraw',
        '--to',
        recipient,
        '--amount',
        '0.2',
        '--relayer',
        nonRelayer,
        '--valid-for',
        `${VALID_FOR}`,
        '--no-wait',
        ...common,
      ]),
    );
    expect(submitted.relayer).toBe(nonRelayer);
    const n0 = fieldFromDecimal(submitted.nullifier);
    // Kept while it is approved: the withdraw transaction anyone could have sent before expiry.
    let lastSeen = 'no status';
    const approved = await until(
      'the withdrawal approved by an anchor',
      async () => {
        const s = await client.withdrawal(n0);
        lastSeen = s
          ? `${s.state} (height ${s.height}, expiration slot ${s.expirationSlot}, slot now ${await rpc.slot('confirmed')})`
          : 'unknown';
        return s?.state === 'approved' && s.approval && s.transaction ? s : undefined;
      },
      120_000,
    ).catch((e: unknown) => {
      // Which stage it stopped at, and what the coordinators said about anchors meanwhile.
      const anchorLines = cohort.validators.flatMap((v, i) =>
        readFileSync(join(v.dir, 'node.log'), 'utf8')
          .split('\n')
          .filter((l) => l.includes('anchor'))
          .slice(-4)
          .map((l) => `validator ${i}: ${l.slice(0, 300)}`),
      );
      throw new Error(`${(e as Error).message}: last seen ${lastSeen}\n  ${anchorLines.join('\n  ')}`);
    });
    const tx = decodeTransaction(approved.transaction!).tx;
    const args = withdrawArgsOf(tx, approved.approval!);
    console.log(
      `withdrawal ${submitted.id}: 0.2 SOL + fee ${submitted.fee} naming validator ${NON_RELAYER} (does not relay), in L2 block ${approved.height}, approved by anchor ${approved.approval!.height}, expires at slot ${args.expirationSlot}`,
    );

    const after = await until(
      'the refund in the wallet',
      async () => {
        const b = await balance();
        return b.refundedWithdrawals === 1 ? b : undefined;
      },
      // The validity (~105 s) plus finalization and a block, with room for a loaded machine.
      400_000,
    );
    const finalized = await rpc.slot('finalized');
    console.log(
      `wallet balance after the refund: spendable ${after.spendable} lamports (before ${before.spendable}); finalized slot ${finalized} > expiration ${args.expirationSlot}`,
    );
    expect(after.spendable).toBe(before.spendable);
    expect(after.pending).toBe('0');
    expect(finalized).toBeGreaterThan(args.expirationSlot);
    // Never settled: the recipient got nothing, the nullifier records do not exist.
    expect(await rpc.balance(recipient)).toBe(0n);
    const programId = address(PARALOOM_DEV_PROGRAM_ID);
    for (const n of args.nullifiers) {
      const [pda] = await findNullifierPda(programId, fieldToBytesBE(n));
      expect(await rpc.accountData(pda, 'confirmed')).toBeNull();
    }
    // Every validator applied the same refund block; its log says which.
    const refundedAt = (v: { dir: string }) =>
      readFileSync(join(v.dir, 'node.log'), 'utf8')
        .split('\n')
        .filter((l) => l.includes('expired withdrawals refunded'))
        .map((l) => JSON.parse(l) as { height: string; withdrawals: string[] })
        .find((l) => l.withdrawals.some((w) => w.startsWith(`${approved.height}:`)));
    const line = await until('the refund block in every validator log', async () => {
      const lines = cohort.validators.map(refundedAt);
      return lines.every((l) => l?.height === lines[0]?.height) && lines[0] ? lines[0] : undefined;
    });
    console.log(`refunded in L2 block ${line.height} (withdrawal ${line.withdrawals.join(', ')})`);
    const status = await until('the ingress reporting the refund', async () => {
      const s = await client.withdrawal(n0);
      return s?.state === 'refunded' ? s : undefined;
    });
    console.log(`withdrawal status at the ingress: ${status.state}`);

    type Row = { kind: string; amount: string; txId?: string; state?: string };
    const { history } = lastJson<{ history: Row[] }>(await runParaloomOk(['wallet', 'history', ...common]));
    const mine = history.filter((h) => h.txId === submitted.id);
    console.log(`wallet history of ${submitted.id}: ${JSON.stringify(mine)}`);
    expect(mine).toEqual([
      expect.objectContaining({ kind: 'withdrawn', amount: `${SOL / 5n}`, state: 'expired, refunded' }),
      expect.objectContaining({
        kind: 'refunded',
        amount: `${SOL / 5n + BigInt(submitted.fee)}`,
        state: 'refund note spendable',
      }),
    ]);

    // The stale withdrawal, sent to the program from a funded key: refused as expired.
    const payer = await createKeyPairSignerFromPrivateKeyBytes(kp.secretKey.slice(0, 32));
    const sender = new TransactionSender(rpc, { feePayer: payer, commitment: 'confirmed', logger });
    const p = await deriveProgramAddresses(programId);
    const refusal = await sender
      .send([await withdrawInstruction(p, payer, args)], 'withdraw')
      .then(() => 'sent')
      .catch((e: unknown) => (e instanceof BridgeError ? e.code : String(e)));
    const code = PROGRAM_ERROR_BASE + PROGRAM_ERROR_CODES.indexOf('EXPIRED');
    console.log(`the program on the stale withdrawal: ${refusal} (${code})`);
    expect(refusal).toBe('EXPIRED');
    // `wallet settle` says so before sending anything (or that no anchor approves it any more).
    const settle = runParaloom([
      'wallet',
      'settle',
      submitted.nullifier,
      '--keypair',
      payerFile,
      '--ingress',
      via.ingress,
      '--rpc',
      cohort.rpcUrl,
      '--json',
    ]);
    expect(await settle.exited).toBe(1);
    const said = [...settle.stdout, ...settle.stderr].join('\n');
    console.log(`wallet settle on the stale withdrawal: ${said.trim().split('\n').at(-1)}`);
    expect(said).toMatch(/"state":"refunded"/);
    expect(await rpc.balance(recipient)).toBe(0n);
  }, 900_000);
});
