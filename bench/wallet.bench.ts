/**
 * Wallet sync benchmark: a ledger of BENCH_OUTPUTS (default 100,000) published outputs, 1 % of them
 * real notes for the wallet's keys and the rest real envelopes for strangers' keys, served in
 * process (the figure is the wallet's scanning, not HTTP). Times a first sync from leaf 0 (trial
 * decryption of every output, frontier, witnesses, checkpoints written to disk every 10,000) and an
 * incremental sync of 1,000 new outputs. First prints the physical bound: trial decryption is one
 * X25519 and one AEAD per output, measured here. The LAST line is one JSON object.
 *
 *   npm run bench:wallet            (env BENCH_OUTPUTS: ledger size, default 100000)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { chacha20Poly1305Open, sha256Native } from '../src/privacy/aead-native.js';
import {
  encryptNote,
  type Field,
  generateWalletKeys,
  loadWasmPoseidon,
  NATIVE_ASSET,
  type Note,
  noteCommitment,
  randomField,
  type WalletKeys,
} from '../src/privacy/index.js';
import { unloadWasmPoseidon } from '../src/privacy/poseidon.js';
import { x25519SharedSecret } from '../src/privacy/x25519-native.js';
import { MemoryOutputSource, Wallet } from '../src/wallet/index.js';

const OUTPUTS = Number(process.env.BENCH_OUTPUTS ?? 100_000);
const INCREMENT = 1_000;
const MINE_EVERY = 100;
/** Distinct stranger envelopes; published outputs beyond these reuse them with fresh commitments. */
const STRANGER_ENVELOPES = 5_000;
const BLOCK = 200;

function perCall(label: string, n: number, fn: () => void): number {
  for (let i = 0; i < Math.min(200, n); i++) fn();
  const t = performance.now();
  for (let i = 0; i < n; i++) fn();
  const us = ((performance.now() - t) * 1000) / n;
  console.log(`  ${label.padEnd(48)} ${us.toFixed(1).padStart(8)} µs`);
  return us;
}

function physicalBound(): number {
  console.log('physical bound (one X25519 + one AEAD per output):');
  const secret = x25519.utils.randomSecretKey();
  const ephemeral = x25519.getPublicKey(x25519.utils.randomSecretKey());
  perCall('X25519, @noble/curves (before)', 200, () => x25519.getSharedSecret(secret, ephemeral));
  const dh = perCall('X25519, Node OpenSSL (trial decryption now)', 20_000, () =>
    x25519SharedSecret(secret, ephemeral),
  );
  const key = sha256(new Uint8Array(97));
  const header = new Uint8Array(33);
  const sealed = chacha20poly1305(key, new Uint8Array(12), header).encrypt(new Uint8Array(72));
  const wrongKey = sha256(new Uint8Array(96));
  perCall('key hash + ChaCha20-Poly1305 open, @noble (before)', 50_000, () => {
    try {
      chacha20poly1305(sha256(wrongKey), new Uint8Array(12), header).decrypt(sealed);
    } catch {
      // the expected outcome for someone else's note
    }
  });
  const aead = perCall('key hash + ChaCha20-Poly1305 open, OpenSSL (now)', 50_000, () => {
    chacha20Poly1305Open(sha256Native(wrongKey), new Uint8Array(12), header, sealed);
  });
  const bound = 1e6 / (dh + aead);
  console.log(
    `  bound: 1 / (${dh.toFixed(1)} + ${aead.toFixed(1)}) µs = ${Math.round(bound).toLocaleString('en-US')} outputs/s on one core, ${Math.round(2 * bound).toLocaleString('en-US')} on both (nothing else running, no thread start)`,
  );
  return bound;
}

function noteFor(owner: WalletKeys, amount: bigint): { commitment: Field; envelope: Uint8Array } {
  const note: Note = { amount, pkD: owner.pkD0, blinding: randomField(), asset: NATIVE_ASSET };
  return { commitment: noteCommitment(note), envelope: encryptNote(note, owner.address) };
}

/** `count` outputs from leaf `first` on: every MINE_EVERY-th pays `me`, the rest strangers. */
function outputs(
  me: WalletKeys,
  strangers: readonly Uint8Array[],
  first: number,
  count: number,
): { list: Array<{ commitment: Field; envelope: Uint8Array }>; mine: bigint } {
  const list: Array<{ commitment: Field; envelope: Uint8Array }> = [];
  let mine = 0n;
  for (let leaf = first; leaf < first + count; leaf++) {
    if (leaf % MINE_EVERY === MINE_EVERY / 2) {
      list.push(noteFor(me, BigInt(leaf + 1)));
      mine += BigInt(leaf + 1);
    } else {
      list.push({ commitment: randomField(), envelope: strangers[leaf % strangers.length]! });
    }
  }
  return { list, mine };
}

async function publish(
  source: MemoryOutputSource,
  list: ReadonlyArray<{ commitment: Field; envelope: Uint8Array }>,
) {
  for (let i = 0; i < list.length; i += BLOCK) await source.publish(list.slice(i, i + BLOCK));
}

async function main(): Promise<void> {
  const bound = physicalBound();

  console.log(`building a ledger of ${OUTPUTS.toLocaleString('en-US')} outputs (1 % the wallet's) ...`);
  const built = performance.now();
  const dir = await mkdtemp(join(tmpdir(), 'paraloom-bench-wallet-'));
  try {
    const wallet = Wallet.create(join(dir, 'w'), { passphrase: 'bench', scrypt: { log2N: 10, r: 8, p: 1 } });
    const people = Array.from({ length: 50 }, () => generateWalletKeys());
    const strangers = Array.from(
      { length: Math.min(STRANGER_ENVELOPES, OUTPUTS) },
      (_, i) => noteFor(people[i % people.length]!, 1n).envelope,
    );
    await loadWasmPoseidon(); // only to build the ledger's tree quickly; unloaded before the sync
    const source = await MemoryOutputSource.create();
    const first = outputs(wallet.keys, strangers, 0, OUTPUTS);
    await publish(source, first.list);
    unloadWasmPoseidon();
    console.log(`  built in ${((performance.now() - built) / 1000).toFixed(1)} s`);

    let t = performance.now();
    const full = await wallet.sync(source);
    const firstMs = performance.now() - t;
    if (full.scanned !== OUTPUTS || wallet.balance().spendable !== first.mine) {
      throw new Error(
        `first sync scanned ${full.scanned}, found ${wallet.balance().spendable} of ${first.mine}`,
      );
    }
    const firstRate = OUTPUTS / (firstMs / 1000);
    console.log(
      `first sync: ${OUTPUTS.toLocaleString('en-US')} outputs, ${full.received} notes, ${(firstMs / 1000).toFixed(2)} s = ${Math.round(firstRate).toLocaleString('en-US')} outputs/s (${((100 * firstRate) / (2 * bound)).toFixed(0)} % of the two-core bound)`,
    );

    const more = outputs(wallet.keys, strangers, OUTPUTS, INCREMENT);
    await publish(source, more.list);
    t = performance.now();
    const inc = await wallet.sync(source);
    const incMs = performance.now() - t;
    if (inc.scanned !== INCREMENT || wallet.balance().spendable !== first.mine + more.mine) {
      throw new Error(`incremental sync scanned ${inc.scanned}`);
    }
    console.log(`incremental sync: ${INCREMENT} outputs, ${inc.received} notes, ${incMs.toFixed(0)} ms`);
    console.log(
      JSON.stringify({
        outputs: OUTPUTS,
        wallet_notes: full.received,
        first_sync_outputs_per_s: Math.round(firstRate),
        incremental_sync_ms: Math.round(incMs),
        bound_outputs_per_s_one_core: Math.round(bound),
        bound_outputs_per_s_two_cores: Math.round(2 * bound),
      }),
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
