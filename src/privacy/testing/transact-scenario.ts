import {
  dummyInput,
  type ExtData,
  encryptNote,
  type Field,
  generateWalletKeys,
  MemoryTreeStorage,
  MerkleTree,
  NATIVE_ASSET,
  type Note,
  noteCommitment,
  randomField,
  type SpendInput,
  type TransactRequest,
  type WalletKeys,
} from '../index.js';

export interface OwnedNote {
  readonly note: Note;
  readonly leafIndex: number;
}

export interface Pool {
  readonly tree: MerkleTree;
  readonly owner: WalletKeys;
  readonly notes: OwnedNote[];
  /** The one asset of every note in the pool. */
  readonly asset: Field;
}

/** A tree holding some unrelated notes and, among them, `amounts` owned by a fresh key. */
export async function makePool(
  amounts: readonly bigint[],
  noise = 3,
  asset: Field = NATIVE_ASSET,
): Promise<Pool> {
  const tree = await MerkleTree.open(new MemoryTreeStorage());
  const owner = generateWalletKeys();
  const notes: OwnedNote[] = [];
  await tree.appendBatch(Array.from({ length: noise }, () => randomField()));
  for (const amount of amounts) {
    const note: Note = { amount, pkD: owner.pkD0, blinding: randomField(), asset };
    notes.push({ note, leafIndex: await tree.append(noteCommitment(note)) });
  }
  await tree.append(randomField());
  return { tree, owner, notes, asset };
}

export async function spend(pool: Pool, owned: OwnedNote): Promise<SpendInput> {
  return {
    note: owned.note,
    sk: pool.owner.sk,
    diversifier: pool.owner.d0,
    path: await pool.tree.path(owned.leafIndex),
  };
}

function extData(
  outputs: readonly [Note, Note],
  to: readonly [WalletKeys, WalletKeys],
  extAmount: bigint,
  fee: bigint,
): ExtData {
  return {
    recipient: new Uint8Array(32).fill(7),
    relayer: new Uint8Array(32).fill(8),
    fee,
    extAmount,
    expirationSlot: 1_000_000n,
    encryptedOutput0: encryptNote(outputs[0], to[0].address),
    encryptedOutput1: encryptNote(outputs[1], to[1].address),
  };
}

/** Spends the pool's first two notes: `amount` to a new recipient, the rest back as change. */
export async function transferRequest(
  pool: Pool,
  amount: bigint,
): Promise<{ request: TransactRequest; recipient: WalletKeys }> {
  const [a, b] = pool.notes;
  const inputs = [await spend(pool, a!), await spend(pool, b!)] as const;
  const recipient = generateWalletKeys();
  const total = a!.note.amount + b!.note.amount;
  const outputs = [
    { amount, pkD: recipient.pkD0, blinding: randomField(), asset: pool.asset },
    { amount: total - amount, pkD: pool.owner.pkD0, blinding: randomField(), asset: pool.asset },
  ] as const;
  return {
    request: {
      root: pool.tree.root,
      asset: pool.asset,
      inputs,
      outputs,
      extData: extData(outputs, [recipient, pool.owner], 0n, 0n),
    },
    recipient,
  };
}

/** Withdraws `gross` (paying `fee` to the relayer) from the pool's first note plus a dummy input. */
export async function withdrawRequest(pool: Pool, gross: bigint, fee: bigint): Promise<TransactRequest> {
  const a = pool.notes[0]!;
  const change = a.note.amount - gross;
  const outputs = [
    { amount: change, pkD: pool.owner.pkD0, blinding: randomField(), asset: pool.asset },
    { amount: 0n, pkD: pool.owner.pkD0, blinding: randomField(), asset: pool.asset },
  ] as const;
  return {
    root: pool.tree.root,
    asset: pool.asset,
    inputs: [await spend(pool, a), dummyInput(pool.asset)],
    outputs,
    extData: extData(outputs, [pool.owner, pool.owner], -gross, fee),
  };
}

export type { Field };
