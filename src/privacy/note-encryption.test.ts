import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { hexToBytes } from '../common/index.js';
import { randomField, toField } from './field.js';
import { addressFor, deriveWalletKeys, generateWalletKeys, incomingViewingKey } from './keys.js';
import { depositNote, type Note, noteCommitment, noteNullifier } from './note.js';
import { ENVELOPE_BYTES, encryptNote, tryDecryptNote } from './note-encryption.js';

interface Vector {
  seed: string;
  note: { amount: string; blinding: string; asset: string };
  leaf_index: number;
  commitment: string;
  nullifier: string;
  ephemeral_secret: string;
  envelope: string;
}

const vectors = JSON.parse(
  readFileSync(new URL('../../test/vectors/notes.json', import.meta.url), 'utf8'),
) as {
  vectors: Vector[];
};

describe('note encryption (envelope v2)', () => {
  it('delivers a note and its diversifier to its owner only', () => {
    const alice = generateWalletKeys();
    const bob = generateWalletKeys();
    const note: Note = { amount: 1_500_000_000n, pkD: bob.pkD0, blinding: randomField(), asset: toField(0n) };
    const commitment = noteCommitment(note);
    const envelope = encryptNote(note, bob.address);
    expect(envelope.length).toBe(ENVELOPE_BYTES);
    expect(ENVELOPE_BYTES).toBe(153);
    expect(tryDecryptNote(envelope, bob, commitment)).toEqual({ note, diversifier: bob.d0 });
    // the incoming viewing key alone finds it too
    expect(tryDecryptNote(envelope, incomingViewingKey(bob), commitment)).toEqual({
      note,
      diversifier: bob.d0,
    });
    expect(tryDecryptNote(envelope, alice, commitment)).toBeUndefined();
    // right key, wrong commitment: the re-hash check refuses it
    expect(tryDecryptNote(envelope, bob, randomField())).toBeUndefined();
  });

  it('opens notes paid to any of the owner diversified addresses', () => {
    const bob = generateWalletKeys();
    const other = addressFor(bob, randomField());
    const note: Note = { amount: 3n, pkD: other.pkD, blinding: randomField(), asset: toField(5n) };
    const c = noteCommitment(note);
    expect(tryDecryptNote(encryptNote(note, other), bob, c)).toEqual({
      note,
      diversifier: other.diversifier,
    });
  });

  it('refuses an envelope whose diversifier does not open the owner key (a forged payment)', () => {
    const bob = generateWalletKeys();
    // Encrypted to bob's encryption key, but the note is owned by someone else's pk_d.
    const forged = { ...bob.address, pkD: randomField() };
    const note: Note = { amount: 9n, pkD: forged.pkD, blinding: randomField(), asset: toField(0n) };
    expect(tryDecryptNote(encryptNote(note, forged), bob, noteCommitment(note))).toBeUndefined();
  });

  it('refuses tampered, truncated and unknown-version envelopes', () => {
    const bob = generateWalletKeys();
    const note: Note = { amount: 7n, pkD: bob.pkD0, blinding: randomField(), asset: toField(0n) };
    const c = noteCommitment(note);
    const envelope = encryptNote(note, bob.address);
    for (const i of [1, 20, 40, 80, 120, ENVELOPE_BYTES - 1]) {
      const t = envelope.slice();
      t[i]! ^= 1;
      expect(tryDecryptNote(t, bob, c)).toBeUndefined();
    }
    expect(() => tryDecryptNote(envelope.subarray(0, 100), bob, c)).toThrow(/153 bytes/);
    for (const version of [1, 3]) {
      const other = envelope.slice();
      other[0] = version;
      expect(() => tryDecryptNote(other, bob, c)).toThrowError(
        expect.objectContaining({ code: 'ENVELOPE_UNSUPPORTED_VERSION' }),
      );
    }
  });

  it('refuses to encrypt a note to someone who does not own it', () => {
    const bob = generateWalletKeys();
    const note: Note = { amount: 7n, pkD: randomField(), blinding: randomField(), asset: toField(0n) };
    expect(() => encryptNote(note, bob.address)).toThrowError(
      expect.objectContaining({ code: 'ENVELOPE_INVALID' }),
    );
    // a deposit's note is owned by its own diversified key, not the address
    const deposit = depositNote(bob, 0, 7n, toField(0n));
    expect(() => encryptNote(deposit.note, bob.address)).toThrowError(
      expect.objectContaining({ code: 'ENVELOPE_INVALID' }),
    );
  });

  it('reproduces the committed test vectors (test/vectors/notes.json)', () => {
    expect(vectors.vectors.length).toBeGreaterThan(0);
    for (const v of vectors.vectors) {
      const keys = deriveWalletKeys(hexToBytes(v.seed));
      const note: Note = {
        amount: BigInt(v.note.amount),
        pkD: keys.pkD0,
        blinding: toField(BigInt(v.note.blinding)),
        asset: toField(BigInt(v.note.asset)),
      };
      const c = noteCommitment(note);
      expect(c.toString()).toBe(v.commitment);
      expect(noteNullifier(keys.nk, c, v.leaf_index).toString()).toBe(v.nullifier);
      const envelope = encryptNote(note, keys.address, { ephemeralSecret: hexToBytes(v.ephemeral_secret) });
      expect(Buffer.from(envelope).toString('hex')).toBe(v.envelope);
      expect(tryDecryptNote(hexToBytes(v.envelope), keys, c)).toEqual({ note, diversifier: keys.d0 });
    }
  });
});
