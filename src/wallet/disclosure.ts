import {
  type AnyWalletKey,
  addressFor,
  computeRoot,
  decodeAddress,
  encodeAddress,
  type Field,
  isCanonical,
  MAX_AMOUNT,
  type MerklePath,
  noteCommitment,
  TREE_CAPACITY,
  toField,
} from '../privacy/index.js';
import { WalletError } from './errors.js';
import { type IngressOutput, unlessNotServed } from './ingress-client.js';
import type { NoteStore } from './note-store.js';

export const DISCLOSURE_FORMAT = 'paraloom-disclosure/1';
/** A disclosure file is a few hundred bytes; anything far larger is not one (and is not parsed). */
export const MAX_DISCLOSURE_BYTES = 16 * 1024;

/**
 * One payment, opened: the note (amount, asset, owner key of `recipient`, blinding) whose commitment
 * sits at `leafIndex`. `direction` is the discloser's word (which side of the payment it was on);
 * everything else is checked by verifyDisclosure. It names no viewing key and no other note.
 */
export interface Disclosure {
  readonly direction: 'received' | 'sent';
  readonly commitment: Field;
  readonly leafIndex: number;
  readonly amount: bigint;
  readonly asset: Field;
  /** The recipient's shielded address (`plm1...`); the commitment binds its owner key pk_d. */
  readonly recipient: string;
  /** The note's blinding: with the fields above, the commitment's opening. */
  readonly blinding: Field;
  /** The L2 transaction that created the note, when the discloser knows it (a sent payment). */
  readonly txId?: string;
}

/** The file format's JSON object: field elements and amounts as decimal strings. */
export interface DisclosureJson {
  format: typeof DISCLOSURE_FORMAT;
  direction: 'received' | 'sent';
  commitment: string;
  leafIndex: number;
  amount: string;
  asset: string;
  recipient: string;
  blinding: string;
  txId?: string;
}

const KEYS = new Set([
  'format',
  'direction',
  'commitment',
  'leafIndex',
  'amount',
  'asset',
  'recipient',
  'blinding',
  'txId',
]);
const DECIMAL = /^(0|[1-9][0-9]{0,77})$/;
const TX_ID = /^[0-9a-f]{64}$/;

function invalid(field: string, reason: string): WalletError<'DISCLOSURE_INVALID'> {
  return new WalletError('DISCLOSURE_INVALID', `disclosure ${field}: ${reason}`, { field, reason });
}

function mismatch(
  check: 'opening' | 'published' | 'path' | 'root',
  leafIndex: number,
  message: string,
): WalletError<'DISCLOSURE_MISMATCH'> {
  return new WalletError('DISCLOSURE_MISMATCH', message, { check, leafIndex });
}

/** A canonical field element written as a decimal string: no sign, no leading zero, below p. */
function fieldOf(json: Record<string, unknown>, field: string): Field {
  const v = json[field];
  if (typeof v !== 'string' || !DECIMAL.test(v)) throw invalid(field, 'not a decimal field element');
  const n = BigInt(v);
  if (!isCanonical(n)) throw invalid(field, 'not a canonical field element (not below p)');
  return toField(n);
}

export function disclosureToJson(d: Disclosure): DisclosureJson {
  return {
    format: DISCLOSURE_FORMAT,
    direction: d.direction,
    commitment: d.commitment.toString(),
    leafIndex: d.leafIndex,
    amount: d.amount.toString(),
    asset: d.asset.toString(),
    recipient: d.recipient,
    blinding: d.blinding.toString(),
    ...(d.txId !== undefined ? { txId: d.txId } : {}),
  };
}

/** The file's text: one JSON object, as `wallet disclose` writes it. */
export function encodeDisclosure(d: Disclosure): string {
  return `${JSON.stringify(disclosureToJson(validateDisclosure(d)), null, 2)}\n`;
}

/**
 * Reads a disclosure from its JSON (text or parsed), refusing with DISCLOSURE_INVALID anything that
 * is not exactly the format: another tag, an unknown field (a disclosure carries no free text that
 * could smuggle more than the one note), a non-canonical field element, an amount outside u64, a
 * leaf index outside the tree, an address that does not decode or is not written canonically.
 */
export function parseDisclosure(input: string | unknown): Disclosure {
  let value = input;
  if (typeof input === 'string') {
    if (input.length > MAX_DISCLOSURE_BYTES) throw invalid('file', 'too large to be a disclosure');
    try {
      value = JSON.parse(input);
    } catch {
      throw invalid('file', 'not JSON');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid('file', 'not a JSON object');
  }
  const json = value as Record<string, unknown>;
  if (json.format !== DISCLOSURE_FORMAT) {
    throw invalid('format', `expected ${DISCLOSURE_FORMAT}, got ${String(json.format).slice(0, 40)}`);
  }
  for (const k of Object.keys(json)) if (!KEYS.has(k)) throw invalid(k.slice(0, 40), 'unknown field');
  const direction = json.direction;
  if (direction !== 'received' && direction !== 'sent') {
    throw invalid('direction', "must be 'received' or 'sent'");
  }
  const leafIndex = json.leafIndex;
  if (
    typeof leafIndex !== 'number' ||
    !Number.isSafeInteger(leafIndex) ||
    leafIndex < 0 ||
    leafIndex >= TREE_CAPACITY
  ) {
    throw invalid('leafIndex', 'not a leaf index of the tree');
  }
  const amountText = json.amount;
  if (typeof amountText !== 'string' || !DECIMAL.test(amountText)) {
    throw invalid('amount', 'not a non-negative decimal amount');
  }
  const amount = BigInt(amountText);
  if (amount > MAX_AMOUNT) throw invalid('amount', 'above the u64 a note holds');
  const recipient = json.recipient;
  if (typeof recipient !== 'string') throw invalid('recipient', 'not an address string');
  let canonical: string;
  try {
    canonical = encodeAddress(decodeAddress(recipient));
  } catch (e) {
    throw new WalletError(
      'DISCLOSURE_INVALID',
      'disclosure recipient: not a shielded address',
      { field: 'recipient', reason: 'not a shielded address' },
      { cause: e },
    );
  }
  if (canonical !== recipient) throw invalid('recipient', 'address not written canonically');
  const txId = json.txId;
  if (txId !== undefined && (typeof txId !== 'string' || !TX_ID.test(txId))) {
    throw invalid('txId', 'not a transaction id (64 lowercase hex digits)');
  }
  return {
    direction,
    commitment: fieldOf(json, 'commitment'),
    leafIndex,
    amount,
    asset: fieldOf(json, 'asset'),
    recipient,
    blinding: fieldOf(json, 'blinding'),
    ...(txId !== undefined ? { txId: txId as string } : {}),
  };
}

/** The same checks for a value built in code (its fields are typed, not validated). */
export function validateDisclosure(d: Disclosure): Disclosure {
  return parseDisclosure(disclosureToJson(d));
}

/** Refuses with DISCLOSURE_MISMATCH ('opening') unless the opening gives the stated commitment. */
export function checkOpening(d: Disclosure): void {
  const { pkD } = decodeAddress(d.recipient);
  const c = noteCommitment({ amount: d.amount, pkD, blinding: d.blinding, asset: d.asset });
  if (c !== d.commitment) {
    throw mismatch(
      'opening',
      d.leafIndex,
      'the amount, asset, recipient and blinding do not give the stated commitment',
    );
  }
}

/** What verifyDisclosure asks a validator's ingress (the IngressClient serves it). */
export interface DisclosureSource {
  status(): Promise<{ readonly root: Field; readonly leafCount: number; readonly height?: bigint }>;
  outputsPage(from: number, limit: number): Promise<readonly IngressOutput[]>;
  path(leafIndex: number): Promise<{ readonly root: Field; readonly path: MerklePath }>;
  /** The validator's recent roots (the last 64 final blocks'), for a path answered just before a block landed. */
  roots?(): Promise<readonly Field[]>;
  anchors?(): Promise<
    ReadonlyArray<{ readonly height: bigint; readonly root: Field; readonly leafCount: number | undefined }>
  >;
}

export interface VerifiedDisclosure {
  readonly disclosure: Disclosure;
  /** The root the note's Merkle path was checked against. */
  readonly root: Field;
  /**
   * `current`: the validator's root as /v1/status names it; `recent`: one of its last 64 final roots
   * (blocks landed while it was asked); `anchored`: a root anchored on Solana.
   */
  readonly rootKind: 'current' | 'recent' | 'anchored';
  /** Tree size of that root (undefined for an anchored root the validator lacks the block of). */
  readonly leafCount: number | undefined;
  /** L2 height of that root, when the validator says it. */
  readonly height: bigint | undefined;
}

/** Tries of path-then-status: a block landing between the two requests moves the current root. */
const ROOT_TRIES = 3;

/**
 * Checks one disclosure against a validator's chain of L2 blocks: the opening gives the commitment;
 * the validator publishes that commitment at the leaf; and the leaf's Merkle path leads from it to
 * the root the validator names as current (asked again if a block lands in between), one of its
 * recent final roots, or one of its anchored roots. "This commitment is at this index" alone is not trusted: the path ties it to the
 * root every wallet syncs against. Refuses with DISCLOSURE_INVALID or DISCLOSURE_MISMATCH.
 */
export async function verifyDisclosure(d: Disclosure, source: DisclosureSource): Promise<VerifiedDisclosure> {
  const disclosure = validateDisclosure(d);
  checkOpening(disclosure);
  const { leafIndex, commitment } = disclosure;
  const published = (await source.outputsPage(leafIndex, 1))[0];
  if (!published || published.leafIndex !== leafIndex) {
    throw mismatch('published', leafIndex, `the validator publishes no output at leaf ${leafIndex}`);
  }
  if (published.commitment !== commitment) {
    throw mismatch('published', leafIndex, `the validator publishes another commitment at leaf ${leafIndex}`);
  }
  let root: Field | undefined;
  for (let attempt = 0; attempt < ROOT_TRIES; attempt++) {
    const found = await source.path(leafIndex);
    if (found.path.leafIndex !== leafIndex || computeRoot(commitment, found.path) !== found.root) {
      throw mismatch('path', leafIndex, 'the Merkle path does not lead from the commitment to its root');
    }
    root = found.root;
    const status = await source.status();
    if (status.root === root) {
      return { disclosure, root, rootKind: 'current', leafCount: status.leafCount, height: status.height };
    }
  }
  if (root !== undefined && (await source.roots?.())?.includes(root)) {
    return { disclosure, root, rootKind: 'recent', leafCount: undefined, height: undefined };
  }
  const anchored = (await unlessNotServed(() => source.anchors?.()))?.find((a) => a.root === root);
  if (anchored) {
    return {
      disclosure,
      root: anchored.root,
      rootKind: 'anchored',
      leafCount: anchored.leafCount,
      height: anchored.height,
    };
  }
  throw mismatch(
    'root',
    leafIndex,
    'the path leads to a root the validator names neither current, recent nor anchored',
  );
}

const unavailable = (payment: string, reason: string) =>
  new WalletError('DISCLOSURE_UNAVAILABLE', `cannot disclose ${payment}: ${reason}`, { payment, reason });

/**
 * The disclosure of one payment the wallet knows: a received note named by its leaf index (digits,
 * up to 10) or commitment (decimal), or a sent transfer named by its transaction id or the leaf or
 * commitment of its payment output. A received note's recipient is the wallet's own address of the
 * note's diversifier; a sent one's, the address the transfer was made to.
 */
export function disclosePayment(keys: AnyWalletKey, store: NoteStore, payment: string): Disclosure {
  const text = payment.trim();
  let byLeaf: number | undefined;
  let byCommitment: bigint | undefined;
  if (TX_ID.test(text)) return discloseSent(store, text);
  if (/^\d{1,10}$/.test(text)) byLeaf = Number(text);
  else if (DECIMAL.test(text)) byCommitment = BigInt(text);
  else throw unavailable(text.slice(0, 80), 'not a leaf index, commitment or transaction id');
  const owned = store.all.find((n) => n.leafIndex === byLeaf || n.commitment === byCommitment);
  if (owned) {
    return {
      direction: 'received',
      commitment: owned.commitment,
      leafIndex: owned.leafIndex,
      amount: owned.amount,
      asset: owned.asset,
      recipient: encodeAddress(addressFor(keys, owned.diversifier)),
      blinding: owned.blinding,
    };
  }
  const sent = store.sentPayments.find(
    (p) => (byLeaf !== undefined && p.leafIndex === byLeaf) || p.commitment === byCommitment,
  );
  if (sent) return discloseSent(store, sent.txId);
  throw unavailable(text, 'no note of this wallet or payment it sent is at that leaf or commitment');
}

function discloseSent(store: NoteStore, txId: string): Disclosure {
  const sent = store.sentPayments.find((p) => p.txId === txId);
  if (!sent) {
    const known =
      store.history.some((h) => h.txId === txId) || store.pendingTransactions.some((t) => t.id === txId);
    throw unavailable(
      txId,
      known
        ? 'this transaction paid no one else, or was sent before the wallet kept payment openings'
        : 'no transfer of this wallet has this id',
    );
  }
  if (sent.leafIndex === undefined) {
    throw unavailable(txId, 'its output is not published yet: sync once it is final');
  }
  return {
    direction: 'sent',
    commitment: sent.commitment,
    leafIndex: sent.leafIndex,
    amount: sent.amount,
    asset: sent.asset,
    recipient: sent.recipient,
    blinding: sent.blinding,
    txId,
  };
}
