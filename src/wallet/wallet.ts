import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { address, getAddressEncoder, isAddress } from '@solana/kit';
import { createLogger, type Logger } from '../common/index.js';
import {
  type AnyWalletKey,
  type CircuitArtifacts,
  canSpend,
  decodeAddress,
  defaultAddress,
  depositNote,
  encodeAddress,
  encodeFullViewingKey,
  encodeIncomingViewingKey,
  type Field,
  incomingViewingKey,
  type MerklePath,
  NATIVE_ASSET,
  type Note,
  noteCommitment,
  type ProgressCallback,
  proveTransact,
  seesSpends,
  type TransactProof,
  TrialDecryptionPool,
  type WalletKeys,
} from '../privacy/index.js';
import { buildMerge, buildTransfer, buildWithdraw, type PathSource } from './builders.js';
import type { SyncCheckpoint } from './checkpoint.js';
import { applyChunk } from './chunk-scan.js';
import { findOwnDeposits, type PublicDeposit } from './deposit-recovery.js';
import { WalletError } from './errors.js';
import type { TreeFrontier } from './frontier.js';
import type { IngressClient, IngressOutput } from './ingress-client.js';
import type { ScryptParams } from './key-store.js';
import { generateWalletMnemonic } from './mnemonic.js';
import { NoteStore, type OwnedNote } from './note-store.js';
import { requirePassphrase } from './passphrase.js';
import { type PaymentPlan, planPayment } from './payment-plan.js';
import { chooseRelayer } from './relayer-choice.js';
import type { PublishedOutput } from './scanner.js';
import { recordSentPayment } from './sent-payments.js';
import { type OutputSource, type SyncCounts, type SyncOptions, syncOutputs } from './sync.js';
import { createViewOnlyWalletFile, createWalletFile, readAnyWalletFile } from './wallet-file.js';

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

export type SyncResult = SyncCounts;

/** From this many outputs on, a sync trial-decrypts in worker threads (starting them takes about a second). */
const PARALLEL_SCAN_FROM = 20_000;
let logger: Logger | undefined;
const log = (): Logger => {
  logger ??= createLogger('wallet');
  return logger;
};

/** What a payment's merging reports as it goes (the CLI prints these). */
export type MergeEvent =
  | { readonly kind: 'plan'; readonly plan: PaymentPlan }
  | {
      readonly kind: 'merge-sent';
      readonly step: number;
      readonly of: number;
      readonly amounts: readonly [bigint, bigint];
      readonly id: string;
    }
  | { readonly kind: 'waiting'; readonly pending: number }
  | { readonly kind: 'final'; readonly merged: number };

interface ProvingOptions {
  readonly artifacts: CircuitArtifacts;
  readonly encode: TransactionEncoder;
  readonly onProgress?: ProgressCallback;
}

/**
 * A user's shielded wallet: its key file and note store in one directory, synced from a validator's
 * ingress. Spends are tracked from submission until their outputs appear in the tree (final).
 */
export class Wallet {
  private constructor(
    /** The spending keys, or a viewing key only (a watch-only wallet: it syncs, never spends). */
    readonly key: AnyWalletKey,
    readonly store: NoteStore,
  ) {}

  /** The spending keys (VIEW_ONLY from a watch-only wallet). */
  get keys(): WalletKeys {
    return this.spendingKeys();
  }

  /** What this wallet's key can do: spend, see spends and the exact balance, or see incoming notes only. */
  get capability(): 'spend' | 'full-view' | 'incoming-view' {
    return canSpend(this.key) ? 'spend' : seesSpends(this.key) ? 'full-view' : 'incoming-view';
  }

  /** The spending keys; VIEW_ONLY from a watch-only wallet, before anything is built or changed. */
  spendingKeys(): WalletKeys {
    if (!canSpend(this.key)) {
      throw new WalletError('VIEW_ONLY', 'this wallet holds a viewing key only: it cannot spend or deposit', {
        capability: this.capability,
      });
    }
    return this.key;
  }

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

  /**
   * A watch-only wallet in `dir` for a viewing key (`plmfvk1…`: balance, spends and history;
   * `plmivk1…`: incoming payments only), sealed like a spending wallet's key file. It syncs and shows;
   * every spending call refuses with VIEW_ONLY.
   */
  static createViewOnly(
    dir: string,
    opts: { viewingKey: string; passphrase?: string; scanFrom?: number; scrypt?: ScryptParams },
  ): Wallet {
    const passphrase = opts.passphrase ?? requirePassphrase();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const key = createViewOnlyWalletFile(join(dir, 'wallet.json'), {
      viewingKey: opts.viewingKey,
      passphrase,
      ...(opts.scrypt ? { scrypt: opts.scrypt } : {}),
    });
    const store = NoteStore.open(join(dir, 'notes.json'));
    if (opts.scanFrom !== undefined) store.scannedUpTo = opts.scanFrom;
    store.save();
    return new Wallet(key, store);
  }

  /** The viewing key to give a watch-only wallet: full (balance, spends) or incoming payments only. */
  viewingKey(kind: 'full' | 'incoming'): string {
    if (kind === 'incoming') return encodeIncomingViewingKey(this.key);
    if (!seesSpends(this.key)) {
      throw new WalletError('VIEW_ONLY', 'an incoming viewing key cannot give a full one', {
        capability: this.capability,
      });
    }
    return encodeFullViewingKey(this.key);
  }

  /** Unlocks the wallet in `dir` with the passphrase (default: PARALOOM_WALLET_PASSPHRASE). */
  static open(dir: string, opts: { passphrase?: string } = {}): Wallet {
    const key = readAnyWalletFile(join(dir, 'wallet.json'), opts.passphrase ?? requirePassphrase());
    return new Wallet(key, NoteStore.open(join(dir, 'notes.json')));
  }

  static inMemory(keys: AnyWalletKey): Wallet {
    return new Wallet(keys, NoteStore.inMemory());
  }

  get address(): string {
    return encodeAddress(defaultAddress(this.key));
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
    const { note, diversifier } = depositNote(this.spendingKeys(), this.store.depositsMade, amount, asset);
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

  /**
   * Takes back this wallet's deposits from the program's deposits (a restore: `deposits` are all the
   * deposit instructions on chain, see findOwnDeposits): each not yet known waits to land like a deposit
   * just sent, and the next deposit number moves past the last one found, so a restored wallet never
   * shows a deposit owner key twice. Call before the first sync, so the sync keeps their witnesses.
   */
  recoverDeposits(deposits: readonly PublicDeposit[]): { found: number; depositsMade: number } {
    const { next, found } = findOwnDeposits(this.key, deposits);
    this.store.depositsMade = Math.max(this.store.depositsMade, next);
    let added = 0;
    for (const f of found) {
      if (
        this.store.find(f.commitment) ||
        this.store.pendingDeposits.some((d) => d.commitment === f.commitment)
      )
        continue;
      this.store.pendingDeposits.push({
        commitment: f.commitment,
        amount: f.deposit.amount,
        blinding: f.deposit.blinding,
        asset: f.deposit.asset,
        diversifier: f.diversifier,
        ...(f.deposit.signature ? { signature: f.deposit.signature } : {}),
      });
      added++;
    }
    this.store.save();
    return { found: added, depositsMade: this.store.depositsMade };
  }

  /**
   * Scans the outputs published since the last checkpoint (see syncOutputs): finds notes sent to
   * this wallet and its deposits that landed, keeps their witnesses, and marks spends final once
   * their outputs are in the tree.
   */
  async sync(source: OutputSource, options: SyncOptions = {}): Promise<SyncResult> {
    let pool: TrialDecryptionPool | undefined;
    const encrypted = (outputs: readonly IngressOutput[]) =>
      outputs.filter((o) => o.envelope !== undefined) as PublishedOutput[];
    return syncOutputs(
      this.store,
      source,
      {
        begin: async (count) => {
          if (count < PARALLEL_SCAN_FROM) return;
          const started = new TrialDecryptionPool(incomingViewingKey(this.key));
          try {
            await started.start();
            pool = started;
          } catch (e) {
            await started.stop();
            log().warn({ err: e }, 'trial decryption workers did not start: scanning on this thread');
          }
        },
        prepare: async (outputs) => (pool ? pool.opening(encrypted(outputs)) : encrypted(outputs)),
        // Only the workers' answers are few enough to leave most subtrees unhashed.
        keep: (opening, outputs) => (pool ? this.leavesToKeep(opening, outputs) : undefined),
        apply: (opening, outputs, seen) => applyChunk(this.key, this.store, opening, outputs, seen),
        end: async () => {
          await pool?.stop();
        },
      },
      options,
    );
  }

  /** Leaves of a chunk the wallet keeps or must see verified: notes that open, its deposits, outputs of its pending spends. */
  private leavesToKeep(opening: readonly PublishedOutput[], outputs: readonly IngressOutput[]): number[] {
    const watched = new Set<Field>(this.store.pendingDeposits.map((d) => d.commitment));
    for (const t of this.store.pendingTransactions) for (const c of t.outputs) watched.add(c);
    for (const r of this.store.pendingRefunds) watched.add(r.commitment);
    const leaves = opening.map((o) => o.leafIndex);
    for (const o of outputs) if (watched.has(o.commitment)) leaves.push(o.leafIndex);
    return leaves;
  }

  /** How a payment of `target` (gross, fee included) would go now: merges first when it needs more than two notes. */
  planPayment(target: bigint, asset: Field = NATIVE_ASSET): PaymentPlan {
    return planPayment(this.store.unspent(asset), target);
  }

  /**
   * Sends the merging transfers a payment of `target` needs, a round of disjoint merges at a time,
   * and waits until each round is final; returns once at most two notes pay the target. A re-run
   * after a failure or a kill continues from what is final: merges already sent are waited for, and
   * the plan is made again from the notes the wallet holds then. Refused up front (as the payment
   * would be) when the balance does not cover the target.
   */
  async mergeForPayment(
    client: IngressClient,
    p: ProvingOptions & {
      target: bigint;
      onEvent?: (e: MergeEvent) => void;
      /** How long one round may take to become final (default 180 s). */
      roundTimeoutMs?: number;
      pollMs?: number;
    },
  ): Promise<{ merged: number }> {
    let merged = 0;
    let announced = false;
    for (;;) {
      await this.waitForMerges(client, p);
      const plan = this.planPayment(p.target);
      if (!announced) {
        p.onEvent?.({ kind: 'plan', plan });
        announced = true;
      }
      if (plan.merges.length === 0) {
        if (merged > 0) p.onEvent?.({ kind: 'final', merged });
        return { merged };
      }
      for (const m of plan.merges.filter((x) => x.round === 1)) {
        const notes = [m.inputs[0].note!, m.inputs[1].note!] as const;
        const id = await this.merge(client, { ...p, notes });
        merged++;
        p.onEvent?.({
          kind: 'merge-sent',
          step: merged,
          of: merged - 1 + plan.merges.length,
          amounts: [notes[0].amount, notes[1].amount],
          id,
        });
      }
    }
  }

  /** Builds, proves and submits one merge of two of our notes into one; returns the transaction id. */
  async merge(
    client: IngressClient,
    p: ProvingOptions & { notes: readonly [OwnedNote, OwnedNote] },
  ): Promise<string> {
    await this.sync(client);
    const frontier = this.checkpoint().frontier;
    const built = await buildMerge(this.spendingKeys(), this.store, {
      notes: p.notes,
      root: frontier.root,
      pathOf: this.pathsAt(frontier),
    });
    const proof = await proveTransact(built.request, p.artifacts, p.onProgress);
    const id = await client.submit(p.encode(proof));
    this.store.recordSubmitted({
      id,
      kind: 'merged',
      amount: p.notes[0].amount + p.notes[1].amount,
      asset: p.notes[0].asset,
      spends: built.spends,
      outputs: [...proof.statement.outputCommitments],
    });
    this.store.save();
    return id;
  }

  /** Syncs until no merge of ours is pending; PLAN_STALLED if they do not become final in time. */
  private async waitForMerges(
    client: IngressClient,
    p: { onEvent?: (e: MergeEvent) => void; roundTimeoutMs?: number; pollMs?: number },
  ): Promise<void> {
    const deadline = Date.now() + (p.roundTimeoutMs ?? 180_000);
    const pending = () => this.store.pendingTransactions.filter((t) => t.kind === 'merged').length;
    await this.sync(client);
    if (pending() > 0) p.onEvent?.({ kind: 'waiting', pending: pending() });
    while (pending() > 0) {
      if (Date.now() > deadline) {
        throw new WalletError(
          'PLAN_STALLED',
          'merges sent for this payment did not become final in time; run it again to continue',
          {
            step: this.store.pendingTransactions.findIndex((t) => t.kind === 'merged') + 1,
            pending: pending(),
          },
        );
      }
      await new Promise((r) => setTimeout(r, p.pollMs ?? 500));
      await this.sync(client);
    }
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
    // Synced, the checkpoint sits at the validator's current root; paths come from our witnesses.
    await this.sync(client);
    const frontier = this.checkpoint().frontier;
    const built = await buildTransfer(this.spendingKeys(), this.store, {
      to,
      amount: p.amount,
      root: frontier.root,
      pathOf: this.pathsAt(frontier),
    });
    const proof = await proveTransact(built.request, p.artifacts, p.onProgress);
    const id = await client.submit(p.encode(proof));
    this.store.recordSubmitted({
      id,
      kind: 'sent',
      amount: p.amount,
      asset: NATIVE_ASSET,
      spends: built.spends,
      outputs: [...proof.statement.outputCommitments],
    });
    recordSentPayment(this.store, id, built.payment, p.to);
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
    const { relayer, fee } = await this.relayerTerms(client, p);
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
    if ((this.store.checkpoint?.leafCount ?? -1) < leafCount) await this.sync(client);
    const frontier = await this.frontierAt(client, leafCount, anchor.root, anchor.height);
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
    const built = await buildWithdraw(this.spendingKeys(), this.store, {
      recipient,
      relayer: relayerBytes,
      amount: p.amount,
      fee,
      expirationSlot: status.solanaSlot + (p.validForSlots ?? 3_000n),
      root: anchor.root,
      pathOf: this.pathsAt(frontier),
      leavesBelow: leafCount,
    });
    const proof = await proveTransact(built.request, p.artifacts, p.onProgress);
    const id = await client.submit(p.encode(proof));
    this.store.recordSubmitted({
      id,
      kind: 'withdrawn',
      amount: p.amount,
      asset: NATIVE_ASSET,
      spends: built.spends,
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
   * Who relays a withdrawal and for what fee, from the validators' on-chain floors (GET
   * /v1/relayers): the cheapest relayer at its floor unless `relayer`/`fee` say otherwise.
   */
  async relayerTerms(
    client: IngressClient,
    p: { fee?: bigint; relayer?: string },
  ): Promise<{ relayer: string; fee: bigint }> {
    if (p.relayer !== undefined) solanaAddressBytes(p.relayer, 'relayer');
    const { relayer, fee } = chooseRelayer(await client.relayers(), NATIVE_ASSET, {
      relayer: p.relayer,
      fee: p.fee,
    });
    return { relayer, fee };
  }

  private checkpoint(): SyncCheckpoint {
    const c = this.store.checkpoint;
    if (!c) throw new WalletError('NOT_SYNCED', 'sync the wallet before spending');
    return c;
  }

  /**
   * A note's Merkle path at the synced root, from its witness: the ingress never learns which leaf is
   * ours (a compute job's ownership proof needs it).
   */
  async notePath(leafIndex: number): Promise<{ root: Field; path: MerklePath }> {
    const frontier = this.checkpoint().frontier;
    return { root: frontier.root, path: await this.pathsAt(frontier)(leafIndex) };
  }

  /** Paths of this wallet's notes against the root of `frontier`, from their witnesses: nothing is downloaded. */
  private pathsAt(frontier: TreeFrontier): PathSource {
    const byLeaf = new Map([...this.checkpoint().witnesses.values()].map((w) => [w.leafIndex, w]));
    return async (leafIndex) => {
      const witness = byLeaf.get(leafIndex);
      if (!witness)
        throw new WalletError('NOTE_UNKNOWN', 'no witness for this note: sync again', { leafIndex });
      return witness.pathAt(frontier);
    };
  }

  /**
   * The frontier at an anchored tree size: ours when the checkpoint is there, else the validator's
   * (32 nodes, the same for every wallet asking), refused unless it gives the anchored root.
   */
  private async frontierAt(
    client: IngressClient,
    leafCount: number,
    root: Field,
    anchorHeight: bigint,
  ): Promise<TreeFrontier> {
    const own = this.checkpoint();
    if (own.leafCount < leafCount) {
      throw new WalletError(
        'NOT_YET_ANCHORED',
        'the validator serves fewer outputs than its anchored root covers',
        {
          anchorHeight: `${anchorHeight}`,
        },
      );
    }
    const frontier = own.leafCount === leafCount ? own.frontier : (await client.frontier(leafCount)).frontier;
    if (frontier.leafCount !== leafCount || frontier.root !== root) {
      throw new WalletError(
        'ROOT_MISMATCH',
        'the frontier at the anchored size does not give the anchored root',
        {
          anchorHeight: `${anchorHeight}`,
          leafCount,
        },
      );
    }
    return frontier;
  }
}
