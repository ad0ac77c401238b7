import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  computeRoot,
  encryptNote,
  type Field,
  generateWalletKeys,
  loadWasmPoseidon,
  NATIVE_ASSET,
  type Note,
  noteCommitment,
  randomField,
  type WalletKeys,
} from '../privacy/index.js';
import type { IngressOutput } from './ingress-client.js';
import { MemoryOutputSource } from './memory-source.js';
import type { OutputSource } from './sync.js';
import { Wallet } from './wallet.js';

const dir = mkdtempSync(join(tmpdir(), 'paraloom-sync-'));
const unlock = { passphrase: 'sync test' };
const cheap = { ...unlock, scrypt: { log2N: 10, r: 8, p: 1 } };

beforeAll(loadWasmPoseidon);

function paid(to: WalletKeys, amount: bigint): { commitment: Field; envelope: Uint8Array } {
  const note: Note = { amount, pkD: to.pkD0, blinding: randomField(), asset: NATIVE_ASSET };
  return { commitment: noteCommitment(note), envelope: encryptNote(note, to.address) };
}

/**
 * A ledger of `blocks` blocks of 2 to 12 outputs; every seventh output pays `me` (its leaf index
 * plus one, in lamports), the rest pay a stranger, and each block starts with an anonymous deposit.
 */
async function ledger(
  me: WalletKeys,
  blocks: number,
): Promise<{ source: MemoryOutputSource; expected: bigint }> {
  const source = await MemoryOutputSource.create();
  const stranger = generateWalletKeys();
  let expected = 0n;
  for (let b = 0; b < blocks; b++) {
    const outputs: Array<{ commitment: Field; envelope: Uint8Array | undefined }> = [
      { commitment: randomField(), envelope: undefined },
    ];
    const count = 2 + ((b * 5) % 11);
    for (let i = 0; i < count; i++) {
      const leaf = source.size + outputs.length;
      if (leaf % 7 === 3) {
        outputs.push(paid(me, BigInt(leaf + 1)));
        expected += BigInt(leaf + 1);
      } else {
        outputs.push(paid(stranger, 5n));
      }
    }
    await source.publish(outputs);
  }
  return { source, expected };
}

/** Counts the pages a sync asks for, and can fail (as a dropped connection would) after `failAfter` of them. */
function watched(
  source: OutputSource,
  failAfter = Number.POSITIVE_INFINITY,
): OutputSource & { froms: number[] } {
  const froms: number[] = [];
  return {
    froms,
    status: () => source.status(),
    frontier: (n) => source.frontier(n),
    outputsPage: async (from, limit) => {
      if (froms.length >= failAfter) throw new Error('connection reset');
      froms.push(from);
      return source.outputsPage(from, limit);
    },
  };
}

async function expectPathsMatch(w: Wallet, source: MemoryOutputSource): Promise<void> {
  const checkpoint = w.store.checkpoint!;
  const { root } = await source.status();
  expect(checkpoint.frontier.root).toBe(root);
  for (const n of w.store.unspent(NATIVE_ASSET)) {
    const path = checkpoint.witnesses.get(n.commitment)!.pathAt(checkpoint.frontier);
    expect(path).toEqual(await source.path(n.leafIndex));
    expect(computeRoot(n.commitment, path)).toBe(root);
  }
}

describe('resumable sync', () => {
  it('a sync cut off between checkpoints resumes from the last one on disk and ends where an uninterrupted one does', async () => {
    const walletDir = join(dir, 'resume');
    const w = Wallet.create(walletDir, cheap);
    const { source, expected } = await ledger(w.keys, 60);
    const total = source.size;
    expect(total).toBeGreaterThan(300);

    // Pages of 20, a checkpoint every 100 outputs: cut off in the middle of the fourth chunk.
    const cut = watched(source, 17);
    await expect(w.sync(cut, { checkpointEvery: 100, pageSize: 20 })).rejects.toThrow('connection reset');
    const onDisk = JSON.parse(readFileSync(join(walletDir, 'notes.json'), 'utf8')) as {
      scannedUpTo: number;
      checkpoint: { leafCount: number; witnesses: unknown[] };
      notes: Array<{ leafIndex: number }>;
    };
    expect(onDisk.checkpoint.leafCount).toBe(300);
    expect(onDisk.scannedUpTo).toBe(300);
    // Notes and witnesses written with the checkpoint, none beyond it.
    expect(onDisk.notes.every((n) => n.leafIndex < 300)).toBe(true);
    expect(onDisk.checkpoint.witnesses.length).toBe(onDisk.notes.length);

    // Reopened from disk (a new process would do the same), the sync reads only what is after 300.
    const reopened = Wallet.open(walletDir, unlock);
    const resumed = watched(source);
    const r = await reopened.sync(resumed, { checkpointEvery: 100, pageSize: 20 });
    expect(resumed.froms[0]).toBe(300);
    expect(r.scanned).toBe(total - 300);

    const fresh = Wallet.inMemory(w.keys);
    await fresh.sync(source, { checkpointEvery: 100, pageSize: 20 });
    expect(reopened.balance().spendable).toBe(expected);
    expect(fresh.balance().spendable).toBe(expected);
    expect(reopened.store.all.map((n) => n.commitment)).toEqual(fresh.store.all.map((n) => n.commitment));
    await expectPathsMatch(reopened, source);

    // Incremental: a later block is all the next sync reads, and the witnesses follow it.
    await source.publish([paid(w.keys, 1_000n), paid(generateWalletKeys(), 1n), paid(w.keys, 2_000n)]);
    const later = watched(source);
    expect(await reopened.sync(later)).toMatchObject({ scanned: 3, received: 2 });
    expect(later.froms).toEqual([total]);
    await expectPathsMatch(reopened, source);
    expect(await reopened.sync(later)).toMatchObject({ scanned: 0 });
  });

  it('refuses outputs that do not give the published root, keeps the checkpoint before them, and recovers', async () => {
    const walletDir = join(dir, 'mismatch');
    const w = Wallet.create(walletDir, cheap);
    const { source, expected } = await ledger(w.keys, 40);
    const tampered: OutputSource = {
      status: () => source.status(),
      frontier: (n) => source.frontier(n),
      outputsPage: async (from, limit) => {
        const page = await source.outputsPage(from, limit);
        // One swapped commitment in leaves 200..249: what a faulty or lying validator would serve.
        return page.map(
          (o): IngressOutput => (o.leafIndex === 230 ? { ...o, commitment: randomField() } : o),
        );
      },
    };
    await expect(w.sync(tampered, { checkpointEvery: 50 })).rejects.toMatchObject({
      code: 'ROOT_MISMATCH',
      context: { leafCount: 250, checkpoint: 200 },
    });
    const reopened = Wallet.open(walletDir, unlock);
    expect(reopened.store.checkpoint!.leafCount).toBe(200);
    expect(reopened.store.all.every((n) => n.leafIndex < 200)).toBe(true);
    // The last chunk is checked against the current root, not only the validator's root of its size.
    const lyingStatus: OutputSource = {
      ...tampered,
      status: async () => ({ ...(await source.status()), root: randomField() }),
    };
    const end = await reopened
      .sync(source, { checkpointEvery: 50 })
      .then(() => reopened.store.checkpoint!.leafCount);
    expect(end).toBe(source.size);
    expect(reopened.balance().spendable).toBe(expected);
    await expectPathsMatch(reopened, source);
    await source.publish([paid(w.keys, 9n)]);
    await expect(reopened.sync(lyingStatus)).rejects.toMatchObject({ code: 'ROOT_MISMATCH' });
    expect(Wallet.open(walletDir, unlock).store.checkpoint!.leafCount).toBe(end);
  });

  it('a pending spend whose two outputs straddle a checkpoint becomes final', async () => {
    const w = Wallet.inMemory(generateWalletKeys());
    const source = await MemoryOutputSource.create();
    const mine = paid(w.keys, 50n);
    await source.publish([mine, ...Array.from({ length: 8 }, () => paid(generateWalletKeys(), 1n))]);
    await w.sync(source);
    const [spent] = w.store.unspent(NATIVE_ASSET);
    const out0 = paid(generateWalletKeys(), 30n);
    const out1 = paid(w.keys, 20n);
    w.store.markPending([spent!.commitment], 'tx-a');
    w.store.pendingTransactions.push({
      id: 'tx-a',
      kind: 'sent',
      amount: 30n,
      asset: NATIVE_ASSET,
      spends: [spent!.commitment],
      outputs: [out0.commitment, out1.commitment],
    });
    await source.publish([paid(generateWalletKeys(), 1n), out0, out1]);
    // Checkpoints every 2 outputs: leaves 9..10, then 11 (out0 is leaf 10, out1 leaf 11).
    expect(await w.sync(source, { checkpointEvery: 2 })).toMatchObject({ finalized: 1, received: 1 });
    expect(w.balance()).toEqual({ spendable: 20n, pending: 0n, depositing: 0n });
    expect(w.store.checkpoint!.witnesses.has(spent!.commitment)).toBe(false);
  });
});

describe('birthday', () => {
  it("starts at the validator's frontier of the birthday size, checked against the anchored root of that size", async () => {
    const { source } = await ledger(generateWalletKeys(), 20);
    const birthday = source.size;
    const anchoredRoot = (await source.status()).root;
    const anchors = async () => [{ root: anchoredRoot, leafCount: birthday }];
    const w = Wallet.create(join(dir, 'birthday'), { ...cheap, scanFrom: birthday });
    await source.publish([paid(w.keys, 70n), paid(generateWalletKeys(), 1n), paid(w.keys, 80n)]);
    const counted = watched(source);
    expect(await w.sync({ ...counted, anchors })).toMatchObject({ scanned: 3, received: 2 });
    expect(counted.froms).toEqual([birthday]);
    expect(w.balance().spendable).toBe(150n);
    await expectPathsMatch(w, source);

    const other = Wallet.create(join(dir, 'birthday-lied'), { ...cheap, scanFrom: birthday });
    const wrongAnchor = async () => [{ root: randomField(), leafCount: birthday }];
    await expect(other.sync({ ...bound(source), anchors: wrongAnchor })).rejects.toMatchObject({
      code: 'ROOT_MISMATCH',
    });
    expect(other.store.checkpoint).toBeUndefined();
    expect(other.store.scannedUpTo).toBe(birthday);
  });
});

function bound(source: MemoryOutputSource): OutputSource {
  return {
    status: () => source.status(),
    frontier: (n) => source.frontier(n),
    outputsPage: (from, limit) => source.outputsPage(from, limit),
  };
}
