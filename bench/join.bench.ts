/**
 * Joining a chain of 20,000 final blocks: full replay against a state snapshot, in one process on
 * one machine. The chain is real blocks (deposits every 7th block, a transfer with two nullifiers
 * and two outputs every 11th, validator sets at epoch boundaries) certified by a real Ed25519
 * cohort of 4 in a real RocksDB (src/snapshot/testing). Then:
 *   (a) replay: blocks 1..N into a fresh store, each one's certificate checked, re-executed and
 *       committed in one synced batch (what block sync does, without the SNARK checks: the
 *       transfers carry random proofs, so a real replay costs more than this and the ratio is
 *       conservative);
 *   (b) snapshot: the server's snapshot at N decoded, verified against block N's certified header
 *       and installed into a fresh store (nothing left to replay).
 * The LAST line is one JSON object.
 *
 *   npm run bench:join        (env BENCH_JOIN_BLOCKS: chain length, default 20000)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { ValidatorSet } from '../src/consensus/index.js';
import { LedgerState } from '../src/ledger/index.js';
import { buildSnapshot, decodeManifest, installSnapshot, verifySnapshot } from '../src/snapshot/index.js';
import { buildTestChain, replayBlock } from '../src/snapshot/testing/index.js';
import { NodeStorage } from '../src/storage/index.js';

const BLOCKS = Number(process.env.BENCH_JOIN_BLOCKS ?? 20_000);
const EPOCH = 100;
const logger = pino({ level: 'silent' });

async function store(name: string): Promise<{ storage: NodeStorage; done: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `paraloom-bench-join-${name}-`));
  const storage = await NodeStorage.open(dir, { logger, registry: new Registry() });
  return {
    storage,
    done: async () => {
      await storage.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function main(): Promise<void> {
  const server = await store('server');
  const t0 = performance.now();
  const chain = await buildTestChain(server.storage, { blocks: BLOCKS, epochBlocks: EPOCH });
  const chainMs = performance.now() - t0;
  const serverState = await LedgerState.open(server.storage);
  console.log(
    `chain: ${BLOCKS} blocks, ${serverState.tree.size} leaves, ${server.storage.nullifiers.size} nullifiers, built in ${(chainMs / 1000).toFixed(1)} s`,
  );

  // (a) Full replay into a fresh store.
  const replay = await store('replay');
  const set = new ValidatorSet(chain.genesis);
  const t1 = performance.now();
  const replayState = await LedgerState.open(replay.storage);
  for (const record of chain.blocks)
    await replayBlock(replay.storage, replayState, record, set, chain.verifyVote);
  const replayMs = performance.now() - t1;
  if (replayState.tree.root !== serverState.tree.root) throw new Error('replay ended on another root');
  await replay.done();
  console.log(
    `replay: ${(replayMs / 1000).toFixed(2)} s (${((replayMs * 1000) / BLOCKS).toFixed(0)} µs/block)`,
  );

  // (b) Snapshot: built by the server (not the joiner's time), verified and installed by the joiner.
  const t2 = performance.now();
  const built = await buildSnapshot(server.storage, { epochBlocks: EPOCH });
  const buildMs = performance.now() - t2;
  const joiner = await store('snapshot');
  const t3 = performance.now();
  const verified = await verifySnapshot(decodeManifest(built.manifestBytes), async (i) => built.chunks[i]!, {
    genesis: chain.genesis,
    epochBlocks: EPOCH,
    verifyVote: chain.verifyVote,
  });
  await installSnapshot(joiner.storage, verified);
  const joinedState = await LedgerState.open(joiner.storage);
  const snapshotMs = performance.now() - t3;
  if (joinedState.tree.root !== serverState.tree.root || joinedState.tip.height !== BigInt(BLOCKS)) {
    throw new Error('snapshot install ended on another state');
  }
  await joiner.done();
  await server.done();
  console.log(
    `snapshot: ${built.chunks.length} chunks, ${built.bytes} bytes; built by the server in ${(buildMs / 1000).toFixed(2)} s; verified and installed in ${(snapshotMs / 1000).toFixed(2)} s`,
  );
  console.log(
    JSON.stringify({
      bench: 'join',
      blocks: BLOCKS,
      replayMs: Math.round(replayMs),
      snapshotMs: Math.round(snapshotMs),
      ratio: Number((replayMs / snapshotMs).toFixed(1)),
      snapshotBytes: built.bytes,
      buildMs: Math.round(buildMs),
      leaves: serverState.tree.size,
      nullifiers: Number(serverState.tip.nullifierCount),
    }),
  );
}

await main();
