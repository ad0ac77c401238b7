// Writes test/vectors/notes.json: keys (key scheme v2, from fixed seeds), addresses, viewing keys,
// deposit secrets, commitments, nullifiers and encrypted envelopes computed by this implementation
// from fixed inputs, so other implementations (wallets, auditors) can check themselves against it.
// Regenerate only when the format version changes.
import { writeFileSync } from 'node:fs';
import { bytesToHex } from '../src/common/index.js';
import {
  depositSecrets,
  deriveWalletKeys,
  encodeAddress,
  encodeFullViewingKey,
  encodeIncomingViewingKey,
  encryptNote,
  noteCommitment,
  noteNullifier,
  toField,
} from '../src/privacy/index.js';

const cases = [
  {
    seed: '00'.repeat(64),
    amount: 0n,
    blinding: 2n,
    asset: 0n,
    leafIndex: 0,
    deposit: 0,
    eph: '11'.repeat(32),
  },
  {
    seed: Array.from({ length: 64 }, (_, i) => (i + 1).toString(16).padStart(2, '0')).join(''),
    amount: 1_000_000_000n,
    blinding: 987654321n,
    asset: 0n,
    leafIndex: 5,
    deposit: 1,
    eph: '22'.repeat(32),
  },
  {
    seed: 'ff'.repeat(64),
    amount: (1n << 64n) - 1n,
    blinding: 21888242871839275222246405745257275088548364400416034343698204186575808495000n,
    asset: 7n,
    leafIndex: 2 ** 32 - 1,
    deposit: 2 ** 32 - 1,
    eph: '33'.repeat(32),
  },
];

const vectors = cases.map((c) => {
  const keys = deriveWalletKeys(Buffer.from(c.seed, 'hex'));
  const note = { amount: c.amount, pkD: keys.pkD0, blinding: toField(c.blinding), asset: toField(c.asset) };
  const commitment = noteCommitment(note);
  const deposit = depositSecrets(keys.ivk, c.deposit);
  return {
    seed: c.seed,
    sk: keys.sk.toString(),
    ak: keys.ak.toString(),
    nk: keys.nk.toString(),
    ivk: bytesToHex(keys.ivk),
    encryption_public_key: bytesToHex(keys.encryptionKey),
    d0: keys.d0.toString(),
    pk_d0: keys.pkD0.toString(),
    address: encodeAddress(keys.address),
    full_viewing_key: encodeFullViewingKey(keys),
    incoming_viewing_key: encodeIncomingViewingKey(keys),
    deposit: {
      index: c.deposit,
      d: deposit.diversifier.toString(),
      blinding: deposit.blinding.toString(),
    },
    note: { amount: c.amount.toString(), blinding: c.blinding.toString(), asset: c.asset.toString() },
    leaf_index: c.leafIndex,
    commitment: commitment.toString(),
    nullifier: noteNullifier(keys.nk, commitment, c.leafIndex).toString(),
    ephemeral_secret: c.eph,
    envelope: bytesToHex(encryptNote(note, keys.address, { ephemeralSecret: Buffer.from(c.eph, 'hex') })),
  };
});

const out = {
  description:
    'Paraloom note vectors, key scheme v2 (docs/protocol.md §Keys): HKDF-SHA256(seed, salt "paraloom/v2") gives sk (info "paraloom/v2/sk", 64 bytes BE mod r) and ivk (info "paraloom/v2/ivk", 32 bytes); ak = P1(sk); nk = P2(sk, NK_TAG); d0 = HKDF(ivk, "paraloom/v2/address-d" | u32 BE 0); pk_d0 = P2(ak, d0); deposit i: HKDF(ivk, "paraloom/v2/deposit-d" | u32 BE i) and "paraloom/v2/deposit-blinding"; the note is owned by pk_d0; commitment = P4(amount, pk_d, blinding, asset); nullifier = P3(c, leafIndex, P3(nk, c, leafIndex)); envelope v2',
  vectors,
};
writeFileSync(new URL('../test/vectors/notes.json', import.meta.url), `${JSON.stringify(out, null, 2)}\n`);
console.log(`wrote ${vectors.length} vectors`);
