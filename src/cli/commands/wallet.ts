/**
 * `paraloom wallet new | restore | address | deposit | sync | balance | transfer | withdraw | settle |
 * history | disclose`: a shielded wallet in a directory (key file sealed under a passphrase, and note store, both
 * 0600), talking to a validator's ingress and, for deposits, to Solana. `--json` prints one JSON object
 * for scripts. The passphrase comes from PARALOOM_WALLET_PASSPHRASE or a no-echo prompt on the terminal.
 */
import type { Command } from 'commander';
import type { ProveStage } from '../../privacy/index.js';
import type { MergeEvent, PaymentPlan, SyncOptions, Wallet } from '../../wallet/index.js';
import { registerWalletDisclose } from './wallet-disclose.js';

/**
 * Each command loads what it uses when it runs: `wallet new` needs the wallet module only, a transfer
 * adds the prover, a deposit the bridge; `--help` loads none of them.
 */
const loadWallet = () => import('../../wallet/index.js');
const loadPrivacy = () => import('../../privacy/index.js');
const loadLedger = () => import('../../ledger/index.js');

const LAMPORTS_PER_SOL = 1_000_000_000n;
const DEFAULT_WALLET = '.paraloom/wallet';
const DEFAULT_INGRESS = 'http://127.0.0.1:9500';

interface Common {
  wallet: string;
  ingress: string;
  json?: boolean;
}

/** "1.5" SOL to lamports, exactly (no floating point). */
export function parseSol(text: string): bigint {
  const m = /^(\d{1,12})(?:\.(\d{1,9}))?$/.exec(text.trim());
  if (!m) throw new Error(`not an amount of SOL: ${text} (use e.g. 1.5)`);
  return BigInt(m[1]!) * LAMPORTS_PER_SOL + BigInt((m[2] ?? '').padEnd(9, '0'));
}

export function formatSol(lamports: bigint): string {
  const whole = lamports / LAMPORTS_PER_SOL;
  const frac = (lamports % LAMPORTS_PER_SOL).toString().padStart(9, '0').replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : `${whole}`;
}

function parseSlots(text: string): bigint {
  if (!/^\d{1,12}$/.test(text) || BigInt(text) === 0n) throw new Error(`not a number of slots: ${text}`);
  return BigInt(text);
}

function out(json: boolean | undefined, value: Record<string, unknown>, text: string): void {
  console.log(
    json ? JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) : text,
  );
}

function withCommon(cmd: Command): Command {
  return cmd
    .option('--wallet <dir>', 'wallet directory', DEFAULT_WALLET)
    .option('--ingress <url>', "a validator's ingress URL", DEFAULT_INGRESS)
    .option('--json', 'print one JSON object');
}

/** Unlocks the wallet in `dir`, asking for the passphrase on the terminal unless the environment has it. */
export async function openWallet(dir: string): Promise<Wallet> {
  const { askPassphrase, readWalletAddress, Wallet } = await loadWallet();
  const { join } = await import('node:path');
  // A missing or unreadable key file is said before anyone types a passphrase for it.
  readWalletAddress(join(dir, 'wallet.json'));
  return Wallet.open(dir, { passphrase: await askPassphrase() });
}

/** The recovery phrase for `restore`: from a file, else a no-echo prompt on a terminal, else stdin. */
async function readMnemonic(file: string | undefined): Promise<string> {
  if (file !== undefined) {
    const { readFile } = await import('node:fs/promises');
    return readFile(file, 'utf8');
  }
  if (process.stdin.isTTY) {
    const { readHidden } = await loadWallet();
    return readHidden('recovery phrase (24 words, not shown): ');
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The phrase, numbered four words to a line, for writing down. */
function numberedWords(mnemonic: string): string {
  const words = mnemonic.split(' ');
  const lines: string[] = [];
  for (let i = 0; i < words.length; i += 4) {
    lines.push(
      words
        .slice(i, i + 4)
        .map((w, j) => `${String(i + j + 1).padStart(2)}. ${w.padEnd(9)}`)
        .join(' ')
        .trimEnd(),
    );
  }
  return lines.join('\n');
}

async function progressBar(json: boolean | undefined): Promise<((stage: ProveStage) => void) | undefined> {
  if (json || !process.stderr.isTTY) return undefined;
  const { SingleBar } = await import('cli-progress');
  const stages: ProveStage[] = ['checking', 'witness', 'proving', 'done'];
  const bar = new SingleBar({ format: 'proving [{bar}] {stage}', stream: process.stderr }, undefined);
  bar.start(stages.length - 1, 0, { stage: 'checking' });
  return (stage) => {
    bar.update(stages.indexOf(stage), { stage });
    if (stage === 'done') bar.stop();
  };
}

/** A sync's progress on the terminal (stderr), one line per checkpoint; nothing for scripts. */
function syncProgress(json: boolean | undefined): SyncOptions {
  if (json || !process.stderr.isTTY) return {};
  return {
    onProgress: ({ leafCount, target }) => process.stderr.write(`\rsynced ${leafCount} / ${target} outputs`),
  };
}

function planNote(n: PaymentPlan['payWith'][number]): string {
  return `${formatSol(n.amount)} SOL (${n.note ? `leaf ${n.note.leafIndex}` : `merge ${n.fromStep}`})`;
}

/** A payment plan for `--dry-run`: JSON for scripts, or one line per step. */
function printPlan(json: boolean | undefined, plan: PaymentPlan): void {
  const noteJson = (n: PaymentPlan['payWith'][number]) => ({
    amount: n.amount,
    ...(n.note ? { leafIndex: n.note.leafIndex } : { fromStep: n.fromStep }),
  });
  out(
    json,
    {
      dryRun: true,
      target: plan.target,
      rounds: plan.rounds,
      merges: plan.merges.map((m) => ({
        step: m.step,
        round: m.round,
        inputs: m.inputs.map(noteJson),
        amount: m.amount,
      })),
      payWith: plan.payWith.map(noteJson),
    },
    [
      plan.merges.length === 0
        ? `plan for ${formatSol(plan.target)} SOL: no merge needed`
        : `plan for ${formatSol(plan.target)} SOL: ${plan.merges.length} merging transfer(s) to yourself in ${plan.rounds} round(s), each waiting until final, then the payment`,
      ...plan.merges.map(
        (m) =>
          `  merge ${m.step} (round ${m.round}): ${planNote(m.inputs[0])} + ${planNote(m.inputs[1])} -> ${formatSol(m.amount)} SOL`,
      ),
      `  pay with: ${plan.payWith.map(planNote).join(' + ')}`,
      'nothing was proven or sent (dry run)',
    ].join('\n'),
  );
}

/** Merge progress on stderr (scripts with --json get none: the final JSON line says what happened). */
function mergeReporter(json: boolean | undefined): ((e: MergeEvent) => void) | undefined {
  if (json) return undefined;
  return (e) => {
    if (e.kind === 'plan' && e.plan.merges.length > 0) {
      console.error(
        `the payment needs ${e.plan.merges.length + 2} notes: merging them first (${e.plan.merges.length} transfer(s) to yourself, ${e.plan.rounds} round(s))`,
      );
    } else if (e.kind === 'merge-sent') {
      console.error(
        `merge ${e.step} of ${e.of} sent: ${formatSol(e.amounts[0])} + ${formatSol(e.amounts[1])} SOL (${e.id})`,
      );
    } else if (e.kind === 'waiting') {
      console.error(`waiting for ${e.pending} merge(s) to become final`);
    } else if (e.kind === 'final') {
      console.error(`merges final (${e.merged}); sending the payment`);
    }
  };
}

export function registerWalletCommand(program: Command): void {
  const wallet = program.command('wallet').description('a shielded wallet: keys, notes, private payments');

  withCommon(
    wallet
      .command('new')
      .description(
        'create a wallet: a 24-word recovery phrase, shown once, and a key file sealed under a passphrase',
      )
      .option(
        '--view-only <key>',
        'a watch-only wallet for a viewing key (plmfvk1…: balance, spends, history; plmivk1…: incoming payments)',
      )
      .option('--birthday <height>', 'with --view-only: L2 height to start scanning at', '0')
      .option(
        '--rpc <url>',
        'with --view-only: Solana RPC URL, to find the deposits',
        'http://127.0.0.1:8899',
      )
      .option('--program <id>', 'with --view-only: Paraloom program id (default: the dev program id)'),
  ).action(async (o: Common & { viewOnly?: string; birthday: string; rpc: string; program?: string }) => {
    if (o.viewOnly !== undefined) {
      const { viewOnlyAction } = await import('./wallet-recover.js');
      return viewOnlyAction(o.viewOnly, o, (value, text) => out(o.json, value, text));
    }
    const { askPassphrase, generateWalletMnemonic, Wallet } = await loadWallet();
    const passphrase = await askPassphrase({ confirm: true });
    const mnemonic = generateWalletMnemonic();
    const w = Wallet.create(o.wallet, { mnemonic, passphrase });
    out(
      o.json,
      { address: w.address, mnemonic, dir: o.wallet },
      [
        `created ${o.wallet}`,
        `address ${w.address}`,
        '',
        'Recovery phrase. WRITE THIS DOWN and keep it offline: it is the only way to restore this wallet,',
        'and it is not shown again. Anyone who reads it can spend your funds.',
        '',
        numberedWords(mnemonic),
      ].join('\n'),
    );
  });

  withCommon(
    wallet
      .command('restore')
      .description(
        'rebuild a wallet from its recovery phrase (asked on the terminal, or stdin): deposits from Solana, notes and spends from a validator',
      )
      .option('--mnemonic-file <file>', 'read the phrase from this file instead of the terminal or stdin')
      .option('--birthday <height>', 'L2 height the wallet was created at: the sync starts there', '0')
      .option('--rpc <url>', 'Solana RPC URL, to find the deposits', 'http://127.0.0.1:8899')
      .option('--program <id>', 'Paraloom program id (default: the dev program id of this release)'),
  ).action(async (o: Common & { mnemonicFile?: string; birthday: string; rpc: string; program?: string }) => {
    const { normalizeMnemonic } = await loadWallet();
    // A mistyped phrase fails here, before any passphrase is asked or anything is written.
    const mnemonic = normalizeMnemonic(await readMnemonic(o.mnemonicFile));
    const { restoreAction } = await import('./wallet-recover.js');
    await restoreAction(mnemonic, o, (value, text) => out(o.json, value, text));
  });

  withCommon(
    wallet
      .command('export-viewing-key')
      .description(
        'print a viewing key for a watch-only wallet: full (balance, spends, history) or --incoming (payments received only); it cannot spend',
      )
      .option('--incoming', 'the incoming viewing key: no spends, no balance'),
  ).action(async (o: Common & { incoming?: boolean }) => {
    const w = await openWallet(o.wallet);
    const kind = o.incoming ? 'incoming' : 'full';
    const viewingKey = w.viewingKey(kind);
    out(o.json, { viewingKey, kind }, viewingKey);
  });

  withCommon(wallet.command('address').description("print this wallet's shielded address")).action(
    async (o: Common) => {
      const { readWalletAddress } = await loadWallet();
      const { join } = await import('node:path');
      const address = readWalletAddress(join(o.wallet, 'wallet.json'));
      out(o.json, { address }, address);
    },
  );

  withCommon(
    wallet
      .command('sync')
      .description('scan new outputs for notes addressed to this wallet (resumes from its last checkpoint)')
      .option('--checkpoint-every <outputs>', 'write a checkpoint every this many outputs', '10000'),
  ).action(async (o: Common & { checkpointEvery: string }) => {
    const { IngressClient } = await loadWallet();
    if (!/^[1-9]\d{0,9}$/.test(o.checkpointEvery))
      throw new Error(`--checkpoint-every is a positive number of outputs, not ${o.checkpointEvery}`);
    const w = await openWallet(o.wallet);
    const r = await w.sync(new IngressClient(o.ingress), {
      ...syncProgress(o.json),
      checkpointEvery: Number(o.checkpointEvery),
    });
    if (!o.json && process.stderr.isTTY && r.scanned > 0) process.stderr.write('\n');
    out(
      o.json,
      { ...r },
      `scanned ${r.scanned} outputs: ${r.received} received, ${r.depositsLanded} deposits landed, ${r.finalized} spends final${r.spendsSeen ? `, ${r.spendsSeen} spends made elsewhere` : ''}`,
    );
  });

  withCommon(wallet.command('balance').description('shielded balance (syncs first)')).action(
    async (o: Common) => {
      const { IngressClient } = await loadWallet();
      const w = await openWallet(o.wallet);
      await w.sync(new IngressClient(o.ingress));
      const b = w.balance();
      // Refund notes are ordinary notes (in spendable); the count says where they came from.
      const refunded = w.store.refundedWithdrawals.size;
      out(
        o.json,
        {
          spendable: b.spendable,
          pending: b.pending,
          depositing: b.depositing,
          ...(refunded ? { refundedWithdrawals: refunded } : {}),
        },
        `spendable ${formatSol(b.spendable)} SOL, pending ${formatSol(b.pending)} SOL, depositing ${formatSol(b.depositing)} SOL${refunded ? ` (incl. refunds of ${refunded} expired withdrawal${refunded > 1 ? 's' : ''})` : ''}`,
      );
    },
  );

  withCommon(
    wallet.command('history').description('received and sent payments, withdrawals and their refunds'),
  ).action(async (o: Common) => {
    const w = await openWallet(o.wallet);
    const refunded = w.store.refundedWithdrawals;
    // What `wallet disclose` takes: a received note's leaf index, a sent transfer's id (and its output's leaf).
    const sentLeaf = new Map(w.store.sentPayments.map((p) => [p.txId, p.leafIndex]));
    const rows = w.store.history.map((h) => {
      // A withdrawal whose refund arrived expired unsettled; its refund note is spendable.
      const state =
        h.kind === 'withdrawn' && h.txId && refunded.has(h.txId)
          ? 'expired, refunded'
          : h.kind === 'refunded'
            ? 'refund note spendable'
            : undefined;
      const leafIndex = h.kind === 'sent' && h.txId ? sentLeaf.get(h.txId) : h.leafIndex;
      return {
        ...h,
        at: new Date(h.at).toISOString(),
        ...(h.commitment !== undefined ? { commitment: h.commitment.toString() } : {}),
        ...(leafIndex !== undefined ? { leafIndex } : {}),
        ...(state ? { state } : {}),
      };
    });
    out(
      o.json,
      { history: rows },
      rows
        .map(
          (h) =>
            `${h.at}  ${h.kind.padEnd(9)} ${formatSol(h.amount)} SOL${h.txId ? `  ${h.txId}` : ''}${h.leafIndex !== undefined ? `  leaf ${h.leafIndex}` : ''}${h.state ? `  (${h.state})` : ''}`,
        )
        .join('\n') || 'no history yet',
    );
  });

  withCommon(
    wallet
      .command('transfer')
      .description('pay a shielded address privately')
      .requiredOption('--to <address>', 'recipient shielded address (plm1...)')
      .requiredOption('--amount <sol>', 'amount in SOL, e.g. 1.5')
      .option(
        '--dry-run',
        'print the plan (merges of your notes, then the payment) without proving or sending',
      ),
  ).action(async (o: Common & { to: string; amount: string; dryRun?: boolean }) => {
    const [{ IngressClient }, { loadCircuitArtifacts, shutdownProver }, { encodeTransaction }] =
      await Promise.all([loadWallet(), loadPrivacy(), loadLedger()]);
    const w = await openWallet(o.wallet);
    w.spendingKeys(); // a watch-only wallet refuses here (VIEW_ONLY), before anything is sent
    const client = new IngressClient(o.ingress);
    await w.sync(client, syncProgress(o.json));
    const amount = parseSol(o.amount);
    if (o.dryRun) {
      printPlan(o.json, w.planPayment(amount));
      return;
    }
    const artifacts = await loadCircuitArtifacts();
    const onProgress = await progressBar(o.json);
    const encode = (p: import('../../privacy/index.js').TransactProof) =>
      encodeTransaction({ proof: p.proof.toWire(), statement: p.statement });
    const onEvent = mergeReporter(o.json);
    try {
      const { merged } = await w.mergeForPayment(client, {
        target: amount,
        artifacts,
        encode,
        ...(onEvent ? { onEvent } : {}),
        ...(onProgress ? { onProgress } : {}),
      });
      const id = await w.transfer(client, {
        to: o.to,
        amount,
        artifacts,
        encode,
        ...(onProgress ? { onProgress } : {}),
      });
      out(
        o.json,
        { id, status: 'submitted', merged },
        `submitted ${id}; run 'paraloom wallet sync' to see it final`,
      );
    } finally {
      await shutdownProver();
    }
  });

  withCommon(
    wallet
      .command('withdraw')
      .description('unshield: pay SOL from the pool to a Solana address, settled by the relayer')
      .requiredOption('--to <address>', 'recipient Solana address (base58)')
      .requiredOption('--amount <sol>', 'amount in SOL the recipient receives')
      .option('--fee <sol>', "relayer fee in SOL (default: the chosen relayer's on-chain floor)")
      .option(
        '--relayer <address>',
        "relayer's Solana address (default: the cheapest active validator, ties to the ingress's own)",
      )
      .option(
        '--valid-for <slots>',
        'slots the withdrawal stays valid; expired unsettled, it is refunded',
        '3000',
      )
      .option('--no-wait', 'return once submitted instead of waiting until settled on Solana')
      .option('--timeout <seconds>', 'how long to wait for settlement', '180')
      .option(
        '--dry-run',
        'print the plan (merges of your notes, then the withdrawal) without proving or sending',
      ),
  ).action(
    async (
      o: Common & {
        to: string;
        amount: string;
        fee?: string;
        relayer?: string;
        validFor: string;
        wait: boolean;
        timeout: string;
        dryRun?: boolean;
      },
    ) => {
      const [
        { IngressClient, WalletError },
        { loadCircuitArtifacts, shutdownProver },
        { encodeTransaction },
      ] = await Promise.all([loadWallet(), loadPrivacy(), loadLedger()]);
      const w = await openWallet(o.wallet);
      w.spendingKeys(); // a watch-only wallet refuses here (VIEW_ONLY), before anything is sent
      const client = new IngressClient(o.ingress);
      await w.sync(client, syncProgress(o.json));
      const amount = parseSol(o.amount);
      const terms = await w.relayerTerms(client, {
        ...(o.fee !== undefined ? { fee: parseSol(o.fee) } : {}),
        ...(o.relayer !== undefined ? { relayer: o.relayer } : {}),
      });
      if (o.dryRun) {
        printPlan(o.json, w.planPayment(amount + terms.fee));
        return;
      }
      const artifacts = await loadCircuitArtifacts();
      const onProgress = await progressBar(o.json);
      let submitted: Awaited<ReturnType<Wallet['withdraw']>> | undefined;
      let anchorDeadline = Date.now() + 60_000;
      const onEvent = mergeReporter(o.json);
      try {
        const { merged } = await w.mergeForPayment(client, {
          target: amount + terms.fee,
          artifacts,
          encode: (p) => encodeTransaction({ proof: p.proof.toWire(), statement: p.statement }),
          ...(onEvent ? { onEvent } : {}),
          ...(onProgress ? { onProgress } : {}),
        });
        // A merged note becomes spendable by a withdrawal once an anchored root covers it.
        if (merged > 0) anchorDeadline = Date.now() + 180_000;
        while (!submitted) {
          try {
            submitted = await w.withdraw(client, {
              recipient: o.to,
              amount,
              fee: terms.fee,
              relayer: terms.relayer,
              validForSlots: parseSlots(o.validFor),
              artifacts,
              encode: (p) => encodeTransaction({ proof: p.proof.toWire(), statement: p.statement }),
              ...(onProgress ? { onProgress } : {}),
            });
          } catch (e) {
            // A note newer than the last anchor becomes spendable by a withdrawal within seconds.
            const waiting =
              e instanceof WalletError && (e.code === 'NOT_YET_ANCHORED' || e.code === 'NO_ANCHORED_ROOT');
            if (!waiting || Date.now() > anchorDeadline) throw e;
            if (!o.json) console.error('waiting for an anchored root that covers your notes');
            await new Promise((r) => setTimeout(r, 1_000));
          }
        }
      } finally {
        await shutdownProver();
      }
      const base = {
        id: submitted.id,
        nullifier: submitted.nullifier0.toString(),
        fee: submitted.fee,
        relayer: submitted.relayer,
      };
      if (!o.wait) {
        out(o.json, { ...base, state: 'submitted' }, `submitted ${submitted.id}`);
        return;
      }
      const deadline = Date.now() + Number(o.timeout) * 1000;
      let last = '';
      for (;;) {
        const s = await client.withdrawal(submitted.nullifier0);
        const state = s?.state ?? 'pending';
        if (state !== last && !o.json) console.error(`withdrawal ${state}`);
        last = state;
        if (s?.state === 'settled') {
          await w.sync(client);
          out(
            o.json,
            {
              ...base,
              state,
              height: s.height,
              approvalHeight: s.approvalHeight,
              signature: s.signature ?? null,
            },
            `settled: ${formatSol(s.amount)} SOL to ${s.recipient} (L2 block ${s.height}, approved by anchor ${s.approvalHeight ?? '?'}${s.signature ? `, Solana tx ${s.signature}` : ''})`,
          );
          return;
        }
        // Past its expiration it can only be refunded: look for the refund note instead.
        if (s && ((await client.status()).solanaSlot ?? 0n) > s.expirationSlot) {
          await w.sync(client);
          if (w.store.refundedWithdrawals.has(submitted.id)) {
            if (!o.json) console.error('withdrawal expired unsettled and refunded');
            out(
              o.json,
              { ...base, state: 'refunded', height: s.height, expirationSlot: s.expirationSlot },
              `expired unsettled (slot ${s.expirationSlot}); refunded: ${formatSol(s.amount + s.fee)} SOL back in this wallet`,
            );
            process.exitCode = 1;
            return;
          }
        }
        if (Date.now() > deadline) {
          throw new Error(
            `withdrawal ${submitted.id} not settled within ${o.timeout} s (last state: ${state})`,
          );
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    },
  );

  registerWalletDisclose(wallet);

  wallet
    .command('settle')
    .description(
      'send an approved withdrawal to Solana yourself, from any funded key (the fee still goes to the named relayer)',
    )
    .argument('<nullifier>', 'the withdrawal (its first nullifier, as `wallet withdraw` prints it)')
    .requiredOption('--keypair <file>', 'Solana keypair file (JSON array) paying the transaction and rent')
    .option('--ingress <url>', "a validator's ingress URL", DEFAULT_INGRESS)
    .option('--rpc <url>', 'Solana RPC URL', 'http://127.0.0.1:8899')
    .option('--program <id>', 'Paraloom program id (default: the dev program id of this release)')
    .option('--json', 'print one JSON object')
    .action(async (nullifier: string, o: import('./wallet-settle.js').SettleOptions) =>
      (await import('./wallet-settle.js')).settleAction(nullifier, o),
    );

  withCommon(
    wallet
      .command('deposit')
      .description('shield SOL: deposit into the pool on Solana (the note lands in the next L2 block)')
      .requiredOption('--amount <sol>', 'amount in SOL')
      .option('--payer <keypair>', 'Solana keypair file (JSON array) paying the deposit')
      .option('--airdrop', 'localnet only: pay from a fresh key the localnet faucet funds')
      .option('--config <file>', 'node config: with --airdrop, its solana.cluster must be localnet')
      .option('--rpc <url>', 'Solana RPC URL', 'http://127.0.0.1:8899')
      .option('--program <id>', 'Paraloom program id (default: the dev program id of this release)'),
  ).action(
    async (
      o: Common & {
        amount: string;
        payer?: string;
        airdrop?: boolean;
        config?: string;
        rpc: string;
        program?: string;
      },
    ) => {
      if ((o.payer === undefined) === !o.airdrop)
        throw new Error('give exactly one of --payer <keypair> and --airdrop');
      const [kit, bridge, { createLogger }] = await Promise.all([
        import('@solana/kit'),
        import('../../bridge/index.js'),
        import('../../common/index.js'),
      ]);
      const {
        BridgeRpc,
        checkProgramVersion,
        depositInstruction,
        deriveProgramAddresses,
        TransactionSender,
      } = bridge;
      const amount = parseSol(o.amount);
      const w = await openWallet(o.wallet);
      w.spendingKeys(); // a watch-only wallet refuses here (VIEW_ONLY), before anything is sent
      const logger = createLogger('wallet', 'warn');
      const rpc = new BridgeRpc({ rpcUrl: o.rpc, logger });
      const programId = kit.address(o.program ?? bridge.PARALOOM_DEV_PROGRAM_ID);
      let payer: import('@solana/kit').KeyPairSigner;
      if (o.airdrop) {
        const { AIRDROP_FEE_MARGIN, assertLocalnet, fundFreshPayer } = await import('./wallet-airdrop.js');
        const cluster = o.config
          ? (await (await import('../../config/index.js')).loadConfig(o.config)).solana.cluster
          : undefined;
        await assertLocalnet(o.rpc, cluster);
        await checkProgramVersion(rpc, programId, { commitment: 'confirmed' });
        payer = await fundFreshPayer(o.rpc, amount + AIRDROP_FEE_MARGIN);
      } else {
        await checkProgramVersion(rpc, programId, { commitment: 'confirmed' });
        const { readKeypairFile } = await import('../../validator/index.js');
        const keypair = await readKeypairFile(o.payer!);
        payer = await kit.createKeyPairSignerFromPrivateKeyBytes(keypair.secretKey.slice(0, 32));
      }
      const note = w.prepareDeposit(amount);
      const ix = depositInstruction(await deriveProgramAddresses(programId), payer, {
        amount,
        ownerPk: note.pkD,
        blinding: note.blinding,
        asset: note.asset,
      });
      const sent = await new TransactionSender(rpc, {
        feePayer: payer,
        commitment: 'confirmed',
        logger,
      }).send([ix], 'deposit');
      out(
        o.json,
        { signature: sent.signature, amount, payer: payer.address },
        `deposited ${formatSol(amount)} SOL from ${payer.address} (${sent.signature}); spendable once an L2 block includes it`,
      );
    },
  );
}
