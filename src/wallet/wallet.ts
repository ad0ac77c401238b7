import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { address, getAddressEncoder, isAddress } from '@solana/kit';
import {
  type CircuitArtifacts,
  decodeAddress,
  depositNote,
  encodeAddress,
  type Field,
  MemoryTreeStorage,
  MerkleTree,
  NATIVE_ASSET,
  type Note,
  noteCommitment,
  noteNullifier,
  type ProgressCallback,
  proveTransact,
  type TransactProof,
  type WalletKeys,
} from '../privacy/index.js';
import { type BuiltTransaction, buildTransfer, buildWithdraw, type PathSource } from './builders.js';
import { WalletError } from './errors.js';
import type { IngressClient } from './ingress-client.js';
import type { ScryptParams } from './key-store.js';
import { generateWalletMnemonic } from './mnemonic.js';
import { NoteStore } from './note-store.js';
import { requirePassphrase } from './passphrase.js';
import { chooseRelayer } from './relayer-choice.js';
import { scanOutputs } from './scanner.js';
import { createWalletFile, readWalletFile } from './wallet-file.js';

function solanaAddressBytes(text: string, what: string): Uint8Array {
  if (!isAddress(text))
    throw new WalletError('ADDRESS_INVALID', `${what} is not a Solana address`, { what, address: text });
  return Uint8Array.from(getAddressEncoder().encode(address(text)));
}

/** Encodes a proven transaction for the ingress (the ledger's wire codec, injected to keep layers apart). */
export type TransactionEncoder = (proof: TransactProof) => Uint8Array;

export interface WalletCreateOptions {
  readonly passphrase?: string;
  readonly mnemonic?: string;
  /** First leaf index to scan (a restore's birthday); 0 when absent. */
  readonly scanFrom?: number;
  /** Key-derivation cost; the default (DEFAULT_SCRYPT) unless a test needs a cheap one. */
  readonly scrypt?: ScryptParams;
}

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
    readonly keys: WalletKeys,
    readonly store: NoteStore,
  ) {}

  /**
   * A new wallet in `dir`: the key file for `mnemonic` (a fresh one when absent) sealed under the
   * passphrase (default: PARALOOM_WALLET_PASSPHRASE), and an empty note store that scans from
   * `scanFrom` (a restore's birthday, as a leaf index). Refuses to overwrite a key file.
   */
  static create(dir: string, opts: WalletCreateOptions = {}): Wallet {
    const passphrase = opts.passphrase ?? requirePassphrase();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const keys = createWalletFile(join(dir, 'wallet.json'), {
      mnemonic: opts.mnemonic ?? generateWalletMnemonic(),
      passphrase,
      ...(opts.scrypt ? { scrypt: opts.scrypt } : {}),
    });
    const store = NoteStore.open(join(dir, 'notes.json'));
    if (opts.scanFrom !== undefined) store.scannedUpTo = opts.scanFrom;
    store.save();
    return new Wallet(keys, store);
  }

  /** Unlocks the wallet in `dir` with the passphrase (default: PARALOOM_WALLET_PASSPHRASE). */
  static open(dir: string, opts: { passphrase?: string } = {}): Wallet {
    const keys = readWalletFile(join(dir, 'wallet.json'), opts.passphrase ?? requirePassphrase());
    return new Wallet(keys, NoteStore.open(join(dir, 'notes.json')));
  }

  static inMemory(keys: WalletKeys): Wallet {
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
   * The note of the wallet's next deposit of `amount`, with a fresh diversified owner key and
   * blinding derived from the seed (so the instruction links to no other deposit and a restore
   * finds it again): the caller sends `deposit(amount, pk_d, blinding, asset)` on chain; the note
   * becomes spendable once an L2 block includes the program's commitment.
   */
  prepareDeposit(amount: bigint, asset: Field = NATIVE_ASSET): Note {
    if (amount <= 0n) throw new WalletError('AMOUNT_INVALID', 'deposit amount must be positive');
    const { note, diversifier } = depositNote(this.keys, this.store.depositsMade, amount, asset);
    this.store.depositsMade++;
    this.store.pendingDeposits.push({
      commitment: noteCommitment(note),
      amount,
      blinding: note.blinding,
      asset,
      diversifier,
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
        diversifier: d.diversifier,
        nullifier: noteNullifier(this.keys.nk, d.commitment, o.leafIndex),
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
   * Builds, proves and submits a withdrawal of `amount` lamports to the Solana address `recipient`.
   * The proof names an anchored root (the program accepts nothing else), and the Merkle paths are
   * computed here from the published commitments, so no validator learns which notes are spent.
   * The relayer and fee come from the validators' on-chain floors (GET /v1/relayers): the cheapest
   * relayer at its floor unless `relayer`/`fee` say otherwise, checked here before proving. The
   * relayer settles it on Solana and earns `fee`; the user needs no SOL. Returns the transaction id and the first nullifier, which names the withdrawal
   * on the ingress' /v1/withdrawals.
   */
  async withdraw(
    client: IngressClient,
    p: {
      recipient: string;
      amount: bigint;
      fee?: bigint;
      relayer?: string;
      /** Slots the withdrawal stays valid after the current one (default 3,000). */
      validForSlots?: bigint;
      artifacts: CircuitArtifacts;
      encode: TransactionEncoder;
      onProgress?: ProgressCallback;
    },
  ): Promise<{ id: string; nullifier0: Field; fee: bigint; relayer: string; anchorHeight: bigint }> {
    if (p.amount <= 0n) throw new WalletError('AMOUNT_INVALID', 'withdrawal amount must be positive');
    const recipient = solanaAddressBytes(p.recipient, 'recipient');
    if (p.relayer !== undefined) solanaAddressBytes(p.relayer, 'relayer');
    const { relayer, fee } = chooseRelayer(await client.relayers(), NATIVE_ASSET, {
      relayer: p.relayer,
      fee: p.fee,
    });
    const relayerBytes = solanaAddressBytes(relayer, 'relayer');
    const status = await client.status();
    if (status.solanaSlot === undefined || status.solanaSlot === 0n) {
      throw new WalletError('INGRESS_REJECTED', 'the validator does not report the Solana slot yet');
    }
    const anchor = (await client.anchors())
      .filter((a) => a.leafCount !== undefined && a.leafCount > 0)
      .at(-1);
    if (!anchor) {
      throw new WalletError('NO_ANCHORED_ROOT', 'no anchored root yet: wait for the coordinator to anchor');
    }
    const leafCount = anchor.leafCount!;
    const commitments = (await client.outputsSince(0)).slice(0, leafCount).map((o) => o.commitment);
    const tree = await MerkleTree.open(new MemoryTreeStorage());
    await tree.appendBatch(commitments);
    if (commitments.length !== leafCount || tree.root !== anchor.root) {
      throw new WalletError('ROOT_MISMATCH', 'published commitments do not rebuild the anchored root', {
        anchorHeight: `${anchor.height}`,
        leafCount,
      });
    }
    const anchoredFunds = this.store
      .unspent(NATIVE_ASSET)
      .filter((n) => n.leafIndex < leafCount)
      .reduce((sum, n) => sum + n.amount, 0n);
    if (anchoredFunds < p.amount + fee && this.store.balance(NATIVE_ASSET).spendable >= p.amount + fee) {
      throw new WalletError(
        'NOT_YET_ANCHORED',
        'your newest notes are not under an anchored root yet; retry shortly',
        {
          anchorHeight: `${anchor.height}`,
        },
      );
    }
    const built = await buildWithdraw(this.keys, this.store, {
      recipient,
      relayer: relayerBytes,
      amount: p.amount,
      fee,
      expirationSlot: status.solanaSlot + (p.validForSlots ?? 3_000n),
      root: anchor.root,
      pathOf: (i) => tree.path(i),
      leavesBelow: leafCount,
    });
    const proof = await proveTransact(built.request, p.artifacts, p.onProgress);
    const id = await client.submit(p.encode(proof));
    const spends = built.spends.map((n) => n.commitment);
    this.store.markPending(spends, id);
    this.store.pendingTransactions.push({
      id,
      kind: 'withdrawn',
      amount: p.amount,
      asset: NATIVE_ASSET,
      spends,
      outputs: [...proof.statement.outputCommitments],
    });
    const refund = built.refund!;
    this.store.pendingRefunds.push({
      withdrawalId: id,
      commitment: noteCommitment(refund),
      amount: refund.amount,
      asset: refund.asset,
      expirationSlot: proof.statement.extData.expirationSlot,
    });
    this.store.save();
    return { id, nullifier0: proof.statement.nullifiers[0], fee, relayer, anchorHeight: anchor.height };
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
