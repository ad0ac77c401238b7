// Writes test/vectors/notes.json: keys, commitments, nullifiers and encrypted envelopes computed by
// this implementation from fixed inputs, so other implementations (wallets, auditors) can check
// themselves against it. Regenerate only when the format version changes.
import { writeFileSync } from 'node:fs';
import { bytesToHex } from '../src/common/index.js';
import {
  deriveKeys,
  encodeAddress,
  encryptNote,
  noteCommitment,
  noteNullifier,
  toField,
} from '../src/privacy/index.js';

const cases = [
  { sk: 1n, amount: 0n, blinding: 2n, asset: 0n, leafIndex: 0, eph: '11'.repeat(32) },
  {
    sk: 123456789n,
    amount: 1_000_000_000n,
    blinding: 987654321n,
    asset: 0n,
    leafIndex: 5,
    eph: '22'.repeat(32),
  },
  {
    sk: 21888242871839275222246405745257275088548364400416034343698204186575808495616n,
    amount: (1n << 64n) - 1n,
    blinding: 21888242871839275222246405745257275088548364400416034343698204186575808495000n,
    asset: 7n,
    leafIndex: 2 ** 32 - 1,
    eph: '33'.repeat(32),
  },
];

const vectors = cases.map((c) => {
  const keys = deriveKeys(toField(c.sk));
  const note = { amount: c.amount, pk: keys.pk, blinding: toField(c.blinding), asset: toField(c.asset) };
  const commitment = noteCommitment(note);
  return {
    sk: c.sk.toString(),
    pk: keys.pk.toString(),
    encryption_public_key: bytesToHex(keys.encryptionKey),
    address: encodeAddress(keys.address),
    note: { amount: c.amount.toString(), blinding: c.blinding.toString(), asset: c.asset.toString() },
    leaf_index: c.leafIndex,
    commitment: commitment.toString(),
    nullifier: noteNullifier(keys.sk, commitment, c.leafIndex).toString(),
    ephemeral_secret: c.eph,
    envelope: bytesToHex(encryptNote(note, keys.address, { ephemeralSecret: Buffer.from(c.eph, 'hex') })),
  };
});

const out = {
  description:
    'Paraloom note vectors: pk = P1(sk); X25519 secret = SHA-256("paraloom/v1/note-encryption-key" || sk LE); commitment = P4(amount, pk, blinding, asset); nullifier = P3(c, leafIndex, P3(sk, c, leafIndex)); envelope v1 per docs/protocol.md',
  vectors,
};
writeFileSync(new URL('../test/vectors/notes.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${vectors.length} vectors`);
