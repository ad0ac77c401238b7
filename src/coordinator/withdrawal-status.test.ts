import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findNullifierPda, PARALOOM_DEV_PROGRAM_ID } from '../bridge/index.js';
import { bridgeRpc, paraloomLocalnet } from '../bridge/testing/index.js';
import { createLogger } from '../common/index.js';
import { refundTag } from '../ledger/index.js';
import type { Localnet } from '../localnet/index.js';
import { type Field, fieldToBytesBE, randomField } from '../privacy/index.js';
import { AnchoredRanges } from './approvals.js';
import { chain } from './testing/index.js';
import { WithdrawalIndex } from './withdrawal-index.js';
import { WithdrawalStatusReader } from './withdrawal-status.js';

// The test chain's withdrawals expire at slot 99. The settled check reads the nullifier PDA from a
// real localnet; the refund check asks the L2's spent set, here the set of refund tags committed.
let net: Localnet;
beforeAll(async () => {
  net = await paraloomLocalnet();
});
afterAll(async () => {
  await net.stop();
});

describe('withdrawal status', () => {
  it('final until its expiration slot, expired after it, refunded once the refund lands, settled once its nullifier PDA exists', async () => {
    const { blocks, list } = chain([1, 1]);
    const index = new WithdrawalIndex(blocks, createLogger('test', 'silent'));
    await index.catchUp();
    const view = { state: undefined, slot: 99n };
    const committed = new Set<Field>();
    const reader = new WithdrawalStatusReader({
      rpc: bridgeRpc(net.rpcUrl),
      chain: view,
      programId: PARALOOM_DEV_PROGRAM_ID,
      index,
      blocks,
      ranges: new AnchoredRanges(index),
      isSpent: async (fields) => fields.map((f) => committed.has(f)),
    });
    const [first, second] = list.map((b) => b.transactions[1]!.tx.statement); // [0] is a transfer

    expect(await reader.status(randomField())).toBeUndefined();
    expect(await reader.status(first!.nullifiers[0])).toMatchObject({ state: 'final', expirationSlot: 99n });
    view.slot = 100n;
    expect((await reader.status(first!.nullifiers[0]))?.state).toBe('expired');
    committed.add(refundTag(first!.nullifiers));
    expect((await reader.status(first!.nullifiers[0]))?.state).toBe('refunded');
    expect((await reader.status(second!.nullifiers[0]))?.state).toBe('expired');

    // A nullifier record owned by the program means the withdrawal settled, whatever the slot says.
    const [pda] = await findNullifierPda(PARALOOM_DEV_PROGRAM_ID, fieldToBytesBE(second!.nullifiers[0]));
    net.chain.setAccount(pda, {
      lamports: 1_000_000n,
      owner: PARALOOM_DEV_PROGRAM_ID,
      data: new Uint8Array(8),
      executable: false,
      space: 8,
    });
    for (let i = 0; i < 3; i++) net.tick();
    expect((await reader.status(second!.nullifiers[0]))?.state).toBe('settled');
  });
});
