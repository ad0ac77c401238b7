import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { hexToBytes } from '../src/common/index.js';
import {
  type Field,
  fieldFromBytesCanonical,
  hash1,
  MemoryTreeStorage,
  MerkleTree,
  toField,
} from '../src/privacy/index.js';
import { NodeStorage } from '../src/storage/index.js';

const CHILD = join(import.meta.dirname, 'fixtures', 'storage-crash-child.ts');
const ROUNDS = 25;
const quiet = pino({ level: 'silent' });
const leafAt = (i: number): Field => hash1(toField(BigInt(i) + 1n));

interface Acks {
  blocks: Map<bigint, number>;
  nullifiers: Field[];
  lines: number;
}

/** Runs the writer child until it acknowledged something, then SIGKILLs it after a random delay. */
async function runAndKill(dir: string, acks: Acks, armAtLeaves = 0): Promise<void> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', CHILD, 'write', dir], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  let killTimer: NodeJS.Timeout | undefined;
  const rl = createInterface({ input: child.stdout! });
  rl.on('line', (text) => {
    const [kind, ...rest] = text.split(' ');
    if (kind === 'B') {
      acks.blocks.set(BigInt(rest[0]!), Number(rest[1]));
      if (armAtLeaves > 0 && Number(rest[1]) >= armAtLeaves && !killTimer) arm();
      acks.nullifiers.push(fieldFromBytesCanonical(hexToBytes(rest[2]!)));
      acks.nullifiers.push(fieldFromBytesCanonical(hexToBytes(rest[3]!)));
      acks.lines++;
    } else if (kind === 'N') {
      acks.nullifiers.push(fieldFromBytesCanonical(hexToBytes(rest[0]!)));
      acks.lines++;
    } else if (kind === 'READY' && armAtLeaves === 0 && !killTimer) {
      arm();
    }
  });
  // Kill at a random moment of the write stream: 5 to 300 ms after arming.
  const arm = () => {
    killTimer = setTimeout(() => child.kill('SIGKILL'), 5 + Math.floor(Math.random() * 295));
  };
  const outcome = await exited;
  clearTimeout(killTimer);
  // Drain lines already in the pipe: they were acknowledged before the kill.
  await new Promise<void>((resolve) =>
    child.stdout!.readableEnded ? resolve() : child.stdout!.once('end', resolve),
  );
  rl.close();
  expect(outcome).toBe('SIGKILL');
}

async function verify(dir: string, acks: Acks): Promise<number> {
  const storage = await NodeStorage.open(dir, { logger: quiet });
  try {
    // Every acknowledged nullifier (standalone or in a block) is present.
    const present = await storage.nullifiers.hasMany(acks.nullifiers);
    expect(present.indexOf(false)).toBe(-1);
    // The persisted nullifier count matches the set on disk (it is written in the same batches).
    let onDisk = 0n;
    for await (const _ of storage.nullifiers.all()) onDisk++;
    expect(storage.nullifiers.size).toBe(onDisk);

    // Every acknowledged block is present, and the tip's effects were written atomically.
    const tip = storage.blocks.tip();
    let maxAcked = 0n;
    for (const h of acks.blocks.keys()) if (h > maxAcked) maxAcked = h;
    expect(tip?.height ?? 0n).toBeGreaterThanOrEqual(maxAcked);
    for (const [h, leafCount] of acks.blocks) {
      if (h < maxAcked - 3n) continue; // the most recent few suffice; older ones were checked before
      const b = await storage.blocks.getByHeight(h);
      expect(new TextDecoder().decode(b!.block)).toBe(`leafCount=${leafCount}`);
    }
    const tree = await MerkleTree.open(storage.tree);
    if (tip) {
      const tipBlock = await storage.blocks.getByHeight(tip.height);
      expect(new TextDecoder().decode(tipBlock!.block)).toBe(`leafCount=${tree.size}`);
      expect(storage.deposits.get()?.consumed).toBe(BigInt(tree.size));
    } else {
      expect(tree.size).toBe(0);
    }

    // The root recomputes from the stored leaves, and each leaf is the one the child wrote.
    const leaves = await storage.tree.leaves(0, tree.size);
    expect(leaves.length).toBe(tree.size);
    for (let i = 0; i < leaves.length; i++) if (leaves[i] !== leafAt(i)) expect.fail(`leaf ${i} differs`);
    const rebuilt = await MerkleTree.open(new MemoryTreeStorage());
    await rebuilt.appendBatch(leaves);
    expect(rebuilt.root).toBe(tree.root);
    return tree.size;
  } finally {
    await storage.close();
  }
}

describe('storage survives SIGKILL at random moments', () => {
  let dir = '';
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`keeps every acknowledged write over ${ROUNDS} kills`, { timeout: 110_000 }, async () => {
    dir = await mkdtemp(join(tmpdir(), 'paraloom-crash-'));
    const acks: Acks = { blocks: new Map(), nullifiers: [], lines: 0 };
    let leaves = 0;
    for (let round = 0; round < ROUNDS; round++) {
      // The first round runs until the tree is past 256 leaves (keys past one byte), whatever the load.
      await runAndKill(dir, acks, round === 0 ? 300 : 0);
      leaves = await verify(dir, acks);
    }
    // The test exercised real work: many acknowledged writes and a tree past 255 leaves.
    expect(acks.lines).toBeGreaterThan(ROUNDS * 5);
    expect(leaves).toBeGreaterThan(255);
  });
});
