import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/index.js';
import { chain } from './testing/index.js';
import type { FinalBlocks } from './withdrawal-index.js';
import { WithdrawalIndex } from './withdrawal-index.js';

/** The test chain behind a store that counts reads and shows only the first `visible` blocks. */
function counted(withdrawals: number[]) {
  const { blocks, list } = chain(withdrawals);
  const state = { visible: BigInt(list.length), reads: 0 };
  const store: FinalBlocks = {
    tipHeight: () => state.visible,
    blockBytes: async (h) => {
      state.reads++;
      return h <= state.visible ? blocks.blockBytes(h) : undefined;
    },
  };
  return { store, list, state };
}

const quiet = createLogger('test', 'silent');

describe('WithdrawalIndex following block-final events', () => {
  it('catches up from storage once, then indexes the next blocks from events without reading them', async () => {
    const { store, list, state } = counted([1, 0, 2, 1]);
    state.visible = 2n;
    const index = new WithdrawalIndex(store, quiet);
    await index.catchUp();
    expect(state.reads).toBe(2);
    for (const block of list.slice(2)) {
      state.visible = block.header.height;
      index.follow({ height: block.header.height, block });
    }
    expect(index.indexedHeight).toBe(4n);
    expect((await index.range(0n, 4n)).map((w) => w.height)).toEqual([1n, 3n, 3n, 4n]);
    expect(state.reads).toBe(2);
    const last = list[3]!.transactions[1]!;
    expect((await index.find(last.tx.statement.nullifiers[0]))?.height).toBe(4n);
  });

  it('ignores an event it has already indexed, and fills a gap from storage', async () => {
    const { store, list, state } = counted([1, 1, 1]);
    const index = new WithdrawalIndex(store, quiet);
    state.visible = 1n;
    await index.catchUp();
    index.follow({ height: 1n, block: list[0]! });
    expect((await index.range(0n, 1n)).length).toBe(1);
    // Block 2's event was missed: block 3's event makes the index read 2 and 3 from storage.
    state.visible = 3n;
    index.follow({ height: 3n, block: list[2]! });
    await index.catchUp();
    expect(index.indexedHeight).toBe(3n);
    expect((await index.range(0n, 3n)).map((w) => w.height)).toEqual([1n, 2n, 3n]);
    expect(state.reads).toBe(3);
  });
});
