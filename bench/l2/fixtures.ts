// Pre-generated transfers for `npm run bench:l2`. The funding is deterministic: deposit i shields a
// note whose key and blinding derive from a fixed seed, and a fresh localnet plus a fresh cohort
// consume the deposits in queue order into an empty tree, so the root after the deposits (and every
// Merkle path under it) is known offline. Each transfer is proven once against that root and the
// encoded transactions are cached under .cache/bench-l2, keyed by the proving key's hash and the
// deposit count (a change of keys or deposits makes a new file by itself). Asking for more transfers
// than the file holds proves only the missing ones and extends it.
//
// Proving is ~2.5 s per proof on 2 cores: one process, serially, the first time only.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bytesToHex, hexToBytes } from '../../src/common/index.js';
import { decodeTransaction, encodeTransaction } from '../../src/ledger/index.js';
import {
  type CircuitArtifacts,
  deriveWalletKeys,
  dummyInput,
  encryptNote,
  type Field,
  fieldMod,
  loadCircuitArtifacts,
  MemoryTreeStorage,
  MerkleTree,
  NATIVE_ASSET,
  type Note,
  noteCommitment,
  privacyReady,
  proveTransact,
  shutdownProver,
  type TransactRequest,
  type WalletKeys,
} from '../../src/privacy/index.js';

const CACHE_DIR = fileURLToPath(new URL('../../.cache/bench-l2/', import.meta.url));
const SEED = 'paraloom/bench-l2/v1';

export interface L2FixtureParams {
  /**
   * Deterministic deposits made on the localnet before the run. The program keeps at most 95
   * unconsumed deposits (its accumulator ring) until an anchor moves `deposits_consumed`, and
   * nodes do not anchor yet, so a fresh localnet takes at most 95.
   */
  readonly deposits: number;
  /**
   * Transfers proven against the root after the deposits: the first `deposits` spend deposit i
   * (plus a zero-amount dummy) into a payment and change; the rest are zero-value transfers (two
   * dummy inputs), which cost the validators exactly the same (one proof, two nullifiers, two leaves).
   */
  readonly transfers: number;
}

export interface DepositNote {
  readonly note: Note;
  readonly keys: WalletKeys;
  readonly commitment: Field;
}

export interface L2Fixtures {
  readonly params: L2FixtureParams;
  /** Queue order: deposit i must be the i-th deposit of a fresh localnet. */
  readonly deposits: readonly DepositNote[];
  /** Root of the L2 tree holding exactly the deposits, in order. */
  readonly root: Field;
  /** Encoded L2 transactions (933 bytes each), in submission order. */
  readonly transactions: readonly Uint8Array[];
  /** Both output commitments of each transaction (what a final block publishes). */
  readonly outputs: readonly (readonly [Field, Field])[];
  readonly fromCache: boolean;
}

/** Wallet keys of a 64-byte seed derived from the bench seed. */
function walletOf(label: string, i: number): WalletKeys {
  return deriveWalletKeys(new Uint8Array(createHash('sha512').update(`${SEED}/${label}/${i}`).digest()));
}

function derive(label: string, i: number): Field {
  return fieldMod(BigInt(`0x${createHash('sha256').update(`${SEED}/${label}/${i}`).digest('hex')}`));
}

/** Deposit i: 0.001 SOL + i lamports to a key derived from the seed. */
export function depositNotes(count: number): DepositNote[] {
  return Array.from({ length: count }, (_, i) => {
    const keys = walletOf('wallet', i);
    const note: Note = {
      amount: 1_000_000n + BigInt(i),
      pkD: keys.pkD0,
      blinding: derive('blinding', i),
      asset: NATIVE_ASSET,
    };
    return { note, keys, commitment: noteCommitment(note) };
  });
}

async function treeOf(commitments: readonly Field[]): Promise<MerkleTree> {
  const tree = await MerkleTree.open(new MemoryTreeStorage());
  if (commitments.length) await tree.appendBatch(commitments);
  return tree;
}

interface Cached {
  readonly format: 'paraloom-bench-l2/1';
  readonly seed: string;
  readonly deposits: number;
  readonly root: string;
  readonly txs: readonly string[];
}

function cacheFile(keyHash: string, p: L2FixtureParams): string {
  return `${CACHE_DIR}transfers-${keyHash}-d${p.deposits}.json`;
}

/**
 * The bench's transfers: read from the cache, or proven now (serially, with progress on stderr)
 * and cached.
 */
export async function l2Fixtures(
  params: L2FixtureParams,
  options: { artifacts?: CircuitArtifacts; log?: (line: string) => void } = {},
): Promise<L2Fixtures> {
  if (params.deposits < 0 || params.deposits > 95 || params.transfers < params.deposits) {
    throw new Error('bench:l2 fixtures: need 0 <= deposits <= 95 and transfers >= deposits');
  }
  const log = options.log ?? ((line: string) => console.error(line));
  await privacyReady();
  const artifacts = options.artifacts ?? (await loadCircuitArtifacts());
  const keyHash = createHash('sha256').update(artifacts.zkey).digest('hex').slice(0, 16);
  const deposits = depositNotes(params.deposits);
  const tree = await treeOf(deposits.map((d) => d.commitment));
  const root = tree.root;
  const file = cacheFile(keyHash, params);
  const done = (txs: readonly string[], fromCache: boolean): L2Fixtures => {
    const transactions = txs.map((h) => hexToBytes(h));
    const outputs = transactions.map((t) => decodeTransaction(t).tx.statement.outputCommitments);
    return { params, deposits, root, transactions, outputs, fromCache };
  };
  let proven: readonly string[] = [];
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as Cached;
    if (cached.format === 'paraloom-bench-l2/1' && cached.seed === SEED && cached.root === root.toString()) {
      proven = cached.txs;
    }
  } catch {
    // not cached yet
  }
  if (proven.length >= params.transfers) return done(proven.slice(0, params.transfers), true);

  const recipient = walletOf('recipient', 0);
  const zero = (): Note => ({
    amount: 0n,
    pkD: recipient.pkD0,
    blinding: derive('zero', 0),
    asset: NATIVE_ASSET,
  });
  const requestFor = async (i: number): Promise<TransactRequest> => {
    let inputs: TransactRequest['inputs'];
    let outputs: readonly [Note, Note];
    let owners: readonly [WalletKeys, WalletKeys] = [recipient, recipient];
    if (i < deposits.length) {
      const d = deposits[i]!;
      const pay = d.note.amount / 2n;
      inputs = [
        { note: d.note, sk: d.keys.sk, diversifier: d.keys.d0, path: await tree.path(i) },
        dummyInput(NATIVE_ASSET),
      ];
      outputs = [
        { amount: pay, pkD: recipient.pkD0, blinding: derive('pay', i), asset: NATIVE_ASSET },
        { amount: d.note.amount - pay, pkD: d.keys.pkD0, blinding: derive('change', i), asset: NATIVE_ASSET },
      ];
      owners = [recipient, d.keys];
    } else {
      inputs = [dummyInput(NATIVE_ASSET), dummyInput(NATIVE_ASSET)];
      outputs = [
        { ...zero(), blinding: derive('zero-a', i) },
        { ...zero(), blinding: derive('zero-b', i) },
      ];
    }
    return {
      root,
      asset: NATIVE_ASSET,
      inputs,
      outputs,
      extData: {
        recipient: new Uint8Array(32),
        relayer: new Uint8Array(32),
        fee: 0n,
        extAmount: 0n,
        expirationSlot: 0n,
        encryptedOutput0: encryptNote(outputs[0], owners[0].address),
        encryptedOutput1: encryptNote(outputs[1], owners[1].address),
      },
    };
  };

  const missing = params.transfers - proven.length;
  log(`bench:l2: proving ${missing} transfers once (serially; cached in ${file})`);
  const started = performance.now();
  const txs: string[] = [...proven];
  try {
    for (let i = proven.length; i < params.transfers; i++) {
      const { proof, statement } = await proveTransact(await requestFor(i), artifacts);
      txs.push(bytesToHex(encodeTransaction({ proof: proof.toWire(), statement })));
      if ((i + 1) % 20 === 0 || i + 1 === params.transfers) {
        const per = (performance.now() - started) / (i + 1 - proven.length);
        log(
          `  ${i + 1}/${params.transfers} proofs, ${(per / 1000).toFixed(2)} s each, ~${Math.round(((params.transfers - i - 1) * per) / 1000)} s left`,
        );
      }
    }
  } finally {
    await shutdownProver();
  }
  mkdirSync(CACHE_DIR, { recursive: true });
  const cached: Cached = {
    format: 'paraloom-bench-l2/1',
    seed: SEED,
    deposits: params.deposits,
    root: root.toString(),
    txs,
  };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(cached));
  renameSync(tmp, file);
  return done(txs, false);
}
