import {
  dummyInput,
  type ExtData,
  encryptNote,
  type Field,
  generateSpendingKeys,
  MemoryTreeStorage,
  MerkleTree,
  NATIVE_ASSET,
  type Note,
  noteCommitment,
  randomField,
  type SpendInput,
  type SpendingKeys,
  type TransactRequest,
} from '../index.js';

export interface OwnedNote {
  readonly note: Note;
  readonly leafIndex: number;
}

export interface Pool {
  readonly tree: MerkleTree;
  readonly owner: SpendingKeys;
  readonly notes: OwnedNote[];
}

/** A tree holding some unrelated notes and, among them, `amounts` owned by a fresh key. */
export async function makePool(amounts: readonly bigint[], noise = 3): Promise<Pool> {
  const tree = await MerkleTree.open(new MemoryTreeStorage());
  const owner = generateSpendingKeys();
  const notes: OwnedNote[] = [];
  await tree.appendBatch(Array.from({ length: noise }, () => randomField()));
  for (const amount of amounts) {
    const note: Note = { amount, pk: owner.pk, blinding: randomField(), asset: NATIVE_ASSET };
    notes.push({ note, leafIndex: await tree.append(noteCommitment(note)) });
  }
  await tree.append(randomField());
  return { tree, owner, notes };
}

export async function spend(pool: Pool, owned: OwnedNote): Promise<SpendInput> {
  return { note: owned.note, sk: pool.owner.sk, path: await pool.tree.path(owned.leafIndex) };
}

function extData(
  outputs: readonly [Note, Note],
  to: readonly [SpendingKeys, SpendingKeys],
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
): Promise<{ request: TransactRequest; recipient: SpendingKeys }> {
  const [a, b] = pool.notes;
  const inputs = [await spend(pool, a!), await spend(pool, b!)] as const;
  const recipient = generateSpendingKeys();
  const total = a!.note.amount + b!.note.amount;
  const outputs = [
    { amount, pk: recipient.pk, blinding: randomField(), asset: NATIVE_ASSET },
    { amount: total - amount, pk: pool.owner.pk, blinding: randomField(), asset: NATIVE_ASSET },
  ] as const;
  return {
    request: {
      root: pool.tree.root,
      asset: NATIVE_ASSET,
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
    { amount: change, pk: pool.owner.pk, blinding: randomField(), asset: NATIVE_ASSET },
    { amount: 0n, pk: pool.owner.pk, blinding: randomField(), asset: NATIVE_ASSET },
  ] as const;
  return {
    root: pool.tree.root,
    asset: NATIVE_ASSET,
    inputs: [await spend(pool, a), dummyInput(NATIVE_ASSET)],
    outputs,
    extData: extData(outputs, [pool.owner, pool.owner], -gross, fee),
  };
}

export type { Field };
