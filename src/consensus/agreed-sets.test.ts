import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/index.js';
import {
  AgreedValidatorSets,
  ConsensusError,
  encodeValidatorSet,
  MemoryKv,
  type ScheduledSet,
  type ValidatorInfo,
} from './index.js';

const key = (i: number) => new Uint8Array(32).fill(i);
const set = (...ids: number[]): ValidatorInfo[] =>
  ids.map((i) => ({ publicKey: key(i), stake: 5n, reputation: 1 }));
const registry = (entries: ValidatorInfo[]) => ({
  refresh: async () => {},
  entries: () =>
    entries.map((e) => ({ publicKey: e.publicKey, stake: e.stake, reputation: e.reputation ?? 1 })),
});

describe('AgreedValidatorSets', () => {
  it('refuses to start before the ledger made its extension', async () => {
    const sets = new AgreedValidatorSets({
      store: new MemoryKv(),
      epochBlocks: 10,
      registry: registry([]),
      logger: createLogger('test', 'silent'),
    });
    await expect(sets.startAt(1n, async () => set(1))).rejects.toBeInstanceOf(ConsensusError);
  });

  it('an empty history starts from the discovered genesis, which block 1 then carries', async () => {
    const sets = new AgreedValidatorSets({
      store: new MemoryKv(),
      epochBlocks: 10,
      registry: registry(set(1, 2)),
      logger: createLogger('test', 'silent'),
    });
    const ext = await sets.extension();
    const { current, scheduled } = await sets.startAt(1n, async () => set(1, 2, 3));
    expect(current).toEqual(set(1, 2, 3));
    expect(scheduled).toEqual([]);
    expect(await ext.propose(1n)).toEqual([encodeValidatorSet(set(1, 2, 3))]);
  });

  it('a stored history decides without discovery and reports sets scheduled past the start', async () => {
    const store = new MemoryKv();
    const logger = createLogger('test', 'silent');
    const first = new AgreedValidatorSets({ store, epochBlocks: 10, registry: registry(set(1, 2)), logger });
    const ext = await first.extension();
    const heard: ScheduledSet[] = [];
    first.onScheduled((s) => heard.push(s));
    await ext.apply(1n, [encodeValidatorSet(set(1, 2))], []);
    for (let h = 2n; h < 10n; h++) await ext.apply(h, [], []);
    await ext.apply(10n, [encodeValidatorSet(set(1, 2, 4))], []);
    expect(heard.map((s) => s.from)).toEqual([12n]);

    // Restarted at height 11: the set of 11 is the genesis one, the boundary's set comes at 12.
    const again = new AgreedValidatorSets({ store, epochBlocks: 10, registry: registry(set(9)), logger });
    await again.extension();
    const { current, scheduled } = await again.startAt(11n, async () => {
      throw new Error('no discovery with a stored history');
    });
    expect(current).toEqual(set(1, 2));
    expect(scheduled.map((s) => [s.from, s.validators.length])).toEqual([[12n, 3]]);
    expect(again.at(12n)).toHaveLength(3);
  });
});
