import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  addressFor,
  depositNote,
  diversifiedKey,
  encodeFullViewingKey,
  encodeIncomingViewingKey,
  encryptNote,
  type Field,
  generateWalletKeys,
  NATIVE_ASSET,
  type Note,
  noteCommitment,
  noteNullifier,
  randomField,
  refundNote,
  refundSecrets,
  type WalletKeys,
} from '../privacy/index.js';
import type { PublicDeposit } from './deposit-recovery.js';
import { findOwnDeposits } from './deposit-recovery.js';
import { MemoryOutputSource } from './memory-source.js';
import { generateWalletMnemonic, seedFromMnemonic, walletKeysFromSeed } from './mnemonic.js';
import { Wallet } from './wallet.js';

const dir = mkdtempSync(join(tmpdir(), 'paraloom-restore-scan-'));
const cheap = { passphrase: 'restore scan', scrypt: { log2N: 10, r: 8, p: 1 } };

function paid(to: WalletKeys, note: Note, diversifier: Field = to.d0) {
  return { commitment: noteCommitment(note), envelope: encryptNote(note, addressFor(to, diversifier)) };
}

function noteTo(to: WalletKeys, amount: bigint): Note {
  return { amount, pkD: to.pkD0, blinding: randomField(), asset: NATIVE_ASSET };
}

function publicDeposit(note: Note): PublicDeposit {
  return { amount: note.amount, ownerPk: note.pkD, blinding: note.blinding, asset: note.asset };
}

/**
 * What a wallet did, as the chain and the validators publish it: deposits 0 and 2 (1 failed on
 * chain), a transfer of 300 to Bob, a withdrawal of 400 (fee 10) that expired and was refunded, and
 * a payment of 77 from Bob. Nothing of the wallet's own bookkeeping is kept: only the mnemonic.
 */
async function history(alice: WalletKeys, bob: WalletKeys) {
  const source = await MemoryOutputSource.create();
  const stranger = generateWalletKeys();
  const deposit0 = depositNote(alice, 0, 1_000n, NATIVE_ASSET).note;
  const deposit2 = depositNote(alice, 2, 50n, NATIVE_ASSET).note;
  const strangers = depositNote(stranger, 0, 5n, NATIVE_ASSET).note;
  const deposits = [deposit0, strangers, deposit2].map(publicDeposit);
  await source.publish(
    [deposit0, strangers, deposit2].map((n) => ({ commitment: noteCommitment(n), envelope: undefined })),
  );
  const dummy = () => randomField();
  const change700 = noteTo(alice, 700n);
  await source.publish([
    {
      ...paid(bob, noteTo(bob, 300n)),
      transaction: {
        nullifiers: [noteNullifier(alice.nk, noteCommitment(deposit0), 0), dummy()],
        extAmount: 0n,
        fee: 0n,
        refundOwner: undefined,
      },
    },
    paid(alice, change700),
  ]);
  const change290 = noteTo(alice, 290n);
  const { note: refund, diversifier: refundD } = refundNote(alice, 0, 410n, NATIVE_ASSET);
  await source.publish([
    {
      ...paid(alice, change290),
      transaction: {
        nullifiers: [noteNullifier(alice.nk, noteCommitment(change700), 4), dummy()],
        extAmount: -410n,
        fee: 10n,
        refundOwner: diversifiedKey(alice.ak, refundSecrets(alice.ivk, 0).diversifier),
      },
    },
    paid(alice, noteTo(alice, 0n)),
  ]);
  await source.publish([paid(alice, refund, refundD)]);
  await source.publish([
    {
      ...paid(bob, noteTo(bob, 23n)),
      transaction: { nullifiers: [dummy(), dummy()], extAmount: 0n, fee: 0n, refundOwner: undefined },
    },
    paid(alice, noteTo(alice, 77n)),
  ]);
  return { source, deposits };
}

const EXPECTED_HISTORY = [
  ['deposited', 1_000n],
  ['deposited', 50n],
  ['sent', 300n],
  ['withdrawn', 400n],
  ['refunded', 410n],
  ['received', 77n],
];

describe('a wallet rebuilt from its mnemonic and the network alone', () => {
  it('finds its deposits past a gap, its spends by nullifier, change as no payment, and its refunds', async () => {
    const mnemonic = generateWalletMnemonic();
    const alice = walletKeysFromSeed(seedFromMnemonic(mnemonic));
    const { source, deposits } = await history(alice, generateWalletKeys());
    expect(findOwnDeposits(alice, deposits).next).toBe(3);
    // A gap of 1 stops at the failed deposit number 1 and would hand out number 2 again.
    expect(findOwnDeposits(alice, deposits, 1).next).toBe(1);

    for (const checkpointEvery of [10_000, 1]) {
      const w = Wallet.create(join(dir, `alice-${checkpointEvery}`), { ...cheap, mnemonic });
      expect(w.recoverDeposits(deposits)).toEqual({ found: 2, depositsMade: 3 });
      const r = await w.sync(source, { checkpointEvery });
      expect(r).toMatchObject({ depositsLanded: 2, spendsSeen: 2 });
      expect(w.balance()).toEqual({ spendable: 50n + 290n + 410n + 77n, pending: 0n, depositing: 0n });
      expect(w.store.history.map((h) => [h.kind, h.amount])).toEqual(EXPECTED_HISTORY);
      expect(w.store.refundsMade).toBe(1);
      expect(w.store.depositsMade).toBe(3);
      // The next deposit shows an owner key no earlier deposit showed.
      const next = w.prepareDeposit(10n);
      expect(deposits.map((d) => d.ownerPk)).not.toContain(next.pkD);
      // Syncing again finds nothing new and changes nothing.
      const before = readFileSync(join(dir, `alice-${checkpointEvery}`, 'notes.json'), 'utf8');
      expect(await w.sync(source)).toMatchObject({ scanned: 0, spendsSeen: 0 });
      expect(readFileSync(join(dir, `alice-${checkpointEvery}`, 'notes.json'), 'utf8')).toBe(before);
    }
  });

  it('a full viewing key shows the same balance and history and cannot spend; an incoming key sees payments only', async () => {
    const alice = generateWalletKeys();
    const { source, deposits } = await history(alice, generateWalletKeys());
    const watcher = Wallet.createViewOnly(join(dir, 'watch-full'), {
      ...cheap,
      viewingKey: encodeFullViewingKey(alice),
    });
    expect(watcher.capability).toBe('full-view');
    expect(watcher.address).toBe(Wallet.inMemory(alice).address);
    watcher.recoverDeposits(deposits);
    await watcher.sync(source);
    expect(watcher.balance().spendable).toBe(827n);
    expect(watcher.store.history.map((h) => [h.kind, h.amount])).toEqual(EXPECTED_HISTORY);
    expect(() => watcher.prepareDeposit(1n)).toThrowError(expect.objectContaining({ code: 'VIEW_ONLY' }));
    expect(() => watcher.keys).toThrowError(expect.objectContaining({ code: 'VIEW_ONLY' }));
    expect(watcher.viewingKey('full')).toBe(encodeFullViewingKey(alice));
    const notesBefore = readFileSync(join(dir, 'watch-full', 'notes.json'), 'utf8');
    expect(() => watcher.prepareDeposit(1n)).toThrow();
    expect(readFileSync(join(dir, 'watch-full', 'notes.json'), 'utf8')).toBe(notesBefore);

    // Reopened from its sealed file it is still a watcher.
    const reopened = Wallet.open(join(dir, 'watch-full'), cheap);
    expect(reopened.capability).toBe('full-view');
    expect(reopened.balance().spendable).toBe(827n);

    const incoming = Wallet.createViewOnly(join(dir, 'watch-in'), {
      ...cheap,
      viewingKey: encodeIncomingViewingKey(alice),
    });
    expect(incoming.capability).toBe('incoming-view');
    expect(() => incoming.viewingKey('full')).toThrowError(expect.objectContaining({ code: 'VIEW_ONLY' }));
    incoming.recoverDeposits(deposits);
    const r = await incoming.sync(source);
    // Without nk it cannot tell a spent note from an unspent one: every note it finds counts.
    expect(r.spendsSeen).toBe(0);
    expect(incoming.store.history.filter((h) => h.kind === 'received').map((h) => h.amount)).toEqual([
      700n,
      290n,
      77n,
    ]);
    expect(incoming.store.all.every((n) => n.nullifier === undefined)).toBe(true);
  });

  it('refuses a mistyped viewing key and writes nothing', () => {
    const key = encodeFullViewingKey(generateWalletKeys());
    const typo = `${key.slice(0, -1)}${key.endsWith('q') ? 'p' : 'q'}`;
    expect(() => Wallet.createViewOnly(join(dir, 'bad'), { ...cheap, viewingKey: typo })).toThrowError(
      expect.objectContaining({ code: 'ADDRESS_CHECKSUM' }),
    );
    expect(() => readFileSync(join(dir, 'bad', 'wallet.json'))).toThrow();
  });
});
