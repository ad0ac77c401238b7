// Pre-generated transfers for `npm run bench:l2`. The funding is deterministic: deposit i shields a
// note whose key and blinding derive from a fixed seed, and a fresh localnet plus a fresh cohort
// consume the deposits in queue order into an empty tree, so the root after the deposits (and every
// Merkle path under it) is known offline. Each transfer is proven once against that root and the
// encoded transactions are cached under .cache/bench-l2, keyed by the proving key's hash and the
// deposit count (a change of keys or deposits makes a new file by itself). Asking for more transfers
// than the file holds proves only the missing ones and extends it.
//
// Proving: ~3.3 s per proof for one snarkjs prover on 2 cores; the missing proofs are split over
// BENCH_L2_PROVERS (default 2) child processes (bench/l2/prove-worker.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { bytesToHex, hexToBytes } from '../../src/common/index.js';
import { decodeTransaction, encodeTransaction, TX_BYTES } from '../../src/ledger/index.js';
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
 * The committed pack (bench/l2/fixtures/): the same transfers proven once and shipped, so a fresh
 * clone's first `npm run bench:l2` does not spend ~25 minutes proving (2.8 s per proof here with
 * two provers). `<name>.bin` is the encoded transactions back to back (TX_BYTES each), `<name>.json`
 * says what they were proven against; a pack whose key hash, seed or root does not match is not
 * used. `npm run bench:l2:pack` writes it from the cache (proving what is missing).
 */
const PACK_DIR = fileURLToPath(new URL('./fixtures/', import.meta.url));

interface PackMeta {
  readonly format: 'paraloom-bench-l2-pack/1';
  readonly seed: string;
  readonly deposits: number;
  readonly root: string;
  readonly count: number;
  readonly sha256: string;
}

const packName = (keyHash: string, p: L2FixtureParams) => `${PACK_DIR}transfers-${keyHash}-d${p.deposits}`;

function readPack(keyHash: string, p: L2FixtureParams, root: Field): string[] {
  let meta: PackMeta;
  let bin: Buffer;
  try {
    meta = JSON.parse(readFileSync(`${packName(keyHash, p)}.json`, 'utf8')) as PackMeta;
    bin = readFileSync(`${packName(keyHash, p)}.bin`);
  } catch {
    return [];
  }
  const fits =
    meta.format === 'paraloom-bench-l2-pack/1' &&
    meta.seed === SEED &&
    meta.root === root.toString() &&
    bin.length === meta.count * TX_BYTES &&
    createHash('sha256').update(bin).digest('hex') === meta.sha256;
  if (!fits) return [];
  return Array.from({ length: meta.count }, (_, i) =>
    bin.subarray(i * TX_BYTES, (i + 1) * TX_BYTES).toString('hex'),
  );
}

/** Writes the committed pack of `fixtures` (bench/l2/pack.ts). */
export async function writePack(fixtures: L2Fixtures): Promise<string> {
  const artifacts = await loadCircuitArtifacts();
  const keyHash = createHash('sha256').update(artifacts.zkey).digest('hex').slice(0, 16);
  const bin = Buffer.concat(fixtures.transactions.map((t) => Buffer.from(t)));
  const meta: PackMeta = {
    format: 'paraloom-bench-l2-pack/1',
    seed: SEED,
    deposits: fixtures.params.deposits,
    root: fixtures.root.toString(),
    count: fixtures.transactions.length,
    sha256: createHash('sha256').update(bin).digest('hex'),
  };
  mkdirSync(PACK_DIR, { recursive: true });
  const name = packName(keyHash, fixtures.params);
  writeFileSync(`${name}.bin`, bin);
  writeFileSync(`${name}.json`, `${JSON.stringify(meta, null, 2)}\n`);
  return name;
}

/**
 * The bench's transfers: from the committed pack or the cache, what is missing proven now (in
 * parallel provers, progress on stderr) and cached.
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
  const packed = readPack(keyHash, params, root);
  if (packed.length > proven.length) proven = packed;
  if (proven.length >= params.transfers) return done(proven.slice(0, params.transfers), true);

  const missing = params.transfers - proven.length;
  const provers = Math.max(1, Math.min(missing, Number(process.env.BENCH_L2_PROVERS ?? 2)));
  log(`bench:l2: proving ${missing} transfers once, ${provers} provers in parallel (cached in ${file})`);
  const txs: string[] = [...proven];
  const save = () => {
    // The proven prefix, so an interrupted first run keeps what it paid for.
    let n = proven.length;
    while (n < txs.length && txs[n] !== undefined) n++;
    writeCache(file, params, root, txs.slice(0, n));
  };
  const started = performance.now();
  let provenNow = 0;
  await proveInWorkers(params.deposits, proven.length, params.transfers, provers, (i, hex) => {
    txs[i] = hex;
    provenNow++;
    if (provenNow % 20 === 0 || provenNow === missing) {
      const per = (performance.now() - started) / provenNow;
      log(
        `  ${provenNow}/${missing} proofs, ${(per / 1000).toFixed(2)} s each (wall), ~${Math.round(((missing - provenNow) * per) / 1000)} s left`,
      );
      save();
    }
  });
  save();
  return done(txs, false);
}

function writeCache(file: string, params: L2FixtureParams, root: Field, txs: readonly string[]): void {
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
}

/**
 * Proves transfers [from, to) in `provers` child processes, transfer i in process i mod provers:
 * one snarkjs prover leaves part of the cores idle (its witness and parts of its prover run on one
 * thread).
 */
async function proveInWorkers(
  deposits: number,
  from: number,
  to: number,
  provers: number,
  onProof: (i: number, hex: string) => void,
): Promise<void> {
  const entry = fileURLToPath(new URL('./prove-worker.ts', import.meta.url));
  const children: ChildProcess[] = [];
  try {
    await Promise.all(
      Array.from({ length: provers }, (_, k) => {
        const child = spawn(
          process.execPath,
          ['--import', 'tsx', entry, JSON.stringify({ deposits, from, to, stride: provers, offset: k })],
          { stdio: ['ignore', 'pipe', 'inherit'] },
        );
        children.push(child);
        createInterface({ input: child.stdout! }).on('line', (line) => {
          const { i, tx } = JSON.parse(line) as { i: number; tx: string };
          onProof(i, tx);
        });
        return new Promise<void>((resolve, reject) => {
          child.once('error', reject);
          child.once('exit', (code) =>
            code === 0 ? resolve() : reject(new Error(`bench:l2 prover ${k} exited with ${code}`)),
          );
        });
      }),
    );
  } finally {
    for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  }
}

/** What every transfer request is built from: the deterministic deposits and their tree. */
export interface ProvingContext {
  readonly deposits: readonly DepositNote[];
  readonly tree: MerkleTree;
  readonly root: Field;
}

export async function provingContext(deposits: number): Promise<ProvingContext> {
  const notes = depositNotes(deposits);
  const tree = await treeOf(notes.map((d) => d.commitment));
  return { deposits: notes, tree, root: tree.root };
}

/**
 * Transfer i: the first `deposits` spend deposit i (plus a zero-amount dummy) into a payment and
 * change; the rest are zero-value transfers of two dummy inputs, which cost a validator the same.
 */
export async function transferRequest(i: number, ctx: ProvingContext): Promise<TransactRequest> {
  const recipient = walletOf('recipient', 0);
  let inputs: TransactRequest['inputs'];
  let outputs: readonly [Note, Note];
  let owners: readonly [WalletKeys, WalletKeys] = [recipient, recipient];
  if (i < ctx.deposits.length) {
    const d = ctx.deposits[i]!;
    const pay = d.note.amount / 2n;
    inputs = [
      { note: d.note, sk: d.keys.sk, diversifier: d.keys.d0, path: await ctx.tree.path(i) },
      dummyInput(NATIVE_ASSET),
    ];
    outputs = [
      { amount: pay, pkD: recipient.pkD0, blinding: derive('pay', i), asset: NATIVE_ASSET },
      { amount: d.note.amount - pay, pkD: d.keys.pkD0, blinding: derive('change', i), asset: NATIVE_ASSET },
    ];
    owners = [recipient, d.keys];
  } else {
    const zero = (label: string): Note => ({
      amount: 0n,
      pkD: recipient.pkD0,
      blinding: derive(label, i),
      asset: NATIVE_ASSET,
    });
    inputs = [dummyInput(NATIVE_ASSET), dummyInput(NATIVE_ASSET)];
    outputs = [zero('zero-a'), zero('zero-b')];
  }
  return {
    root: ctx.root,
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
}

/** Transfer i proven and encoded (a prover worker's unit of work). */
export async function proveTransfer(
  i: number,
  ctx: ProvingContext,
  artifacts: CircuitArtifacts,
): Promise<string> {
  const { proof, statement } = await proveTransact(await transferRequest(i, ctx), artifacts);
  return bytesToHex(encodeTransaction({ proof: proof.toWire(), statement }));
}
