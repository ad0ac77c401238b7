import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  type CircuitArtifacts,
  decodeAddress,
  encodeAddress,
  type Field,
  NATIVE_ASSET,
  type Note,
  noteCommitment,
  noteNullifier,
  type ProgressCallback,
  proveTransact,
  randomField,
  type SpendingKeys,
  type TransactProof,
} from '../privacy/index.js';
import { type BuiltTransaction, buildTransfer, type PathSource } from './builders.js';
import { WalletError } from './errors.js';
import type { IngressClient } from './ingress-client.js';
import { NoteStore } from './note-store.js';
import { scanOutputs } from './scanner.js';
import { createWalletFile, readWalletFile } from './wallet-file.js';

/** Encodes a proven transaction for the ingress (the ledger's wire codec, injected to keep layers apart). */
export type TransactionEncoder = (proof: TransactProof) => Uint8Array;

export interface SyncResult {
  readonly scanned: number;
  readonly received: number;
  readonly depositsLanded: number;
  readonly finalized: number;
}

/**
 * A user's shielded wallet: its key file and note store in one directory, synced from a validator's
 * ingress. Spends are tracked from submission until their outputs appear in the tree (final).
 */
export class Wallet {
  private constructor(
    readonly keys: SpendingKeys,
    readonly store: NoteStore,
  ) {}

  static create(dir: string): Wallet {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keys = createWalletFile(join(dir, 'wallet.json'));
    const store = NoteStore.open(join(dir, 'notes.json'));
    store.save();
    return new Wallet(keys, store);
  }

  static open(dir: string): Wallet {
    return new Wallet(readWalletFile(join(dir, 'wallet.json')), NoteStore.open(join(dir, 'notes.json')));
  }

  static inMemory(keys: SpendingKeys): Wallet {
    return new Wallet(keys, NoteStore.inMemory());
  }

  get address(): string {
    return encodeAddress(this.keys.address);
  }

  balance(asset: Field = NATIVE_ASSET): { spendable: bigint; pending: bigint; depositing: bigint } {
    const depositing = this.store.pendingDeposits
      .filter((d) => d.asset === asset)
      .reduce((s, d) => s + d.amount, 0n);
    return { ...this.store.balance(asset), depositing };
  }

  /**
   * A fresh note for a deposit of `amount`: the caller sends `deposit(amount, pk, blinding, asset)`
   * on chain; the note becomes spendable once an L2 block includes the program's commitment.
   */
  prepareDeposit(amount: bigint, asset: Field = NATIVE_ASSET): Note {
    if (amount <= 0n) throw new WalletError('AMOUNT_INVALID', 'deposit amount must be positive');
    const note: Note = { amount, pk: this.keys.pk, blinding: randomField(), asset };
    this.store.pendingDeposits.push({
      commitment: noteCommitment(note),
      amount,
      blinding: note.blinding,
      asset,
    });
    this.store.save();
    return note;
  }

  async sync(client: IngressClient): Promise<SyncResult> {
    const outputs = await client.outputsSince(this.store.scannedUpTo);
    const encrypted = outputs.filter((o) => o.envelope !== undefined) as Array<{
      leafIndex: number;
      commitment: Field;
      envelope: Uint8Array;
    }>;
    const received = scanOutputs(this.keys, this.store, encrypted);
    let depositsLanded = 0;
    const seen = new Set<Field>();
    for (const o of outputs) {
      seen.add(o.commitment);
      this.store.scannedUpTo = Math.max(this.store.scannedUpTo, o.leafIndex + 1);
      if (o.envelope !== undefined) continue;
      const i = this.store.pendingDeposits.findIndex((d) => d.commitment === o.commitment);
      if (i < 0) continue;
      const d = this.store.pendingDeposits.splice(i, 1)[0]!;
      this.store.add({
        commitment: d.commitment,
        leafIndex: o.leafIndex,
        amount: d.amount,
        blinding: d.blinding,
        asset: d.asset,
        nullifier: noteNullifier(this.keys.sk, d.commitment, o.leafIndex),
      });
      depositsLanded++;
    }
    let finalized = 0;
    for (let i = this.store.pendingTransactions.length - 1; i >= 0; i--) {
      const t = this.store.pendingTransactions[i]!;
      if (!t.outputs.every((c) => seen.has(c))) continue;
      this.store.markSpent(t.spends);
      this.store.record({ kind: t.kind, amount: t.amount, asset: t.asset, txId: t.id, at: Date.now() });
      this.store.pendingTransactions.splice(i, 1);
      finalized++;
    }
    this.store.save();
    return { scanned: outputs.length, received, depositsLanded, finalized };
  }

  /** Builds, proves and submits a private transfer; returns the transaction id. */
  async transfer(
    client: IngressClient,
    p: {
      to: string;
      amount: bigint;
      artifacts: CircuitArtifacts;
      encode: TransactionEncoder;
      onProgress?: ProgressCallback;
    },
  ): Promise<string> {
    const to = decodeAddress(p.to);
    const built = await this.withConsistentRoot(client, (root, pathOf) =>
      buildTransfer(this.keys, this.store, { to, amount: p.amount, root, pathOf }),
    );
    const proof = await proveTransact(built.request, p.artifacts, p.onProgress);
    const id = await client.submit(p.encode(proof));
    this.store.markPending(
      built.spends.map((n) => n.commitment),
      id,
    );
    this.store.pendingTransactions.push({
      id,
      kind: 'sent',
      amount: p.amount,
      asset: NATIVE_ASSET,
      spends: built.spends.map((n) => n.commitment),
      outputs: [...proof.statement.outputCommitments],
    });
    this.store.save();
    return id;
  }

  /**
   * Paths for every input must be against one root; a block landing between two path requests
   * changes it, so the build is retried a bounded number of times.
   */
  private async withConsistentRoot(
    client: IngressClient,
    build: (root: Field, pathOf: PathSource) => Promise<BuiltTransaction>,
  ): Promise<BuiltTransaction> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const { root } = await client.status();
      try {
        return await build(root, async (i) => {
          const r = await client.path(i);
          if (r.root !== root)
            throw new WalletError('ROOT_MISMATCH', 'the tree moved while building', { leafIndex: i });
          return r.path;
        });
      } catch (e) {
        if (!(e instanceof WalletError && e.code === 'ROOT_MISMATCH') || attempt === 2) throw e;
      }
    }
    throw new WalletError('ROOT_MISMATCH', 'the tree kept moving while building');
  }
}
