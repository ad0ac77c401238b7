import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initializeParaloom, Localnet, paraloomProgram } from '../localnet/index.js';
import { type Field, fieldToBytesBE, randomField } from '../privacy/index.js';
import { accountDiscriminator, PARALOOM_DEV_PROGRAM_ID, SYSTEM_PROGRAM_ID } from './constants.js';
import { readFinalizedNullifiers } from './finalized-nullifiers.js';
import { findNullifierPda } from './pda.js';
import { BridgeRpc } from './rpc/client.js';

let net: Localnet;
let rpc: BridgeRpc;

beforeAll(async () => {
  net = new Localnet({ port: 0, slotMs: 40, programs: [paraloomProgram()] });
  await initializeParaloom(net.chain);
  await net.start();
  rpc = new BridgeRpc({ rpcUrl: net.rpcUrl, timeoutMs: 5_000 });
});

afterAll(async () => {
  await net?.stop();
});

async function pdaOf(n: Field) {
  return (await findNullifierPda(PARALOOM_DEV_PROGRAM_ID, fieldToBytesBE(n)))[0];
}

describe('readFinalizedNullifiers', () => {
  it('sees a nullifier record once it is finalized, never a look-alike, over several calls', async () => {
    // 150 nullifiers: two getMultipleAccounts calls (100 addresses each at most).
    const nullifiers = Array.from({ length: 150 }, () => randomField());
    const record = nullifiers[120]!;
    const griefed = nullifiers[7]!;
    const written = net.chain.slot;
    net.chain.setAccount(await pdaOf(record), {
      lamports: 946_560n,
      owner: PARALOOM_DEV_PROGRAM_ID,
      data: accountDiscriminator('NullifierRecord'),
      executable: false,
      space: 8,
    });
    // Lamports sent to a record's address do not make a record.
    net.chain.setAccount(await pdaOf(griefed), {
      lamports: 1_000_000n,
      owner: SYSTEM_PROGRAM_ID,
      data: new Uint8Array(),
      executable: false,
      space: 0,
    });
    let read = await readFinalizedNullifiers(rpc, PARALOOM_DEV_PROGRAM_ID, nullifiers);
    expect(read.present.length).toBe(150);
    // The finalized state lags the processed one: until `written` is finalized the record is not there.
    for (let i = 0; i < 200 && read.slot < written; i++) {
      expect(read.present.some(Boolean)).toBe(false);
      await new Promise((r) => setTimeout(r, 20));
      read = await readFinalizedNullifiers(rpc, PARALOOM_DEV_PROGRAM_ID, nullifiers);
    }
    expect(read.slot).toBeGreaterThanOrEqual(written);
    expect(read.present.flatMap((p, i) => (p ? [i] : []))).toEqual([120]);
    expect(await readFinalizedNullifiers(rpc, PARALOOM_DEV_PROGRAM_ID, [])).toEqual({
      slot: 0n,
      present: [],
    });
  });
});
