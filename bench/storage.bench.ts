/**
 * Storage benchmark: durable (fsynced) nullifier inserts per second with and without group commit,
 * and commitment-tree appends per second, on a real RocksDB in a temp directory.
 * Prints a table; the LAST line is one JSON object.
 *
 *   npm run bench:storage            (env BENCH_SECONDS: seconds per case, default 3; BENCH_WRITERS: concurrent writers, default 256)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { type Field, hash1, MerkleTree, randomField, toField } from '../src/privacy/index.js';
import { Database, NullifierStore, RocksTreeStorage } from '../src/storage/index.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const logger = pino({ level: 'silent' });

interface Result {
  name: string;
  ops: number;
  seconds: number;
  perSecond: number;
  note: string;
}

async function withDb<T>(groupCommit: boolean, fn: (db: Database) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'paraloom-bench-'));
  const db = await Database.open(dir, { groupCommit, logger, registry: new Registry() });
  try {
    return await fn(db);
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}

/** `writers` concurrent loops, each awaiting one synced single-nullifier insert at a time. */
async function nullifierInserts(groupCommit: boolean, writers: number): Promise<Result> {
  return withDb(groupCommit, async (db) => {
    const store = await NullifierStore.open(db);
    // Pre-generate values so field sampling is not measured.
    const pool: Field[] = Array.from({ length: 4096 }, () => randomField());
    let ops = 0;
    const deadline = performance.now() + SECONDS * 1000;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: writers }, async (_, w) => {
        for (let i = 0; performance.now() < deadline; i++) {
          // Fresh values: the pool entry plus a per-insert offset stays canonical and unique.
          const base = pool[(w * 131 + i) % pool.length]!;
          const n = toField(
            (base + BigInt(ops + 1) * 7919n) %
              21888242871839275222246405745257275088548364400416034343698204186575808495617n,
          );
          await store.add([n]);
          ops++;
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    if (store.size !== BigInt(ops)) throw new Error(`count mismatch ${store.size} vs ${ops}`);
    return {
      name: `nullifier insert, synced, ${groupCommit ? 'group commit' : 'no group commit'}`,
      ops,
      seconds,
      perSecond: ops / seconds,
      note: `${writers} concurrent writers`,
    };
  });
}

/** Sequential synced appends of one leaf each (each append = 33 node writes + state, one fsync). */
async function treeAppends(batch: number): Promise<Result> {
  return withDb(true, async (db) => {
    const tree = await MerkleTree.open(new RocksTreeStorage(db));
    let ops = 0;
    const deadline = performance.now() + SECONDS * 1000;
    const started = performance.now();
    while (performance.now() < deadline) {
      const leaves = Array.from({ length: batch }, (_, k) => hash1(toField(BigInt(ops + k + 1))));
      if (batch === 1) await tree.append(leaves[0]!);
      else await tree.appendBatch(leaves);
      ops += batch;
    }
    const seconds = (performance.now() - started) / 1000;
    return {
      name: `tree append, synced, ${batch === 1 ? 'one leaf per write' : `${batch} leaves per write`}`,
      ops,
      seconds,
      perSecond: ops / seconds,
      note: 'Poseidon hashing included',
    };
  });
}

const results: Result[] = [];
results.push(await nullifierInserts(true, Number(process.env.BENCH_WRITERS ?? 256)));
results.push(await nullifierInserts(false, 256));
results.push(await nullifierInserts(false, 1));
results.push(await treeAppends(1));
results.push(await treeAppends(64));

const pad = (s: string, n: number) => s.padEnd(n);
console.log(`${pad('case', 52)} ${pad('ops', 9)} ${pad('seconds', 8)} ${pad('ops/s', 10)} note`);
for (const r of results) {
  console.log(
    `${pad(r.name, 52)} ${pad(String(r.ops), 9)} ${pad(r.seconds.toFixed(2), 8)} ${pad(Math.round(r.perSecond).toString(), 10)} ${r.note}`,
  );
}
const round = (x: number) => Math.round(x);
console.log(
  JSON.stringify({
    bench: 'storage',
    node: process.version,
    secondsPerCase: SECONDS,
    nullifierInsertsPerSecGroupCommit: round(results[0]!.perSecond),
    nullifierInsertsPerSecNoGroupCommit: round(results[1]!.perSecond),
    nullifierInsertsPerSecNoGroupCommitSingleWriter: round(results[2]!.perSecond),
    treeAppendsPerSec: round(results[3]!.perSecond),
    treeAppendsPerSecBatch64: round(results[4]!.perSecond),
    targetNullifierInsertsPerSec: 20000,
    meetsTarget: results[0]!.perSecond >= 20000,
  }),
);
