import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../common/index.js';
import { randomField, toField } from './field.js';
import { deriveKeys, generateSpendingKeys } from './keys.js';
import { type Note, noteCommitment, noteNullifier } from './note.js';
import { ENVELOPE_BYTES, encryptNote, tryDecryptNote } from './note-encryption.js';

interface Vector {
  sk: string;
  pk: string;
  encryption_public_key: string;
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

describe('note encryption', () => {
  it('delivers a note to its owner only', () => {
    const alice = generateSpendingKeys();
    const bob = generateSpendingKeys();
    const note: Note = { amount: 1_500_000_000n, pk: bob.pk, blinding: randomField(), asset: toField(0n) };
    const commitment = noteCommitment(note);
    const envelope = encryptNote(note, bob.address);
    expect(envelope.length).toBe(ENVELOPE_BYTES);
    expect(tryDecryptNote(envelope, bob, commitment)).toEqual(note);
    expect(tryDecryptNote(envelope, alice, commitment)).toBeUndefined();
    // right key, wrong commitment: the re-hash check refuses it
    expect(tryDecryptNote(envelope, bob, randomField())).toBeUndefined();
  });

  it('refuses tampered, truncated and unknown-version envelopes', () => {
    const bob = generateSpendingKeys();
    const note: Note = { amount: 7n, pk: bob.pk, blinding: randomField(), asset: toField(0n) };
    const c = noteCommitment(note);
    const envelope = encryptNote(note, bob.address);
    for (const i of [1, 20, 40, 80, ENVELOPE_BYTES - 1]) {
      const t = envelope.slice();
      t[i]! ^= 1;
      expect(tryDecryptNote(t, bob, c)).toBeUndefined();
    }
    expect(() => tryDecryptNote(envelope.subarray(0, 100), bob, c)).toThrow(/121 bytes/);
    const v2 = envelope.slice();
    v2[0] = 2;
    expect(() => tryDecryptNote(v2, bob, c)).toThrowError(
      expect.objectContaining({ code: 'ENVELOPE_UNSUPPORTED_VERSION' }),
    );
  });

  it('refuses to encrypt a note to someone who does not own it', () => {
    const bob = generateSpendingKeys();
    const note: Note = { amount: 7n, pk: randomField(), blinding: randomField(), asset: toField(0n) };
    expect(() => encryptNote(note, bob.address)).toThrow();
  });

  it('reproduces the committed test vectors (test/vectors/notes.json)', () => {
    expect(vectors.vectors.length).toBeGreaterThan(0);
    for (const v of vectors.vectors) {
      const keys = deriveKeys(toField(BigInt(v.sk)));
      expect(keys.pk.toString()).toBe(v.pk);
      expect(bytesToHex(keys.encryptionKey)).toBe(v.encryption_public_key);
      const note: Note = {
        amount: BigInt(v.note.amount),
        pk: keys.pk,
        blinding: toField(BigInt(v.note.blinding)),
        asset: toField(BigInt(v.note.asset)),
      };
      const c = noteCommitment(note);
      expect(c.toString()).toBe(v.commitment);
      expect(noteNullifier(keys.sk, c, v.leaf_index).toString()).toBe(v.nullifier);
      const envelope = encryptNote(note, keys.address, { ephemeralSecret: hexToBytes(v.ephemeral_secret) });
      expect(bytesToHex(envelope)).toBe(v.envelope);
      expect(tryDecryptNote(hexToBytes(v.envelope), keys, c)).toEqual(note);
    }
  });
});
