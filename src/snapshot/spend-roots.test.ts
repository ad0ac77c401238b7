import { describe, expect, it } from 'vitest';
import type { BlockHeader } from '../ledger/index.js';
import { type Field, toField } from '../privacy/index.js';
import { spendRootsOf } from './spend-roots.js';

/** Only the fields the window reads matter here. */
const header = (height: bigint, timestampMs: bigint, root: number): BlockHeader =>
  ({ height, timestampMs, commitmentRoot: toField(BigInt(root)) as Field }) as BlockHeader;

describe('spendRootsOf', () => {
  // Blocks 1..6 at 0, 10, 20, 30, 40, 50 ms; roots 1, 2, 2, 3, 3, 4.
  const chain = [
    header(1n, 0n, 1),
    header(2n, 10n, 2),
    header(3n, 20n, 2),
    header(4n, 30n, 3),
    header(5n, 40n, 3),
  ];
  const top = header(6n, 50n, 4);
  const below = [...chain].reverse();

  it('lists each root of the window with its last block, oldest first', () => {
    const { entries, complete } = spendRootsOf(top, below, 30n);
    expect(complete).toBe(true);
    expect(entries.map((e) => [e.root, e.height, e.timestampMs])).toEqual([
      [toField(2n), 3n, 20n],
      [toField(3n), 5n, 40n],
      [toField(4n), 6n, 50n],
    ]);
  });

  it('is incomplete when the headers stop inside the window, complete at block 1', () => {
    expect(spendRootsOf(top, below.slice(0, 2), 30n).complete).toBe(false);
    // The header below the window's start is the proof that nothing older is missing.
    expect(spendRootsOf(top, below.slice(0, 4), 30n).complete).toBe(true);
    expect(spendRootsOf(top, below, 1_000n)).toMatchObject({ complete: true });
    expect(spendRootsOf(top, below, 1_000n).entries).toHaveLength(4);
    expect(spendRootsOf(top, [], 0n)).toEqual({ entries: [], complete: true });
  });
});
