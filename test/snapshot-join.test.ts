/**
 * Joining by snapshot on a four-validator devnet of its own (real processes, libp2p, RocksDB):
 * validator 3 stops, the others run past its snapshot threshold, its database is wiped, and on
 * restart it joins by snapshot (its log names the height), then finalizes new blocks with the
 * others. After the cohort stops, every store holds the same block (hash, commitment root) at the
 * same heights above the snapshot, and validator 3 holds nothing below it.
 */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { address, getAddressEncoder } from '@solana/kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesEqual, bytesToHex } from '../src/common/index.js';
import { decodeCertificate } from '../src/consensus/index.js';
import { Devnet } from '../src/devnet/index.js';
import { decodeBlockHeaderOf, LedgerState } from '../src/ledger/index.js';
import { loadGenesisBlock } from '../src/snapshot/index.js';
import { NodeStorage } from '../src/storage/index.js';
import { until } from './helpers/paraloom-child.js';

const THRESHOLD = 15;

describe('a validator joining late by snapshot (multi-process)', () => {
  let dir: string;
  let devnet: Devnet;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paraloom-snapshot-join-'));
    devnet = new Devnet({
      dir,
      validators: 4,
      slotMs: 150,
      idleBlockMs: 150,
      blockIntervalMs: 50,
      extraToml: () => `\n[sync]\nsnapshot_threshold_blocks = ${THRESHOLD}\nsnapshot_refresh_blocks = 5\n`,
    });
    await devnet.start();
    await devnet.waitHeight(2n, 60_000);
  }, 120_000);

  afterAll(async () => {
    await devnet?.stop();
    for (const v of devnet?.validators ?? []) {
      await mkdir('test-artifacts/snapshot-join', { recursive: true });
      await cp(join(v.dir, 'node.log'), `test-artifacts/snapshot-join/validator-${v.index}.log`).catch(
        () => undefined,
      );
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('wipes validator 3, which joins by snapshot and finalizes with the others on the same chain', async () => {
    await devnet.stopValidator(3);
    const stoppedAt = await devnet.height(0);
    await devnet.waitHeight(stoppedAt + BigInt(THRESHOLD) + 5n, 60_000);
    // Its database only: the validator key and network identity stay.
    await rm(join(devnet.validators[3]!.dir, 'data', 'db'), { recursive: true, force: true });
    await devnet.startValidator(3);
    const joined = devnet.validators[3]!.node!.logs.find((l) =>
      String(l.msg).startsWith('joined by snapshot'),
    );
    expect(joined, 'validator 3 logs its snapshot join').toBeDefined();
    const h = BigInt(String(joined!.height));
    expect(h).toBeGreaterThan(stoppedAt + BigInt(THRESHOLD));

    // It takes part again: its height passes what the others had when it came back.
    const target = (await devnet.height(0)) + 5n;
    await until(
      'validator 3 to finalize new blocks',
      async () => ((await devnet.height(3)) >= target ? true : undefined),
      60_000,
    );
    // A certificate holds any quorum of precommits, so a joiner that votes last may be in none of a
    // few blocks: wait (bounded) until it has also proposed after H, and the cohort went past that.
    const proposedAt = await until(
      'validator 3 to propose a block after its join',
      async () => {
        const line = devnet.validators[3]!.node!.logs.find(
          (l) => l.msg === 'proposal built' && BigInt(String(l.height)) > h,
        );
        return line ? BigInt(String(line.height)) : undefined;
      },
      90_000,
    );
    await until(
      'the cohort past validator 3 proposal',
      async () => ((await devnet.height(0)) >= proposedAt + 2n ? true : undefined),
      60_000,
    );
    await devnet.stop();

    const stores = await Promise.all(
      devnet.validators.map((v) => NodeStorage.open(join(v.dir, 'data', 'db'))),
    );
    try {
      const tips = stores.map((s) => s.blocks.tip()!.height);
      // The lowest tip (bigints: no Math.min).
      const common = [...tips].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[0]!;
      expect(common).toBeGreaterThanOrEqual(target);
      for (const height of [h, h + 1n, common]) {
        const seen = await Promise.all(stores.map((s) => s.blocks.getByHeight(height)));
        const headers = seen.map((b) => decodeBlockHeaderOf(b!.block));
        expect(new Set(seen.map((b) => bytesToHex(b!.hash))).size).toBe(1);
        expect(new Set(headers.map((x) => x.commitmentRoot)).size).toBe(1);
      }
      // It took part: after H, its precommits are in certificates (or it proposed blocks).
      const me = Uint8Array.from(getAddressEncoder().encode(address(devnet.validators[3]!.address)));
      let signed = 0;
      let proposed = 0;
      for (let height = h + 1n; height <= common; height++) {
        const qc = decodeCertificate((await stores[0]!.blocks.getQc(height))!);
        if (qc.signatures.some((s) => bytesEqual(s.validator, me))) signed++;
        const b = await stores[0]!.blocks.getByHeight(height);
        if (bytesEqual(decodeBlockHeaderOf(b!.block).leader, me)) proposed++;
      }
      expect(signed + proposed).toBeGreaterThan(0);
      expect(await stores[3]!.blocks.getByHeight(h - 1n)).toBeUndefined();
      // Block 1 is kept (genesis discovery of later joiners), identical to the others'.
      expect((await loadGenesisBlock(stores[3]!))?.hash).toEqual(
        (await stores[0]!.blocks.getByHeight(1n))?.hash,
      );
      expect(await stores[0]!.blocks.getByHeight(h - 1n)).toBeDefined();
      // Its tree, nullifiers and tip reopen consistently (LedgerState checks tree against tip header).
      const state = await LedgerState.open(stores[3]!);
      expect(state.tree.root).toBe(
        decodeBlockHeaderOf((await stores[3]!.blocks.getByHeight(tips[3]!))!.block).commitmentRoot,
      );
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  }, 180_000);
});
