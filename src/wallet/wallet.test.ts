import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CircuitArtifacts,
  depositNote,
  diversifiedKey,
  encryptNote,
  type Field,
  generateWalletKeys,
  loadCircuitArtifacts,
  MemoryTreeStorage,
  MerkleTree,
  NATIVE_ASSET,
  type Note,
  noteCommitment,
  noteNullifier,
  proveTransact,
  randomField,
  refundCommitmentOf,
  refundSecrets,
  shutdownProver,
  TransactVerifier,
  type WalletKeys,
} from '../privacy/index.js';
import { buildTransfer, buildWithdraw } from './builders.js';
import { selectNotes } from './coin-selection.js';
import { NoteStore, type OwnedNote } from './note-store.js';
import { type PublishedOutput, scanOutputs } from './scanner.js';

const dir = mkdtempSync(join(tmpdir(), 'paraloom-wallet-'));
let artifacts: CircuitArtifacts;
let verifier: TransactVerifier;

beforeAll(async () => {
  artifacts = await loadCircuitArtifacts();
  verifier = await TransactVerifier.create(artifacts.verifyingKey);
});
afterAll(shutdownProver);

/** A pool tree where `owner` received notes of `amounts` among others' notes; returns published outputs. */
async function chainWith(
  owner: WalletKeys,
  amounts: bigint[],
): Promise<{ tree: MerkleTree; outputs: PublishedOutput[] }> {
  const tree = await MerkleTree.open(new MemoryTreeStorage());
  const outputs: PublishedOutput[] = [];
  const stranger = generateWalletKeys();
  const add = async (to: WalletKeys, amount: bigint) => {
    const note: Note = { amount, pkD: to.pkD0, blinding: randomField(), asset: NATIVE_ASSET };
    const commitment = noteCommitment(note);
    const leafIndex = await tree.append(commitment);
    outputs.push({ leafIndex, commitment, envelope: encryptNote(note, to.address) });
  };
  await add(stranger, 999n);
  for (const a of amounts) {
    await add(owner, a);
    await add(stranger, a + 1n);
  }
  return { tree, outputs };
}

const note = (amount: bigint, leafIndex: number): OwnedNote => ({
  commitment: randomField(),
  leafIndex,
  amount,
  blinding: randomField(),
  asset: NATIVE_ASSET,
  diversifier: randomField(),
  nullifier: randomField(),
  status: 'unspent',
});

describe('scanning and the note store', () => {
  it('finds exactly its own notes, once, and persists them', async () => {
    const me = generateWalletKeys();
    const { outputs } = await chainWith(me, [10n, 20n, 30n]);
    const path = join(dir, 'notes.json');
    const store = NoteStore.open(path);
    expect(scanOutputs(me, store, outputs)).toBe(3);
    expect(scanOutputs(me, store, outputs)).toBe(0);
    const garbage = { ...outputs[0]!, envelope: new Uint8Array(5) };
    expect(scanOutputs(me, store, [garbage])).toBe(0);
    expect(store.balance(NATIVE_ASSET)).toEqual({ spendable: 60n, pending: 0n });
    expect(store.scannedUpTo).toBe(outputs.length);
    store.markPending([store.all[0]!.commitment], 'tx1');
    store.save();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const again = NoteStore.open(path);
    expect(again.balance(NATIVE_ASSET)).toEqual({ spendable: 50n, pending: 10n });
    again.releasePending('tx1');
    expect(again.balance(NATIVE_ASSET).spendable).toBe(60n);
    again.markSpent([again.all[1]!.commitment]);
    expect(again.balance(NATIVE_ASSET)).toEqual({ spendable: 40n, pending: 0n });
    expect(again.history.filter((h) => h.kind === 'received').length).toBe(3);
    writeFileSync(join(dir, 'broken.json'), '{"format":"paraloom-notes/2", "notes": [');
    expect(() => NoteStore.open(join(dir, 'broken.json'))).toThrowError(
      expect.objectContaining({ code: 'NOTE_STORE_INVALID' }),
    );
    expect(readFileSync(path, 'utf8')).toContain('paraloom-notes/2');
  });
});

describe('coin selection', () => {
  it('takes the smallest sufficient note, else the tightest pair, else explains', () => {
    const notes = [note(5n, 0), note(50n, 1), note(20n, 2), note(30n, 3)];
    expect(selectNotes(notes, 18n).map((n) => n.amount)).toEqual([20n]);
    expect(selectNotes(notes, 60n).map((n) => n.amount)).toEqual([20n, 50n]);
    expect(selectNotes(notes, 80n).map((n) => n.amount)).toEqual([30n, 50n]);
    expect(() => selectNotes(notes, 100n)).toThrowError(
      expect.objectContaining({ code: 'NEEDS_CONSOLIDATION' }),
    );
    expect(() => selectNotes(notes, 106n)).toThrowError(
      expect.objectContaining({ code: 'INSUFFICIENT_FUNDS' }),
    );
    expect(() => selectNotes(notes, 0n)).toThrowError(expect.objectContaining({ code: 'AMOUNT_INVALID' }));
  });
});

describe('building and proving', () => {
  it('a transfer to a friend proves, verifies, and the friend finds the note', async () => {
    const me = generateWalletKeys();
    const friend = generateWalletKeys();
    const { tree, outputs } = await chainWith(me, [3_000n, 4_000n]);
    const store = NoteStore.inMemory();
    scanOutputs(me, store, outputs);
    const built = await buildTransfer(me, store, {
      to: friend.address,
      amount: 6_500n,
      root: tree.root,
      pathOf: (i) => tree.path(i),
    });
    expect(built.spends.length).toBe(2);
    const proof = await proveTransact(built.request, artifacts);
    expect(verifier.verify(proof)).toBe(true);
    const [c0, c1] = proof.statement.outputCommitments;
    const published: PublishedOutput[] = [
      { leafIndex: 100, commitment: c0, envelope: built.request.extData.encryptedOutput0 },
      { leafIndex: 101, commitment: c1, envelope: built.request.extData.encryptedOutput1 },
    ];
    const friendStore = NoteStore.inMemory();
    expect(scanOutputs(friend, friendStore, published)).toBe(1);
    expect(friendStore.balance(NATIVE_ASSET).spendable).toBe(6_500n);
    const mine = NoteStore.inMemory();
    scanOutputs(me, mine, published);
    expect(mine.balance(NATIVE_ASSET).spendable).toBe(500n);
  });

  it('a withdrawal binds recipient, relayer and fee and proves with a dummy input', async () => {
    const me = generateWalletKeys();
    const { tree, outputs } = await chainWith(me, [5_000_000n]);
    const store = NoteStore.inMemory();
    scanOutputs(me, store, outputs);
    const built = await buildWithdraw(me, store, {
      recipient: new Uint8Array(32).fill(3),
      relayer: new Uint8Array(32).fill(4),
      amount: 1_000_000n,
      fee: 10_000n,
      expirationSlot: 5_000n,
      root: tree.root,
      pathOf: (i) => tree.path(i),
    });
    expect(built.request.extData.extAmount).toBe(-1_010_000n);
    expect(built.request.inputs[1].note.amount).toBe(0n);
    // The refund note: ours, the whole debit (fee included), bound by the proof through ext_data_hash.
    expect(built.refund).toMatchObject({
      amount: 1_010_000n,
      pkD: diversifiedKey(me.ak, refundSecrets(me.ivk, 0).diversifier),
      asset: NATIVE_ASSET,
    });
    expect(store.refundsMade).toBe(1);
    // The ext data reveals the refund note's opening (a fresh pk_d and blinding), not its amount: the
    // cohort computes the commitment from the withdrawal's gross debit and asset.
    expect(built.request.extData.refundOwner).toBe(built.refund!.pkD);
    expect(built.request.extData.refundBlinding).toBe(built.refund!.blinding);
    expect(built.request.extData.refundOwner).not.toBe(me.pkD0);
    const refundCommitment = refundCommitmentOf(built.request.extData, NATIVE_ASSET)!;
    expect(refundCommitment).toBe(noteCommitment(built.refund!));
    const proof = await proveTransact(built.request, artifacts);
    expect(verifier.verify(proof)).toBe(true);
    expect(
      verifier.verify({
        ...proof,
        statement: {
          ...proof.statement,
          extData: {
            ...proof.statement.extData,
            refundBlinding: randomField(),
          },
        },
      }),
    ).toBe(false);
    // Appended after expiry, the refund is found by the scanner like any output and recorded as the
    // withdrawal's refund; the store keeps the pending refund across a reopen.
    const path = join(dir, 'refund-notes.json');
    const refundStore = NoteStore.open(path);
    scanOutputs(me, refundStore, outputs);
    refundStore.pendingRefunds.push({
      withdrawalId: 'w1',
      commitment: refundCommitment,
      amount: 1_010_000n,
      asset: NATIVE_ASSET,
      expirationSlot: 5_000n,
    });
    refundStore.refundsMade = 3;
    refundStore.save();
    const reopened = NoteStore.open(path);
    expect(reopened.pendingRefunds).toEqual(refundStore.pendingRefunds);
    // The refund index survives a reopen: a later withdrawal never reuses a refund owner.
    expect(reopened.refundsMade).toBe(3);
    const leafIndex = await tree.append(refundCommitment);
    const refundOutput = {
      leafIndex,
      commitment: refundCommitment,
      envelope: built.request.extData.refundCiphertext!,
    };
    expect(scanOutputs(me, reopened, [refundOutput])).toBe(1);
    expect(reopened.history.at(-1)).toMatchObject({ kind: 'refunded', amount: 1_010_000n, txId: 'w1' });
    expect([...reopened.refundedWithdrawals]).toEqual(['w1']);
    expect(reopened.pendingRefunds).toEqual([]);
    expect(reopened.balance(NATIVE_ASSET).spendable).toBe(5_000_000n + 1_010_000n);
    expect(
      verifier.verify({
        ...proof,
        statement: { ...proof.statement, extData: { ...proof.statement.extData, fee: 20_000n } },
      }),
    ).toBe(false);
    // Spending a deposit's note: its owner key uses the deposit's own diversifier, not the address's.
    const deposit = depositNote(me, 0, 2_000_000n, NATIVE_ASSET);
    const depositCommitment = noteCommitment(deposit.note);
    const depositLeaf = await tree.append(depositCommitment);
    const depositStore = NoteStore.inMemory();
    depositStore.add({
      commitment: depositCommitment,
      leafIndex: depositLeaf,
      amount: deposit.note.amount,
      blinding: deposit.note.blinding,
      asset: NATIVE_ASSET,
      diversifier: deposit.diversifier,
      nullifier: noteNullifier(me.nk, depositCommitment, depositLeaf),
    });
    const fromDeposit = await buildWithdraw(me, depositStore, {
      recipient: new Uint8Array(32).fill(3),
      relayer: new Uint8Array(32).fill(4),
      amount: 1_500_000n,
      fee: 0n,
      expirationSlot: 5_000n,
      root: tree.root,
      pathOf: (i) => tree.path(i),
    });
    const depositProof = await proveTransact(fromDeposit.request, artifacts);
    expect(verifier.verify(depositProof)).toBe(true);
    expect(depositProof.statement.nullifiers).toContain(depositStore.all[0]!.nullifier);
    const wrongRoot = randomField();
    await expect(
      buildWithdraw(me, store, {
        recipient: new Uint8Array(32),
        relayer: new Uint8Array(32),
        amount: 1n,
        fee: 0n,
        expirationSlot: 1n,
        root: wrongRoot as Field,
        pathOf: (i) => tree.path(i),
      }),
    ).rejects.toMatchObject({ code: 'ROOT_MISMATCH' });
  });
});

describe('wallet directory', () => {
  it('keeps pending deposits across a reopen', async () => {
    const { Wallet } = await import('./wallet.js');
    const wdir = join(dir, 'reopen');
    const unlock = { passphrase: 'reopen test' };
    const w = Wallet.create(wdir, { ...unlock, scrypt: { log2N: 10, r: 8, p: 1 } });
    w.prepareDeposit(7n);
    expect(Wallet.open(wdir, unlock).balance()).toEqual({ spendable: 0n, pending: 0n, depositing: 7n });
    expect(Wallet.open(wdir, unlock).store.pendingDeposits[0]!.commitment).toBe(
      w.store.pendingDeposits[0]!.commitment,
    );
  });

  it('gives every deposit a fresh owner key and blinding that the seed recomputes', async () => {
    const { Wallet } = await import('./wallet.js');
    const wdir = join(dir, 'deposits');
    const unlock = { passphrase: 'deposits test' };
    const w = Wallet.create(wdir, { ...unlock, scrypt: { log2N: 10, r: 8, p: 1 } });
    const a = w.prepareDeposit(5n);
    const b = Wallet.open(wdir, unlock).prepareDeposit(5n);
    expect(new Set([a.pkD, b.pkD, w.keys.pkD0]).size).toBe(3);
    expect(a.blinding).not.toBe(b.blinding);
    expect(a).toEqual(depositNote(w.keys, 0, 5n, NATIVE_ASSET).note);
    expect(b).toEqual(depositNote(w.keys, 1, 5n, NATIVE_ASSET).note);
    expect(Wallet.open(wdir, unlock).store.depositsMade).toBe(2);
  });

  it('two deposit instructions of one wallet share no field but the depositor, amount and asset', async () => {
    const [{ Wallet }, bridge, kit] = await Promise.all([
      import('./wallet.js'),
      import('../bridge/index.js'),
      import('@solana/kit'),
    ]);
    const w = Wallet.create(join(dir, 'deposit-ix'), { passphrase: 'ix', scrypt: { log2N: 10, r: 8, p: 1 } });
    const p = await bridge.deriveProgramAddresses(bridge.PARALOOM_DEV_PROGRAM_ID);
    const depositor = await kit.generateKeyPairSigner();
    const data = [w.prepareDeposit(5n), w.prepareDeposit(5n)].map((note) => {
      const ix = bridge.depositInstruction(p, depositor, {
        amount: note.amount,
        ownerPk: note.pkD,
        blinding: note.blinding,
        asset: note.asset,
      });
      return new Uint8Array(ix.data ?? []);
    });
    // deposit data: discriminator (8) | amount u64 | owner_pk [32] | blinding [32] | asset [32], fields BE
    const field = (d: Uint8Array, i: number) =>
      Buffer.from(d.subarray(16 + 32 * i, 48 + 32 * i)).toString('hex');
    const [x, y] = data as [Uint8Array, Uint8Array];
    expect(x.length).toBe(112);
    expect(x.subarray(0, 16)).toEqual(y.subarray(0, 16)); // discriminator, amount
    expect(field(x, 2)).toBe(field(y, 2)); // asset
    const secrets = [field(x, 0), field(x, 1), field(y, 0), field(y, 1)];
    const addressParts = [w.keys.pkD0, w.keys.d0, w.keys.ak].map((f) => f.toString(16).padStart(64, '0'));
    expect(new Set([...secrets, ...addressParts]).size).toBe(7);
  });
});
