import { writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngressServer, LedgerIngressBackend } from '../ingress/index.js';
import { LedgerApp, nextAccumulator } from '../ledger/index.js';
import {
  BatchVerifierPool,
  computeRoot,
  decodeAddress,
  FIELD_MODULUS,
  FIELD_ZERO,
  type Field,
  generateWalletKeys,
  loadCircuitArtifacts,
  NATIVE_ASSET,
  type Note,
  noteCommitment,
  privacyReady,
  randomField,
  toField,
  VerifyingKey,
} from '../privacy/index.js';
import { NodeStorage } from '../storage/index.js';
import { buildTransfer } from './builders.js';
import {
  DISCLOSURE_FORMAT,
  type Disclosure,
  type DisclosureSource,
  disclosePayment,
  disclosureToJson,
  encodeDisclosure,
  parseDisclosure,
  verifyDisclosure,
} from './disclosure.js';
import { IngressClient } from './ingress-client.js';
import { NoteStore } from './note-store.js';
import { recordSentPayment } from './sent-payments.js';
import { Wallet } from './wallet.js';

// Disclosures checked against a real ledger behind a real ingress. Notes land as deposits (no proof
// needed), which publish exactly what a transfer's outputs publish for this purpose: a commitment at a leaf.

const quiet = pino({ level: 'silent' });
const SOL = 1_000_000_000n;
const cheap = { passphrase: 'disclose', scrypt: { log2N: 10, r: 8, p: 1 } };
let pool: BatchVerifierPool;
let storage: NodeStorage;
let app: LedgerApp;
let ingress: IngressServer;
let client: IngressClient;
let dir: string;
let accumulator = FIELD_ZERO;
let depositIndex = 0n;
let alice: Wallet;
let bob: Wallet;

/** Appends these commitments in one final block, as the deposit listener would deliver them. */
async function land(commitments: readonly Field[]): Promise<void> {
  app.addDeposits(
    commitments.map((commitment) => {
      accumulator = nextAccumulator(accumulator, commitment);
      return { index: depositIndex++, amount: 1n, commitment, accumulator, slot: 10n };
    }),
  );
  const tip = app.tip;
  const proposal = await app.buildProposal(tip.height + 1n, 0, tip.hash);
  await app.commit(tip.height + 1n, proposal.bytes, new Uint8Array([1]));
}

beforeAll(async () => {
  const artifacts = await loadCircuitArtifacts();
  await privacyReady();
  pool = new BatchVerifierPool(VerifyingKey.fromSnarkjs(artifacts.verifyingKey), { threads: 1 });
  await pool.start();
  dir = await mkdtemp(join(tmpdir(), 'paraloom-disclose-'));
  storage = await NodeStorage.open(join(dir, 'db'), { logger: quiet });
  let clock = 1_700_000_000_000;
  app = await LedgerApp.open({
    storage,
    pool,
    registry: new Registry(),
    leader: new Uint8Array(32).fill(3),
    isAnchored: () => false,
    currentSlot: () => 0n,
    now: () => clock++,
    logger: quiet,
  });
  ingress = new IngressServer(new LedgerIngressBackend(app, storage), { port: 0, logger: quiet });
  await ingress.start();
  client = new IngressClient(ingress.url);
  alice = Wallet.create(join(dir, 'alice'), cheap);
  bob = Wallet.inMemory(generateWalletKeys());
  // Two deposits of Alice's among a stranger's outputs: leaves 0..3.
  const notes = [alice.prepareDeposit(2n * SOL), alice.prepareDeposit(SOL)];
  const stranger = (amount: bigint): Field =>
    noteCommitment({ amount, pkD: randomField(), blinding: randomField(), asset: NATIVE_ASSET });
  await land([stranger(7n), noteCommitment(notes[0]!), stranger(8n), noteCommitment(notes[1]!)]);
  await alice.sync(client);
}, 600_000);

afterAll(async () => {
  await ingress?.stop();
  await app?.close();
  await storage?.close();
  await pool?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const refusal = (check: string) => ({ code: 'DISCLOSURE_MISMATCH', context: { check } });

describe('payment disclosure', () => {
  it('a received note discloses, by leaf index or commitment, and verifies against the current root', async () => {
    expect(alice.balance().spendable).toBe(3n * SOL);
    const byLeaf = disclosePayment(alice.keys, alice.store, '1');
    const note = alice.store.all.find((n) => n.leafIndex === 1)!;
    expect(byLeaf).toEqual({
      direction: 'received',
      commitment: note.commitment,
      leafIndex: 1,
      amount: 2n * SOL,
      asset: NATIVE_ASSET,
      recipient: byLeaf.recipient,
      blinding: note.blinding,
    });
    // The deposit's own diversified address, not the wallet's default one.
    expect(decodeAddress(byLeaf.recipient).pkD).not.toBe(decodeAddress(alice.address).pkD);
    expect(disclosePayment(alice.keys, alice.store, note.commitment.toString())).toEqual(byLeaf);
    // The history names what to pass (these notes are deposits of hers).
    expect(alice.store.history.find((h) => h.kind === 'deposited' && h.leafIndex === 1)?.commitment).toBe(
      note.commitment,
    );

    const status = await client.status();
    const verified = await verifyDisclosure(parseDisclosure(encodeDisclosure(byLeaf)), client);
    expect(verified).toMatchObject({
      rootKind: 'current',
      root: status.root,
      leafCount: 4,
      height: status.height,
    });
    expect(verified.disclosure).toEqual(byLeaf);
  });

  it('refuses a tampered disclosure: amount, blinding, asset, recipient, leaf index, commitment', async () => {
    const good = disclosePayment(alice.keys, alice.store, '1');
    const other = disclosePayment(alice.keys, alice.store, '3');
    const tampered: Array<[string, Disclosure, string]> = [
      ['amount', { ...good, amount: good.amount + 1n }, 'opening'],
      ['blinding', { ...good, blinding: toField((good.blinding + 1n) % FIELD_MODULUS) }, 'opening'],
      ['asset', { ...good, asset: toField(1n) }, 'opening'],
      ['recipient', { ...good, recipient: bob.address }, 'opening'],
      ['commitment', { ...good, commitment: other.commitment }, 'opening'],
      // A true opening at the wrong leaf: the validator publishes another commitment there.
      ['leafIndex', { ...good, leafIndex: 3 }, 'published'],
      ['leafIndex past the tree', { ...good, leafIndex: 40 }, 'published'],
    ];
    for (const [what, d, check] of tampered) {
      await expect(verifyDisclosure(d, client), what).rejects.toMatchObject(refusal(check));
      // The same through the file format: the written statement is refused as well.
      await expect(
        verifyDisclosure(parseDisclosure(encodeDisclosure(d)), client),
        what,
      ).rejects.toMatchObject(refusal(check));
    }
    // A made-up note that opens correctly but was never published.
    const made: Note = {
      amount: 5n * SOL,
      pkD: decodeAddress(bob.address).pkD,
      blinding: randomField(),
      asset: NATIVE_ASSET,
    };
    await expect(
      verifyDisclosure(
        {
          ...good,
          amount: made.amount,
          recipient: bob.address,
          blinding: made.blinding,
          commitment: noteCommitment(made),
        },
        client,
      ),
    ).rejects.toMatchObject(refusal('published'));
  });

  it('refuses a path that does not give its root and a root the validator does not name', async () => {
    const good = disclosePayment(alice.keys, alice.store, '1');
    // The real ingress, with one answer falsified as a lying or broken validator would send it.
    const lyingPath: DisclosureSource = {
      status: () => client.status(),
      outputsPage: (from, limit) => client.outputsPage(from, limit),
      path: async (leaf) => {
        const p = await client.path(leaf);
        const siblings = [...p.path.siblings];
        siblings[0] = toField((siblings[0]! + 1n) % FIELD_MODULUS);
        return { root: p.root, path: { leafIndex: leaf, siblings } };
      },
    };
    await expect(verifyDisclosure(good, lyingPath)).rejects.toMatchObject(refusal('path'));
    // A path that is consistent but leads to a root the validator never named (not current, not
    // among its recent roots; this ingress serves no settlement, so /v1/anchors answers 404).
    const forgedRoot: DisclosureSource = {
      status: () => client.status(),
      outputsPage: (from, limit) => client.outputsPage(from, limit),
      path: async (leaf) => {
        const forged = await lyingPath.path(leaf);
        return { root: computeRoot(good.commitment, forged.path), path: forged.path };
      },
      roots: () => client.roots(),
      anchors: () => client.anchors(),
    };
    await expect(verifyDisclosure(good, forgedRoot)).rejects.toMatchObject(refusal('root'));
    // A block landing between the path and the status requests, every time: the path's root is
    // then found among the validator's recent final roots.
    const movingTip: DisclosureSource = {
      status: async () => ({ ...(await client.status()), root: toField(12345n) }),
      outputsPage: (from, limit) => client.outputsPage(from, limit),
      path: (leaf) => client.path(leaf),
      roots: () => client.roots(),
    };
    expect(await verifyDisclosure(good, movingTip)).toMatchObject({
      rootKind: 'recent',
      root: (await client.status()).root,
    });
    const { roots: _, ...withoutRoots } = movingTip;
    await expect(verifyDisclosure(good, withoutRoots)).rejects.toMatchObject(refusal('root'));
  });

  it('a sent payment keeps its opening in notes.json, learns its leaf at sync and verifies', async () => {
    const wdir = join(dir, 'carol');
    const carol = Wallet.create(wdir, cheap);
    // The payment output exactly as a transfer builds it (built here without proving).
    const note = carol.prepareDeposit(SOL);
    await land([noteCommitment(note)]);
    await carol.sync(client);
    const built = await buildTransfer(carol.keys, carol.store, {
      to: decodeAddress(bob.address),
      amount: SOL / 4n,
      root: (await carol.notePath(4)).root,
      pathOf: async (leaf) => (await carol.notePath(leaf)).path,
    });
    expect(built.payment).toMatchObject({ amount: SOL / 4n, pkD: decodeAddress(bob.address).pkD });
    const txId = 'ab'.repeat(32);
    recordSentPayment(carol.store, txId, built.payment, bob.address.toUpperCase());
    carol.store.save();
    expect(() => disclosePayment(carol.keys, carol.store, txId)).toThrow(
      expect.objectContaining({ code: 'DISCLOSURE_UNAVAILABLE' }),
    );

    await land([noteCommitment(built.payment!)]);
    const reopened = Wallet.open(wdir, { passphrase: cheap.passphrase });
    await reopened.sync(client);
    const again = Wallet.open(wdir, { passphrase: cheap.passphrase });
    expect(again.store.sentPayments).toEqual([
      expect.objectContaining({ txId, leafIndex: 5, recipient: bob.address }),
    ]);
    const d = disclosePayment(again.keys, again.store, txId);
    expect(d).toMatchObject({
      direction: 'sent',
      leafIndex: 5,
      amount: SOL / 4n,
      recipient: bob.address,
      txId,
    });
    expect(disclosePayment(again.keys, again.store, '5')).toEqual(d);
    // The recipient checks it: the note at leaf 5 pays their address that amount.
    const verified = await verifyDisclosure(
      parseDisclosure(encodeDisclosure(d)),
      new IngressClient(ingress.url),
    );
    expect(verified).toMatchObject({ rootKind: 'current', leafCount: 6 });
    expect(decodeAddress(verified.disclosure.recipient).pkD).toBe(decodeAddress(bob.address).pkD);

    expect(() => disclosePayment(again.keys, again.store, 'cd'.repeat(32))).toThrow(
      expect.objectContaining({ code: 'DISCLOSURE_UNAVAILABLE' }),
    );
    expect(() => disclosePayment(again.keys, again.store, '77')).toThrow(
      expect.objectContaining({ code: 'DISCLOSURE_UNAVAILABLE' }),
    );
  });
});

describe('disclosure file format', () => {
  const base = () => ({ ...disclosureToJson(disclosePayment(alice.keys, alice.store, '1')) });
  const bad = (json: unknown, field: string) =>
    expect(() => parseDisclosure(typeof json === 'string' ? json : JSON.stringify(json))).toThrow(
      expect.objectContaining({ code: 'DISCLOSURE_INVALID', context: expect.objectContaining({ field }) }),
    );

  it('round-trips and names its format', () => {
    const d = disclosePayment(alice.keys, alice.store, '1');
    const text = encodeDisclosure(d);
    expect(JSON.parse(text).format).toBe(DISCLOSURE_FORMAT);
    expect(parseDisclosure(text)).toEqual(d);
    expect(parseDisclosure({ ...disclosureToJson(d), direction: 'sent', txId: 'f'.repeat(64) })).toEqual({
      ...d,
      direction: 'sent',
      txId: 'f'.repeat(64),
    });
  });

  it('refuses anything malformed with DISCLOSURE_INVALID', () => {
    const p = FIELD_MODULUS.toString();
    bad('not json', 'file');
    bad([base()], 'file');
    bad('x'.repeat(20_000), 'file');
    bad({ ...base(), format: 'paraloom-disclosure/2' }, 'format');
    bad({ ...base(), memo: 'hello' }, 'memo');
    bad({ ...base(), direction: 'gift' }, 'direction');
    bad({ ...base(), commitment: p }, 'commitment');
    bad({ ...base(), commitment: `0${base().commitment}` }, 'commitment');
    bad({ ...base(), commitment: 12 }, 'commitment');
    bad({ ...base(), blinding: (FIELD_MODULUS + 1n).toString() }, 'blinding');
    bad({ ...base(), asset: '-1' }, 'asset');
    bad({ ...base(), amount: '-1' }, 'amount');
    bad({ ...base(), amount: (1n << 64n).toString() }, 'amount');
    bad({ ...base(), amount: '1.5' }, 'amount');
    bad({ ...base(), leafIndex: -1 }, 'leafIndex');
    bad({ ...base(), leafIndex: 1.5 }, 'leafIndex');
    bad({ ...base(), leafIndex: 2 ** 32 }, 'leafIndex');
    bad({ ...base(), leafIndex: '1' }, 'leafIndex');
    bad({ ...base(), recipient: 'plm1notanaddress' }, 'recipient');
    bad({ ...base(), recipient: base().recipient.toUpperCase() }, 'recipient');
    bad({ ...base(), txId: 'AB'.repeat(32) }, 'txId');
    bad({ ...base(), txId: 'ab' }, 'txId');
  });

  it('refuses a value built in code with a field out of range, before asking the validator', async () => {
    const d = disclosePayment(alice.keys, alice.store, '1');
    const unreachable: DisclosureSource = {
      status: () => Promise.reject(new Error('asked')),
      outputsPage: () => Promise.reject(new Error('asked')),
      path: () => Promise.reject(new Error('asked')),
    };
    await expect(verifyDisclosure({ ...d, amount: -1n }, unreachable)).rejects.toMatchObject({
      code: 'DISCLOSURE_INVALID',
      context: { field: 'amount' },
    });
    await expect(
      verifyDisclosure({ ...d, blinding: FIELD_MODULUS as Field }, unreachable),
    ).rejects.toMatchObject({ code: 'DISCLOSURE_INVALID', context: { field: 'blinding' } });
  });
});

describe('notes.json and sent payments', () => {
  it('reads a store written before sent payments and history leaf indexes; refuses a malformed entry', () => {
    const path = join(dir, 'old-notes.json');
    const old = {
      format: 'paraloom-notes/2',
      scannedUpTo: 0,
      depositsMade: 0,
      notes: [],
      history: [{ kind: 'sent', amount: '5', asset: '0', txId: 'ab'.repeat(32), at: 1 }],
    };
    writeFileSync(path, JSON.stringify(old));
    const store = NoteStore.open(path);
    expect(store.sentPayments).toEqual([]);
    expect(store.history).toEqual([
      { kind: 'sent', amount: 5n, asset: NATIVE_ASSET, txId: 'ab'.repeat(32), at: 1 },
    ]);
    // Its transfers were sent before openings were kept: the sender cannot disclose them.
    expect(() => disclosePayment(alice.keys, store, 'ab'.repeat(32))).toThrow(
      expect.objectContaining({ code: 'DISCLOSURE_UNAVAILABLE' }),
    );
    const payment = {
      txId: 'ab'.repeat(32),
      commitment: '1',
      amount: '5',
      asset: '0',
      blinding: '2',
      recipient: bob.address,
    };
    for (const bad of [
      { ...payment, leafIndex: -1 },
      { ...payment, commitment: FIELD_MODULUS.toString() },
    ]) {
      writeFileSync(path, JSON.stringify({ ...old, sentPayments: [bad] }));
      expect(() => NoteStore.open(path)).toThrow(expect.objectContaining({ code: 'NOTE_STORE_INVALID' }));
    }
    writeFileSync(path, JSON.stringify({ ...old, sentPayments: [{ ...payment, leafIndex: 9 }] }));
    expect(NoteStore.open(path).sentPayments).toEqual([
      { ...payment, commitment: 1n, amount: 5n, asset: 0n, blinding: 2n, leafIndex: 9 },
    ]);
  });
});
