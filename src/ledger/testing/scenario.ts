// Test-only: a small L2 history with real proofs. Deposits of notes owned by one key form block 1;
// three transactions spend them against block 1's root: a transfer (A), a withdrawal (B, offering a
// refund note of its gross amount to the owner), a transfer (C) that spends one of A's notes again, and a
// withdrawal whose refund ciphertext claims more than it debits. Proving costs ~2 s each, so the result is cached
// under .cache/fixtures keyed by the proving key's hash (a change of keys invalidates it by itself).
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bytesToHex, hexToBytes } from '../../common/index.js';
import {
  addressFor,
  type CircuitArtifacts,
  deriveWalletKeys,
  dummyInput,
  encryptNote,
  FIELD_ZERO,
  type Field,
  MemoryTreeStorage,
  MerkleTree,
  NATIVE_ASSET,
  type Note,
  noteCommitment,
  privacyReady,
  proveTransact,
  randomField,
  refundNote,
  SEED_BYTES,
  type TransactRequest,
  toField,
  type WalletKeys,
} from '../../privacy/index.js';
import { nextAccumulator, type PendingDeposit } from '../deposits.js';
import { type DecodedTransaction, decodeTransaction, encodeTransaction } from '../transaction.js';

const CACHE_DIR = fileURLToPath(new URL('../../../.cache/fixtures/', import.meta.url));
/** Withdrawal B's deadline; tests move the current slot around it. */
export const WITHDRAWAL_EXPIRATION_SLOT = 10_000n;

export interface LedgerScenario {
  /** Queue order; block 1 consumes all of them. */
  readonly deposits: readonly PendingDeposit[];
  /** Root after block 1 (all deposits appended as one change). */
  readonly root1: Field;
  readonly transfer: DecodedTransaction;
  readonly withdrawal: DecodedTransaction;
  /** Spends the first deposit again (shares a nullifier with `transfer`). */
  readonly conflicting: DecodedTransaction;
  /**
   * A withdrawal of 400,000,000 gross (fee 5,000,000) from the fourth deposit whose refund ciphertext
   * claims a refund of 3,000,000,000 (a wallet trying to mint): its refund opening is refund
   * diversifier 1's. Shares a nullifier with `conflicting`.
   */
  readonly inflated: DecodedTransaction;
  /** The owner of every note (the refund note's too). */
  readonly owner: WalletKeys;
}

interface Cached {
  commitments: string[];
  txs: string[];
  /** The owner's seed, hex. */
  ownerSeed: string;
}

function depositsOf(commitments: readonly Field[]): PendingDeposit[] {
  let acc = FIELD_ZERO;
  return commitments.map((commitment, i) => {
    acc = nextAccumulator(acc, commitment);
    return { index: BigInt(i), amount: 1n, commitment, accumulator: acc, slot: 100n + BigInt(i) };
  });
}

async function rootOf(commitments: readonly Field[]): Promise<{ tree: MerkleTree; root: Field }> {
  const tree = await MerkleTree.open(new MemoryTreeStorage());
  await tree.appendBatch(commitments);
  return { tree, root: tree.root };
}

function build(c: Cached, root: Field): LedgerScenario {
  const [transfer, withdrawal, conflicting, inflated] = c.txs.map((h) => decodeTransaction(hexToBytes(h)));
  return {
    deposits: depositsOf(c.commitments.map((x) => toField(BigInt(x)))),
    root1: root,
    transfer: transfer!,
    withdrawal: withdrawal!,
    conflicting: conflicting!,
    inflated: inflated!,
    owner: deriveWalletKeys(hexToBytes(c.ownerSeed)),
  };
}

export async function ledgerScenario(artifacts: CircuitArtifacts): Promise<LedgerScenario> {
  await privacyReady();
  const keyHash = createHash('sha256').update(artifacts.zkey).digest('hex').slice(0, 16);
  const file = `${CACHE_DIR}ledger-refund-opening-${keyHash}.json`;
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as Cached;
    const { root } = await rootOf(cached.commitments.map((x) => toField(BigInt(x))));
    return build(cached, root);
  } catch {
    // not cached yet
  }
  const ownerSeed = crypto.getRandomValues(new Uint8Array(SEED_BYTES));
  const owner = deriveWalletKeys(ownerSeed);
  const note = (amount: bigint): Note => ({
    amount,
    pkD: owner.pkD0,
    blinding: randomField(),
    asset: NATIVE_ASSET,
  });
  const notes = [note(3_000_000_000n), note(2_000_000_000n), note(5_000_000_000n), note(1_000_000_000n)];
  const commitments = [
    noteCommitment(notes[0]!),
    noteCommitment(notes[1]!),
    randomField(),
    noteCommitment(notes[2]!),
    noteCommitment(notes[3]!),
  ];
  const leafOf = [0, 1, 3, 4];
  const { tree, root } = await rootOf(commitments);
  const spend = async (i: number) => ({
    note: notes[i]!,
    sk: owner.sk,
    diversifier: owner.d0,
    path: await tree.path(leafOf[i]!),
  });
  const ext = (outs: readonly [Note, Note], to: WalletKeys, extAmount: bigint, fee: bigint) => ({
    recipient: new Uint8Array(32).fill(7),
    relayer: new Uint8Array(32).fill(8),
    fee,
    extAmount,
    expirationSlot: WITHDRAWAL_EXPIRATION_SLOT,
    encryptedOutput0: encryptNote(outs[0], to.address),
    encryptedOutput1: encryptNote(outs[1], to.address),
  });
  const transferOf = async (a: number, b: number): Promise<TransactRequest> => {
    const total = notes[a]!.amount + notes[b]!.amount;
    const outputs = [note(total - 1_000n), note(1_000n)] as const;
    return {
      root,
      asset: NATIVE_ASSET,
      inputs: [await spend(a), await spend(b)],
      outputs,
      extData: ext(outputs, owner, 0n, 0n),
    };
  };
  const withdrawOutputs = [note(notes[2]!.amount - 1_000_000_000n), note(0n)] as const;
  // The refund note the wallet makes: the owner's refund diversifier 0, the gross withdrawn amount.
  const { note: refund, diversifier: refundD } = refundNote(owner, 0, 1_000_000_000n, NATIVE_ASSET);
  const inflatedOutputs = [note(notes[3]!.amount - 400_000_000n), note(0n)] as const;
  const { note: claimed, diversifier: claimedD } = refundNote(owner, 1, 3_000_000_000n, NATIVE_ASSET);
  const requests: TransactRequest[] = [
    await transferOf(0, 1),
    {
      root,
      asset: NATIVE_ASSET,
      inputs: [await spend(2), dummyInput(NATIVE_ASSET)],
      outputs: withdrawOutputs,
      extData: {
        ...ext(withdrawOutputs, owner, -1_000_000_000n, 5_000_000n),
        refundOwner: refund.pkD,
        refundBlinding: refund.blinding,
        refundCiphertext: encryptNote(refund, addressFor(owner, refundD)),
      },
    },
    await transferOf(0, 3),
    {
      root,
      asset: NATIVE_ASSET,
      inputs: [await spend(3), dummyInput(NATIVE_ASSET)],
      outputs: inflatedOutputs,
      extData: {
        ...ext(inflatedOutputs, owner, -400_000_000n, 5_000_000n),
        refundOwner: claimed.pkD,
        refundBlinding: claimed.blinding,
        refundCiphertext: encryptNote(claimed, addressFor(owner, claimedD)),
      },
    },
  ];
  const txs: string[] = [];
  for (const request of requests) {
    const { proof, statement } = await proveTransact(request, artifacts);
    txs.push(bytesToHex(encodeTransaction({ proof: proof.toWire(), statement })));
  }
  const cached: Cached = {
    commitments: commitments.map((x) => x.toString()),
    txs,
    ownerSeed: bytesToHex(ownerSeed),
  };
  mkdirSync(CACHE_DIR, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(cached));
  renameSync(tmp, file);
  return build(cached, root);
}
