import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual } from '../common/index.js';
import {
  BatchVerifierPool,
  loadVerifyingKeyJson,
  loadWasmPoseidon,
  privacyReady,
  VerifyingKey,
} from '../privacy/index.js';
import { NodeStorage } from '../storage/index.js';
import { LedgerApp } from './app.js';
import { decodeBlock } from './block.js';
import type { FinalBlock } from './final-blocks.js';

const quiet = pino({ level: 'silent' });
let pool: BatchVerifierPool;
const dirs: string[] = [];

beforeAll(async () => {
  await privacyReady();
  await loadWasmPoseidon();
  pool = new BatchVerifierPool(VerifyingKey.fromSnarkjs(await loadVerifyingKeyJson()), { threads: 1 });
  await pool.start();
}, 120_000);

afterAll(async () => {
  await pool?.stop();
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

async function openLedger() {
  const dir = await mkdtemp(join(tmpdir(), 'paraloom-final-'));
  dirs.push(dir);
  const storage = await NodeStorage.open(dir, { logger: quiet });
  const registry = new Registry();
  const app = await LedgerApp.open({
    storage,
    pool,
    registry,
    leader: new Uint8Array(32).fill(7),
    isAnchored: () => false,
    currentSlot: () => 0n,
    logger: quiet,
  });
  const failures = async () =>
    (await registry.getSingleMetric('paraloom_ledger_final_listener_failures_total')!.get()).values[0]
      ?.value ?? 0;
  return { storage, app, failures };
}

describe('ledger block-final stream', () => {
  it('emits each committed block once, in order, decoded, after it is in storage', async () => {
    const { storage, app } = await openLedger();
    const seen: FinalBlock[] = [];
    const storedWhenHeard: boolean[] = [];
    const unsubscribe = app.onFinal((f) => {
      seen.push(f);
      storedWhenHeard.push(storage.blocks.writtenTipHeight() === f.height);
    });
    let previous: Uint8Array = new Uint8Array(32);
    for (const height of [1n, 2n]) {
      const p = await app.buildProposal(height, 0, previous);
      await app.commit(height, p.bytes, new Uint8Array([Number(height)]));
      previous = p.hash;
    }
    expect(seen.map((f) => f.height)).toEqual([1n, 2n]);
    expect(storedWhenHeard).toEqual([true, true]);
    for (const f of seen) {
      const stored = (await storage.blocks.getByHeight(f.height))!;
      expect(bytesEqual(f.bytes, stored.block)).toBe(true);
      expect(bytesEqual(f.hash, stored.hash)).toBe(true);
      expect(f.block).toEqual(decodeBlock(stored.block));
      expect(f.certificate).toEqual(new Uint8Array([Number(f.height)]));
    }
    unsubscribe();
    const p = await app.buildProposal(3n, 0, previous);
    await app.commit(3n, p.bytes, new Uint8Array(1));
    expect(seen).toHaveLength(2);
    await app.close();
    await storage.close();
  });

  it('a listener that throws or rejects is counted; the commit and the other listeners go on', async () => {
    const { storage, app, failures } = await openLedger();
    const heard: bigint[] = [];
    app.onFinal(() => {
      throw new Error('subscriber bug');
    });
    app.onFinal(async () => {
      throw new Error('async subscriber bug');
    });
    app.onFinal((f) => {
      heard.push(f.height);
    });
    const p = await app.buildProposal(1n, 0, new Uint8Array(32));
    await app.commit(1n, p.bytes, new Uint8Array(1));
    await new Promise((r) => setImmediate(r));
    expect(heard).toEqual([1n]);
    expect(app.tip.height).toBe(1n);
    expect(await failures()).toBe(2);
    await app.close();
    await storage.close();
  });
});
