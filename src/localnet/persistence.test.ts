import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSigner } from '@solana/kit';
import { afterAll, describe, expect, it } from 'vitest';
import { Localnet } from './index.js';

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('localnet ledger persistence', () => {
  it('keeps accounts and the slot across a restart', async () => {
    dir = await mkdtemp(join(tmpdir(), 'paraloom-ledger-'));
    const who = (await generateKeyPairSigner()).address;
    const first = new Localnet({ port: 0, slotMs: 1_000_000, ledgerDir: dir });
    await first.start();
    first.chain.airdrop(who, 3_000_000_000n);
    for (let i = 0; i < 5; i++) first.tick();
    const slot = first.chain.slot;
    await first.stop();

    const second = new Localnet({ port: 0, slotMs: 1_000_000, ledgerDir: dir });
    await second.start();
    expect(second.chain.slot).toBe(slot);
    expect(second.chain.account(who, 'processed')?.lamports).toBe(3_000_000_000n);
    const res = await fetch(second.rpcUrl, {
      method: 'POST',
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'getBalance',
        params: [who, { commitment: 'processed' }],
      }),
    });
    expect(((await res.json()) as { result: { value: number } }).result.value).toBe(3_000_000_000);
    await second.stop();
  });

  it('refuses a corrupt snapshot with a typed error', async () => {
    const bad = await mkdtemp(join(tmpdir(), 'paraloom-ledger-bad-'));
    const { writeFile } = await import('node:fs/promises');
    await writeFile(join(bad, 'ledger.snapshot'), Buffer.from('not a snapshot'));
    expect(() => new Localnet({ port: 0, ledgerDir: bad })).toThrowError(
      expect.objectContaining({ code: 'SNAPSHOT_UNREADABLE' }),
    );
    await rm(bad, { recursive: true, force: true });
  });
});
