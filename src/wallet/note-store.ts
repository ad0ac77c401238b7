import { existsSync, readFileSync } from 'node:fs';
import { type Field, toField } from '../privacy/index.js';
import { type CheckpointJson, SyncCheckpoint } from './checkpoint.js';
import { WalletError } from './errors.js';
import { writeSecretFile } from './secure-file.js';

export type NoteStatus = 'unspent' | 'pending' | 'spent';

export interface OwnedNote {
  readonly commitment: Field;
  readonly leafIndex: number;
  readonly amount: bigint;
  readonly blinding: Field;
  readonly asset: Field;
  /** Opens the note's owner key pk_d = P2(ak, d): the circuit needs it to spend. */
  readonly diversifier: Field;
  /** Absent in a wallet that holds only an incoming viewing key: it cannot see spends. */
  readonly nullifier?: Field;
  status: NoteStatus;
  /** Transaction that spends (or is spending) it. */
  spentIn?: string;
}

export interface HistoryEntry {
  /**
   * `merged`: a transfer to ourselves that joined two notes so a payment could follow; `refunded`: a
   * withdrawal expired unsettled and its refund note arrived (txId: the withdrawal's, when this
   * wallet sent it); `deposited`: one of our deposits landed in the tree.
   */
  readonly kind: 'deposited' | 'received' | 'sent' | 'withdrawn' | 'merged' | 'refunded';
  readonly amount: bigint;
  readonly asset: Field;
  readonly txId?: string;
  readonly at: number;
  /** A received note's leaf index and commitment: what `wallet disclose` takes (absent in older stores). */
  readonly leafIndex?: number;
  readonly commitment?: Field;
}

/**
 * The payment output of a transfer this wallet sent, with its opening and the recipient's address:
 * what the sender needs to disclose that one payment. `leafIndex` is learnt when the sync sees the
 * output published.
 */
export interface SentPayment {
  readonly txId: string;
  readonly commitment: Field;
  readonly amount: bigint;
  readonly asset: Field;
  readonly blinding: Field;
  /** The recipient's shielded address as the sender was given it (`plm1...`). */
  readonly recipient: string;
  leafIndex?: number;
}

/**
 * Where a found note comes from, which decides its history entry: a payment `received` (or the
 * refund of a withdrawal we remember sending), the `change` of one of our own transactions (no entry:
 * the transaction has its own), a landed `deposit`, or the `refund` of a withdrawal this wallet made
 * but does not remember (a restore).
 */
export type NoteOrigin = 'received' | 'change' | 'deposit' | 'refund';

/** A deposit sent on chain whose note is not yet in the L2 tree (deposits carry no envelope). */
export interface PendingDeposit {
  readonly commitment: Field;
  readonly amount: bigint;
  readonly blinding: Field;
  readonly asset: Field;
  readonly diversifier: Field;
  readonly signature?: string;
}

/** A submitted transaction: final once its outputs appear in the tree, then its inputs are spent. */
export interface PendingTransaction {
  readonly id: string;
  readonly kind: 'sent' | 'withdrawn' | 'merged';
  readonly amount: bigint;
  readonly asset: Field;
  readonly spends: readonly Field[];
  readonly outputs: readonly Field[];
}

/**
 * A submitted withdrawal's refund note (owner: this wallet, amount: the gross debit incl. fee): kept
 * until the note appears in the tree, which happens only if the withdrawal expired unsettled.
 */
export interface PendingRefund {
  readonly withdrawalId: string;
  readonly commitment: Field;
  readonly amount: bigint;
  readonly asset: Field;
  readonly expirationSlot: bigint;
}

const FORMAT = 'paraloom-notes/2';

interface StoredNote {
  commitment: string;
  leafIndex: number;
  amount: string;
  blinding: string;
  asset: string;
  diversifier: string;
  nullifier?: string;
  status: NoteStatus;
  spentIn?: string;
}

/**
 * The wallet's notes and history, persisted as JSON (mode 0600: it reveals amounts) after every
 * change. `scannedUpTo` is the next leaf index to trial-decrypt.
 */
export class NoteStore {
  private notes = new Map<string, OwnedNote>();
  private historyEntries: HistoryEntry[] = [];
  readonly pendingDeposits: PendingDeposit[] = [];
  readonly pendingTransactions: PendingTransaction[] = [];
  readonly pendingRefunds: PendingRefund[] = [];
  /** Payments sent by transfer, kept (unlike the change) so each can be disclosed on its own. */
  readonly sentPayments: SentPayment[] = [];
  scannedUpTo = 0;
  /**
   * The sync's tree frontier and the witnesses of unspent notes at `scannedUpTo`; absent in a new
   * store or one written before checkpoints, which the next sync starts (see syncOutputs).
   */
  checkpoint: SyncCheckpoint | undefined;
  /** Deposits made so far: the next deposit uses (d_i, blinding_i) of this index. */
  depositsMade = 0;
  /** Withdrawals built so far: the next refund note uses (d_r,i, blinding_r,i) of this index. */
  refundsMade = 0;

  private constructor(private readonly path: string | undefined) {}

  static inMemory(): NoteStore {
    return new NoteStore(undefined);
  }

  static open(path: string): NoteStore {
    const store = new NoteStore(path);
    if (!existsSync(path)) return store;
    try {
      const json = JSON.parse(readFileSync(path, 'utf8')) as {
        format: string;
        scannedUpTo: number;
        depositsMade: number;
        refundsMade?: number;
        notes: StoredNote[];
        history: Array<{
          kind: HistoryEntry['kind'];
          amount: string;
          asset: string;
          txId?: string;
          at: number;
          leafIndex?: number;
          commitment?: string;
        }>;
        sentPayments?: Array<{
          txId: string;
          commitment: string;
          amount: string;
          asset: string;
          blinding: string;
          recipient: string;
          leafIndex?: number;
        }>;
        pendingDeposits?: Array<{
          commitment: string;
          amount: string;
          blinding: string;
          asset: string;
          diversifier: string;
          signature?: string;
        }>;
        pendingTransactions?: Array<{
          id: string;
          kind: PendingTransaction['kind'];
          amount: string;
          asset: string;
          spends: string[];
          outputs: string[];
        }>;
        pendingRefunds?: Array<{
          withdrawalId: string;
          commitment: string;
          amount: string;
          asset: string;
          expirationSlot: string;
        }>;
        checkpoint?: CheckpointJson;
      };
      if (json.format !== FORMAT) throw new Error(`unknown format ${json.format}`);
      store.scannedUpTo = json.scannedUpTo;
      if (json.checkpoint) {
        store.checkpoint = SyncCheckpoint.fromJSON(json.checkpoint);
        store.scannedUpTo = store.checkpoint.leafCount;
      }
      if (!Number.isSafeInteger(json.depositsMade) || json.depositsMade < 0) {
        throw new Error('depositsMade must be a non-negative integer');
      }
      store.depositsMade = json.depositsMade;
      const refundsMade = json.refundsMade ?? 0;
      if (!Number.isSafeInteger(refundsMade) || refundsMade < 0) {
        throw new Error('refundsMade must be a non-negative integer');
      }
      store.refundsMade = refundsMade;
      for (const n of json.notes) {
        store.notes.set(n.commitment, {
          commitment: toField(BigInt(n.commitment)),
          leafIndex: n.leafIndex,
          amount: BigInt(n.amount),
          blinding: toField(BigInt(n.blinding)),
          asset: toField(BigInt(n.asset)),
          diversifier: toField(BigInt(n.diversifier)),
          ...(n.nullifier !== undefined ? { nullifier: toField(BigInt(n.nullifier)) } : {}),
          status: n.status,
          ...(n.spentIn ? { spentIn: n.spentIn } : {}),
        });
      }
      const f = (v: string) => toField(BigInt(v));
      for (const d of json.pendingDeposits ?? []) {
        store.pendingDeposits.push({
          commitment: f(d.commitment),
          amount: BigInt(d.amount),
          blinding: f(d.blinding),
          asset: f(d.asset),
          diversifier: f(d.diversifier),
          ...(d.signature ? { signature: d.signature } : {}),
        });
      }
      for (const t of json.pendingTransactions ?? []) {
        store.pendingTransactions.push({
          id: t.id,
          kind: t.kind,
          amount: BigInt(t.amount),
          asset: f(t.asset),
          spends: t.spends.map(f),
          outputs: t.outputs.map(f),
        });
      }
      for (const r of json.pendingRefunds ?? []) {
        store.pendingRefunds.push({
          withdrawalId: r.withdrawalId,
          commitment: f(r.commitment),
          amount: BigInt(r.amount),
          asset: f(r.asset),
          expirationSlot: BigInt(r.expirationSlot),
        });
      }
      for (const p of json.sentPayments ?? []) {
        if (p.leafIndex !== undefined && (!Number.isSafeInteger(p.leafIndex) || p.leafIndex < 0)) {
          throw new Error('a sent payment has a malformed leaf index');
        }
        store.sentPayments.push({
          txId: p.txId,
          commitment: f(p.commitment),
          amount: BigInt(p.amount),
          asset: f(p.asset),
          blinding: f(p.blinding),
          recipient: p.recipient,
          ...(p.leafIndex !== undefined ? { leafIndex: p.leafIndex } : {}),
        });
      }
      store.historyEntries = json.history.map((h) => ({
        kind: h.kind,
        amount: BigInt(h.amount),
        asset: toField(BigInt(h.asset)),
        at: h.at,
        ...(h.txId ? { txId: h.txId } : {}),
        ...(h.leafIndex !== undefined ? { leafIndex: h.leafIndex } : {}),
        ...(h.commitment !== undefined ? { commitment: f(h.commitment) } : {}),
      }));
    } catch (e) {
      throw new WalletError(
        'NOTE_STORE_INVALID',
        `cannot read the note store ${path}`,
        { path },
        { cause: e },
      );
    }
    return store;
  }

  get all(): readonly OwnedNote[] {
    return [...this.notes.values()].sort((a, b) => a.leafIndex - b.leafIndex);
  }

  get history(): readonly HistoryEntry[] {
    return this.historyEntries;
  }

  unspent(asset: Field): OwnedNote[] {
    return this.all.filter((n) => n.status === 'unspent' && n.asset === asset);
  }

  balance(asset: Field): { spendable: bigint; pending: bigint } {
    let spendable = 0n;
    let pending = 0n;
    for (const n of this.notes.values()) {
      if (n.asset !== asset) continue;
      if (n.status === 'unspent') spendable += n.amount;
      if (n.status === 'pending') pending += n.amount;
    }
    return { spendable, pending };
  }

  /**
   * Adds a found note once (scanning twice over the same outputs is harmless) and records it in the
   * history as its `origin` says. A note that is one of our withdrawals' refunds is recorded as that
   * withdrawal's refund, not as a payment received.
   */
  add(note: Omit<OwnedNote, 'status'>, origin: NoteOrigin = 'received'): boolean {
    const key = note.commitment.toString();
    if (this.notes.has(key)) return false;
    this.notes.set(key, { ...note, status: 'unspent' });
    // The note's place goes with its entry: what `wallet disclose` takes.
    const entry = {
      amount: note.amount,
      asset: note.asset,
      at: Date.now(),
      leafIndex: note.leafIndex,
      commitment: note.commitment,
    };
    const refund = this.pendingRefunds.findIndex((r) => r.commitment === note.commitment);
    if (refund >= 0) {
      const r = this.pendingRefunds.splice(refund, 1)[0]!;
      this.record({ kind: 'refunded', ...entry, txId: r.withdrawalId });
    } else if (origin === 'refund') {
      this.record({ kind: 'refunded', ...entry });
    } else if (origin === 'deposit') {
      this.record({ kind: 'deposited', ...entry });
    } else if (origin === 'received' && note.amount > 0n) {
      this.record({ kind: 'received', ...entry });
    }
    return true;
  }

  /** The note with this commitment, if the wallet holds it. */
  find(commitment: Field): OwnedNote | undefined {
    return this.notes.get(commitment.toString());
  }

  /** Withdrawal ids whose refund note arrived (they expired unsettled). */
  get refundedWithdrawals(): ReadonlySet<string> {
    return new Set(this.historyEntries.filter((h) => h.kind === 'refunded' && h.txId).map((h) => h.txId!));
  }

  markPending(commitments: readonly Field[], txId: string): void {
    for (const c of commitments) {
      const n = this.get(c);
      if (n.status !== 'unspent')
        throw new WalletError('NOTE_UNKNOWN', 'note is not spendable', { leafIndex: n.leafIndex });
      n.status = 'pending';
      n.spentIn = txId;
    }
  }

  /**
   * A transaction of ours the ingress admitted: its inputs are pending until its outputs appear in
   * the tree (then spent, and `kind` goes into the history), or until it is released.
   */
  recordSubmitted(
    tx: Omit<PendingTransaction, 'spends'> & { readonly spends: readonly Pick<OwnedNote, 'commitment'>[] },
  ): void {
    const spends = tx.spends.map((n) => n.commitment);
    this.markPending(spends, tx.id);
    this.pendingTransactions.push({ ...tx, spends });
  }

  /** Spends of a transaction that became final: gone for good. */
  markSpent(commitments: readonly Field[]): void {
    for (const c of commitments) {
      const n = this.notes.get(c.toString());
      if (n) n.status = 'spent';
    }
  }

  /** A transaction that will never land: its inputs become spendable again. */
  releasePending(txId: string): void {
    for (const n of this.notes.values()) {
      if (n.status === 'pending' && n.spentIn === txId) {
        n.status = 'unspent';
        delete n.spentIn;
      }
    }
  }

  record(entry: HistoryEntry): void {
    this.historyEntries.push(entry);
  }

  /** Persists everything in one atomic write; witnesses of spent notes are dropped first. */
  save(): void {
    if (this.checkpoint) {
      for (const c of this.checkpoint.witnesses.keys()) {
        const status = this.notes.get(c.toString())?.status;
        if (status !== 'unspent' && status !== 'pending') this.checkpoint.witnesses.delete(c);
      }
    }
    if (!this.path) return;
    const json = {
      format: FORMAT,
      scannedUpTo: this.scannedUpTo,
      depositsMade: this.depositsMade,
      refundsMade: this.refundsMade,
      notes: this.all.map((n) => ({
        commitment: n.commitment.toString(),
        leafIndex: n.leafIndex,
        amount: n.amount.toString(),
        blinding: n.blinding.toString(),
        asset: n.asset.toString(),
        diversifier: n.diversifier.toString(),
        ...(n.nullifier !== undefined ? { nullifier: n.nullifier.toString() } : {}),
        status: n.status,
        ...(n.spentIn ? { spentIn: n.spentIn } : {}),
      })),
      history: this.historyEntries.map((h) => ({
        ...h,
        amount: h.amount.toString(),
        asset: h.asset.toString(),
        ...(h.commitment !== undefined ? { commitment: h.commitment.toString() } : {}),
      })),
      sentPayments: this.sentPayments.map((p) => ({
        ...p,
        commitment: p.commitment.toString(),
        amount: p.amount.toString(),
        asset: p.asset.toString(),
        blinding: p.blinding.toString(),
      })),
      pendingDeposits: this.pendingDeposits.map((d) => ({
        ...d,
        commitment: d.commitment.toString(),
        amount: d.amount.toString(),
        blinding: d.blinding.toString(),
        asset: d.asset.toString(),
        diversifier: d.diversifier.toString(),
      })),
      pendingTransactions: this.pendingTransactions.map((t) => ({
        ...t,
        amount: t.amount.toString(),
        asset: t.asset.toString(),
        spends: t.spends.map(String),
        outputs: t.outputs.map(String),
      })),
      pendingRefunds: this.pendingRefunds.map((r) => ({
        ...r,
        commitment: r.commitment.toString(),
        amount: r.amount.toString(),
        asset: r.asset.toString(),
        expirationSlot: r.expirationSlot.toString(),
      })),
      ...(this.checkpoint ? { checkpoint: this.checkpoint.toJSON() } : {}),
    };
    writeSecretFile(this.path, `${JSON.stringify(json, null, 2)}\n`);
  }

  private get(commitment: Field): OwnedNote {
    const n = this.notes.get(commitment.toString());
    if (!n)
      throw new WalletError('NOTE_UNKNOWN', 'no such note in this wallet', {
        commitment: commitment.toString(),
      });
    return n;
  }
}
