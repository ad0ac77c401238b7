/**
 * The withdrawals of a fault scenario's load, made as a user makes them: a real wallet (src/wallet)
 * shields one note per withdrawal before the load starts, then during the load proves and submits
 * each withdrawal (to a fresh Solana address, relayer and fee from the validators' floors) through
 * whichever validator answers. Each costs a proof (~3 to 7 s of one core here), so a scenario makes
 * a few. Tracked to the end: final, then settled on Solana by a relayer (or refunded if it expired).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSigner } from '@solana/kit';
import { encodeTransaction } from '../../src/ledger/index.js';
import {
  type CircuitArtifacts,
  type Field,
  loadCircuitArtifacts,
  NATIVE_ASSET,
} from '../../src/privacy/index.js';
import { IngressClient, Wallet } from '../../src/wallet/index.js';
import type { Depositor } from './load.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const NOTE_LAMPORTS = 100_000_000n;
const WITHDRAW_LAMPORTS = 40_000_000n;

export interface WithdrawalRecord {
  readonly atMs: number;
  ackedAtMs?: number;
  nullifier0?: string;
  /** Lamports the recipient gets, and the relayer's fee. */
  amount: bigint;
  fee: bigint;
  state?: string;
  error?: string;
}

type Encode = Parameters<Wallet['withdraw']>[1]['encode'];

export class Withdrawer {
  readonly records: WithdrawalRecord[] = [];

  private constructor(
    private readonly wallet: Wallet,
    private readonly artifacts: CircuitArtifacts,
    private readonly dir: string,
  ) {}

  /**
   * A wallet with `count` shielded notes, each landed in the L2 and under an anchored root (a
   * withdrawal must spend from one), before the load starts.
   */
  static async open(
    dir: string,
    count: number,
    depositor: Depositor,
    ingresses: () => readonly string[],
  ): Promise<Withdrawer> {
    const walletDir = join(dir, 'withdrawals-wallet');
    const wallet = Wallet.create(walletDir, { passphrase: 'paraloom-faults' });
    const notes = Array.from({ length: count }, () => wallet.prepareDeposit(NOTE_LAMPORTS));
    if (count) await depositor.deposit(notes);
    const w = new Withdrawer(wallet, await loadCircuitArtifacts(), walletDir);
    for (let k = 0; count && k < 240; k++) {
      const url = ingresses()[0];
      if (url) {
        const client = new IngressClient(url);
        try {
          await wallet.sync(client);
          const leaves = wallet.store.unspent(NATIVE_ASSET).map((n) => n.leafIndex);
          const covered = (await client.anchors()).some((a) => (a.leafCount ?? 0) > Math.max(...leaves));
          if (leaves.length >= count && covered) return w;
        } catch {
          // This validator does not answer now; the next try may ask another.
        }
      }
      await sleep(500);
    }
    if (count)
      throw new Error(`the withdrawal wallet's ${count} deposits were not landed and anchored within 2 min`);
    return w;
  }

  /** Proves and submits one withdrawal through the first validator that takes it. */
  async withdrawOne(atMs: number, ingresses: readonly string[], now: () => number): Promise<void> {
    const record: WithdrawalRecord = { atMs, amount: WITHDRAW_LAMPORTS, fee: 0n };
    this.records.push(record);
    const recipient = (await generateKeyPairSigner()).address;
    const encode: Encode = (proof) =>
      encodeTransaction({ proof: proof.proof.toWire(), statement: proof.statement });
    for (const url of ingresses) {
      try {
        const r = await this.wallet.withdraw(new IngressClient(url), {
          recipient,
          amount: WITHDRAW_LAMPORTS,
          artifacts: this.artifacts,
          encode,
        });
        record.ackedAtMs = now();
        record.nullifier0 = r.nullifier0.toString();
        record.fee = r.fee;
        delete record.error;
        return;
      } catch (e) {
        record.error = `${(e as { code?: string }).code ?? ''} ${(e as Error).message}`.trim();
      }
    }
  }

  /** Reads each acknowledged withdrawal's state from a validator. */
  async refresh(ingress: string): Promise<void> {
    const client = new IngressClient(ingress);
    for (const r of this.records) {
      if (!r.nullifier0 || r.state === 'settled' || r.state === 'refunded') continue;
      try {
        const view = await client.withdrawal(BigInt(r.nullifier0) as Field);
        if (view) r.state = view.state;
      } catch {
        // asked again on the next refresh
      }
    }
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
