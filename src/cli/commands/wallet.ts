/**
 * `paraloom wallet new | address | deposit | sync | balance | transfer | withdraw | history`: a shielded wallet
 * in a directory (key file and note store, both 0600), talking to a validator's ingress and, for
 * deposits, to Solana. `--json` prints one JSON object for scripts.
 */
import type { Command } from 'commander';
import type { ProveStage } from '../../privacy/index.js';
import type { Wallet } from '../../wallet/index.js';

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

export function registerWalletCommand(program: Command): void {
  const wallet = program.command('wallet').description('a shielded wallet: keys, notes, private payments');

  withCommon(
    wallet.command('new').description('create a wallet (key file and note store, mode 0600)'),
  ).action(async (o: Common) => {
    const { Wallet } = await loadWallet();
    const w = Wallet.create(o.wallet);
    out(o.json, { address: w.address, dir: o.wallet }, `created ${o.wallet}\naddress ${w.address}`);
  });

  withCommon(wallet.command('address').description("print this wallet's shielded address")).action(
    async (o: Common) => {
      const { Wallet } = await loadWallet();
      const w = Wallet.open(o.wallet);
      out(o.json, { address: w.address }, w.address);
    },
  );

  withCommon(
    wallet.command('sync').description('scan new outputs for notes addressed to this wallet'),
  ).action(async (o: Common) => {
    const { IngressClient, Wallet } = await loadWallet();
    const w = Wallet.open(o.wallet);
    const r = await w.sync(new IngressClient(o.ingress));
    out(
      o.json,
      { ...r },
      `scanned ${r.scanned} outputs: ${r.received} received, ${r.depositsLanded} deposits landed, ${r.finalized} spends final`,
    );
  });

  withCommon(wallet.command('balance').description('shielded balance (syncs first)')).action(
    async (o: Common) => {
      const { IngressClient, Wallet } = await loadWallet();
      const w = Wallet.open(o.wallet);
      await w.sync(new IngressClient(o.ingress));
      const b = w.balance();
      out(
        o.json,
        { spendable: b.spendable, pending: b.pending, depositing: b.depositing },
        `spendable ${formatSol(b.spendable)} SOL, pending ${formatSol(b.pending)} SOL, depositing ${formatSol(b.depositing)} SOL`,
      );
    },
  );

  withCommon(wallet.command('history').description('received and sent payments')).action(
    async (o: Common) => {
      const { Wallet } = await loadWallet();
      const w = Wallet.open(o.wallet);
      const rows = w.store.history.map((h) => ({ ...h, at: new Date(h.at).toISOString() }));
      out(
        o.json,
        { history: rows },
        rows
          .map((h) => `${h.at}  ${h.kind.padEnd(9)} ${formatSol(h.amount)} SOL${h.txId ? `  ${h.txId}` : ''}`)
          .join('\n') || 'no history yet',
      );
    },
  );

  withCommon(
    wallet
      .command('transfer')
      .description('pay a shielded address privately')
      .requiredOption('--to <address>', 'recipient shielded address (plm1...)')
      .requiredOption('--amount <sol>', 'amount in SOL, e.g. 1.5'),
  ).action(async (o: Common & { to: string; amount: string }) => {
    const [{ IngressClient, Wallet }, { loadCircuitArtifacts, shutdownProver }, { encodeTransaction }] =
      await Promise.all([loadWallet(), loadPrivacy(), loadLedger()]);
    const w = Wallet.open(o.wallet);
    const client = new IngressClient(o.ingress);
    await w.sync(client);
    const artifacts = await loadCircuitArtifacts();
    const onProgress = await progressBar(o.json);
    try {
      const id = await w.transfer(client, {
        to: o.to,
        amount: parseSol(o.amount),
        artifacts,
        encode: (p) => encodeTransaction({ proof: p.proof.toWire(), statement: p.statement }),
        ...(onProgress ? { onProgress } : {}),
      });
      out(o.json, { id, status: 'submitted' }, `submitted ${id}; run 'paraloom wallet sync' to see it final`);
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
      .option('--fee <sol>', "relayer fee in SOL (default: the relayer's minimum)")
      .option('--relayer <address>', "relayer's Solana address (default: the validator's relayer)")
      .option('--no-wait', 'return once submitted instead of waiting until settled on Solana')
      .option('--timeout <seconds>', 'how long to wait for settlement', '180'),
  ).action(
    async (
      o: Common & {
        to: string;
        amount: string;
        fee?: string;
        relayer?: string;
        wait: boolean;
        timeout: string;
      },
    ) => {
      const [
        { IngressClient, Wallet, WalletError },
        { loadCircuitArtifacts, shutdownProver },
        { encodeTransaction },
      ] = await Promise.all([loadWallet(), loadPrivacy(), loadLedger()]);
      const w = Wallet.open(o.wallet);
      const client = new IngressClient(o.ingress);
      await w.sync(client);
      const artifacts = await loadCircuitArtifacts();
      const onProgress = await progressBar(o.json);
      let submitted: Awaited<ReturnType<Wallet['withdraw']>> | undefined;
      const anchorDeadline = Date.now() + 60_000;
      try {
        while (!submitted) {
          try {
            submitted = await w.withdraw(client, {
              recipient: o.to,
              amount: parseSol(o.amount),
              ...(o.fee !== undefined ? { fee: parseSol(o.fee) } : {}),
              ...(o.relayer !== undefined ? { relayer: o.relayer } : {}),
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
        if (Date.now() > deadline) {
          throw new Error(
            `withdrawal ${submitted.id} not settled within ${o.timeout} s (last state: ${state})`,
          );
        }
        await new Promise((r) => setTimeout(r, 500));
      }
    },
  );

  withCommon(
    wallet
      .command('deposit')
      .description('shield SOL: deposit into the pool on Solana (the note lands in the next L2 block)')
      .requiredOption('--amount <sol>', 'amount in SOL')
      .requiredOption('--payer <keypair>', 'Solana keypair file (JSON array) paying the deposit')
      .option('--rpc <url>', 'Solana RPC URL', 'http://127.0.0.1:8899')
      .option('--program <id>', 'Paraloom program id (default: the dev program id of this release)'),
  ).action(async (o: Common & { amount: string; payer: string; rpc: string; program?: string }) => {
    const [{ Wallet }, kit, bridge, { createLogger }, { readKeypairFile }] = await Promise.all([
      loadWallet(),
      import('@solana/kit'),
      import('../../bridge/index.js'),
      import('../../common/index.js'),
      import('../../validator/index.js'),
    ]);
    const { BridgeRpc, checkProgramVersion, depositInstruction, deriveProgramAddresses, TransactionSender } =
      bridge;
    const w = Wallet.open(o.wallet);
    const logger = createLogger('wallet', 'warn');
    const rpc = new BridgeRpc({ rpcUrl: o.rpc, logger });
    const programId = kit.address(o.program ?? bridge.PARALOOM_DEV_PROGRAM_ID);
    await checkProgramVersion(rpc, programId, { commitment: 'confirmed' });
    const keypair = await readKeypairFile(o.payer);
    const payer = await kit.createKeyPairSignerFromPrivateKeyBytes(keypair.secretKey.slice(0, 32));
    const amount = parseSol(o.amount);
    const note = w.prepareDeposit(amount);
    const ix = depositInstruction(await deriveProgramAddresses(programId), payer, {
      amount,
      ownerPk: note.pkD,
      blinding: note.blinding,
      asset: note.asset,
    });
    const sent = await new TransactionSender(rpc, { feePayer: payer, commitment: 'confirmed', logger }).send(
      [ix],
      'deposit',
    );
    out(
      o.json,
      { signature: sent.signature, amount },
      `deposited ${formatSol(amount)} SOL (${sent.signature}); spendable once an L2 block includes it`,
    );
  });
}
