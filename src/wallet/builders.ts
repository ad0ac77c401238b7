import { randomInt } from 'node:crypto';
import {
  addressFor,
  computeRoot,
  diversifiedKey,
  dummyInput,
  type ExtData,
  encryptNote,
  type Field,
  type MerklePath,
  NATIVE_ASSET,
  type Note,
  randomField,
  refundNote,
  type ShieldedAddress,
  type SpendInput,
  type TransactRequest,
  type WalletKeys,
} from '../privacy/index.js';
import { selectNotes } from './coin-selection.js';
import { WalletError } from './errors.js';
import type { NoteStore, OwnedNote } from './note-store.js';

/** Merkle path of a leaf against the root the transaction will name (from a validator's ingress). */
export type PathSource = (leafIndex: number) => Promise<MerklePath>;

export interface BuiltTransaction {
  readonly request: TransactRequest;
  /** The wallet's notes this transaction spends (to mark pending once submitted). */
  readonly spends: readonly OwnedNote[];
  /** A withdrawal's refund note (ours, its gross debit), appended only if it expires unsettled. */
  readonly refund?: Note;
  /** The output that pays the recipient (a transfer's, a merge's sum): its opening, so it can be disclosed. */
  readonly payment?: Note;
}

interface Output {
  readonly note: Note;
  readonly to: ShieldedAddress;
}

async function spendOf(
  keys: WalletKeys,
  owned: OwnedNote,
  root: Field,
  pathOf: PathSource,
): Promise<SpendInput> {
  const path = await pathOf(owned.leafIndex);
  if (path.leafIndex !== owned.leafIndex || computeRoot(owned.commitment, path) !== root) {
    throw new WalletError(
      'ROOT_MISMATCH',
      'the Merkle path does not lead from this note to the chosen root',
      {
        leafIndex: owned.leafIndex,
      },
    );
  }
  return {
    note: {
      amount: owned.amount,
      pkD: diversifiedKey(keys.ak, owned.diversifier),
      blinding: owned.blinding,
      asset: owned.asset,
    },
    sk: keys.sk,
    diversifier: owned.diversifier,
    path,
  };
}

/**
 * Two outputs in random order, so an observer of the ciphertext order learns nothing about which
 * one is change. Both are encrypted: the change to ourselves.
 */
function orderOutputs(a: Output, b: Output): [Output, Output] {
  return randomInt(2) === 0 ? [a, b] : [b, a];
}

async function build(
  keys: WalletKeys,
  store: NoteStore,
  args: {
    root: Field;
    asset: Field;
    pathOf: PathSource;
    target: bigint;
    payment: Output | undefined;
    ext: Omit<ExtData, 'encryptedOutput0' | 'encryptedOutput1'>;
    /** Only notes at leaf indexes below this can be spent (those under an older root). */
    leavesBelow?: number;
    /** The notes to spend (a merge names them); coin selection picks them when absent. */
    inputs?: readonly OwnedNote[];
  },
): Promise<BuiltTransaction> {
  const below = args.leavesBelow;
  const candidates = store.unspent(args.asset).filter((n) => below === undefined || n.leafIndex < below);
  const selected = args.inputs ? [...args.inputs] : selectNotes(candidates, args.target);
  const inputs = await Promise.all(selected.map((n) => spendOf(keys, n, args.root, args.pathOf)));
  while (inputs.length < 2) inputs.push(dummyInput(args.asset));
  const total = selected.reduce((s, n) => s + n.amount, 0n);
  const change: Output = {
    note: { amount: total - args.target, pkD: keys.pkD0, blinding: randomField(), asset: args.asset },
    to: keys.address,
  };
  const second: Output = args.payment ?? {
    note: { amount: 0n, pkD: keys.pkD0, blinding: randomField(), asset: args.asset },
    to: keys.address,
  };
  const [o0, o1] = orderOutputs(second, change);
  return {
    request: {
      root: args.root,
      asset: args.asset,
      inputs: [inputs[0]!, inputs[1]!],
      outputs: [o0.note, o1.note],
      extData: {
        ...args.ext,
        encryptedOutput0: encryptNote(o0.note, o0.to),
        encryptedOutput1: encryptNote(o1.note, o1.to),
      },
    },
    spends: selected,
    ...(args.payment ? { payment: args.payment.note } : {}),
  };
}

/** A private transfer of `amount` to `to`, change back to us. Nothing of it reaches Solana. */
export function buildTransfer(
  keys: WalletKeys,
  store: NoteStore,
  p: { to: ShieldedAddress; amount: bigint; root: Field; pathOf: PathSource; asset?: Field },
): Promise<BuiltTransaction> {
  const asset = p.asset ?? NATIVE_ASSET;
  return build(keys, store, {
    root: p.root,
    asset,
    pathOf: p.pathOf,
    target: p.amount,
    payment: { note: { amount: p.amount, pkD: p.to.pkD, blinding: randomField(), asset }, to: p.to },
    ext: {
      recipient: new Uint8Array(32),
      relayer: new Uint8Array(32),
      fee: 0n,
      extAmount: 0n,
      expirationSlot: 0n,
    },
  });
}

/**
 * A merge: two of our notes in, their sum to ourselves out (the second output a zero-amount note to
 * ourselves, as any transfer's change), so a payment that needs more notes than the circuit's two
 * inputs can follow. On the wire it looks like any other private transfer.
 */
export function buildMerge(
  keys: WalletKeys,
  store: NoteStore,
  p: { notes: readonly [OwnedNote, OwnedNote]; root: Field; pathOf: PathSource },
): Promise<BuiltTransaction> {
  const [a, b] = p.notes;
  const unspent = new Set(store.unspent(a.asset).map((n) => n.commitment));
  if (
    a.asset !== b.asset ||
    a.commitment === b.commitment ||
    !unspent.has(a.commitment) ||
    !unspent.has(b.commitment)
  ) {
    throw new WalletError('NOTE_UNKNOWN', 'a merge spends two distinct unspent notes of one asset', {
      leafIndex: unspent.has(a.commitment) ? b.leafIndex : a.leafIndex,
    });
  }
  const total = a.amount + b.amount;
  return build(keys, store, {
    root: p.root,
    asset: a.asset,
    pathOf: p.pathOf,
    target: total,
    inputs: p.notes,
    payment: {
      note: { amount: total, pkD: keys.pkD0, blinding: randomField(), asset: a.asset },
      to: keys.address,
    },
    ext: {
      recipient: new Uint8Array(32),
      relayer: new Uint8Array(32),
      fee: 0n,
      extAmount: 0n,
      expirationSlot: 0n,
    },
  });
}

/**
 * A withdrawal paying `amount` to the Solana address `recipient` and `fee` to the relayer that
 * submits it (so the user needs no SOL), valid until `expirationSlot`. Proven against an anchored root.
 * Its ext data carries a refund note of `amount + fee` to ourselves, which the cohort appends if the
 * withdrawal expires without settling.
 */
export async function buildWithdraw(
  keys: WalletKeys,
  store: NoteStore,
  p: {
    recipient: Uint8Array;
    relayer: Uint8Array;
    amount: bigint;
    fee: bigint;
    expirationSlot: bigint;
    root: Field;
    pathOf: PathSource;
    asset?: Field;
    /** The tree size `root` is the root of: notes appended later cannot be spent under it. */
    leavesBelow?: number;
  },
): Promise<BuiltTransaction> {
  if (p.fee < 0n) throw new WalletError('AMOUNT_INVALID', 'fee must not be negative');
  const gross = p.amount + p.fee;
  const asset = p.asset ?? NATIVE_ASSET;
  // Paid back to us if the withdrawal expires unsettled: the whole debit, fee included. A v2 note of
  // the wallet's next refund diversifier, so it links to nothing else the wallet shows.
  const { note: refund, diversifier } = refundNote(keys, store.refundsMade, gross, asset);
  const built = await build(keys, store, {
    root: p.root,
    asset: p.asset ?? NATIVE_ASSET,
    pathOf: p.pathOf,
    target: gross,
    payment: undefined,
    leavesBelow: p.leavesBelow,
    ext: {
      recipient: p.recipient,
      relayer: p.relayer,
      fee: p.fee,
      extAmount: -gross,
      expirationSlot: p.expirationSlot,
      refundOwner: refund.pkD,
      refundBlinding: refund.blinding,
      refundCiphertext: encryptNote(refund, addressFor(keys, diversifier)),
    },
  });
  // Each withdrawal gets its own refund owner: two sharing one would link them.
  store.refundsMade++;
  return { ...built, refund };
}
