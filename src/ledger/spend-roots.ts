import type { Field } from '../privacy/index.js';
import type { SpendRootChanges, SpendRootEntry } from '../storage/index.js';
import { LedgerError } from './errors.js';

/** `ledger.spend_root_window_ms`'s default: ten minutes. */
export const DEFAULT_SPEND_ROOT_WINDOW_MS = 600_000;

/**
 * The spend-root window: every root the commitment tree had after a committed block whose header
 * timestamp is within `windowMs` of a given time, with the last such block. An L2 spend may name
 * one of these besides the last ROOT_HISTORY_SIZE roots: the tree only grows and nullifiers are
 * global, so an older root proves membership of a note that still exists, and its nullifier is
 * checked against the whole set anyway.
 *
 * Keyed by root for O(1) lookups; the map's order is ascending (timestamp, height), because block
 * timestamps never go down and a root seen again moves to the end, so pruning pops from the front.
 * It holds the roots of blocks timestamped at or after the tip's timestamp minus the window: those
 * are all a later block (timestamped at or after the tip) may still accept. Window 0 keeps nothing
 * (spends need one of the last 64 roots, as before).
 */
export class SpendRootWindow {
  private readonly entries = new Map<Field, SpendRootEntry>();
  /** The last entry adopted (or loaded): entries come in block order. */
  private newest: SpendRootEntry | undefined;

  constructor(readonly windowMs: bigint) {
    if (windowMs < 0n) throw new LedgerError('ARGUMENT_INVALID', 'the spend-root window must be >= 0 ms');
  }

  /** From stored entries (any order). */
  static from(windowMs: bigint, entries: readonly SpendRootEntry[]): SpendRootWindow {
    const w = new SpendRootWindow(windowMs);
    const sorted = [...entries].sort((a, b) =>
      a.timestampMs !== b.timestampMs ? cmp(a.timestampMs, b.timestampMs) : cmp(a.height, b.height),
    );
    for (const e of sorted) w.entries.set(e.root, e);
    w.newest = sorted.at(-1);
    return w;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Oldest first: ascending (timestamp, height). */
  list(): SpendRootEntry[] {
    return [...this.entries.values()];
  }

  get(root: Field): SpendRootEntry | undefined {
    return this.entries.get(root);
  }

  /** Whether `root` was the tree's root after a block timestamped no more than windowMs before `atMs`. */
  accepts(root: Field, atMs: bigint): boolean {
    if (this.windowMs === 0n) return false;
    const e = this.entries.get(root);
    return e !== undefined && atMs - e.timestampMs <= this.windowMs;
  }

  /**
   * What committing a block (its height, header timestamp and resulting root) changes: its root
   * entered (or moved to this block), and every entry that fell out of the window pruned.
   */
  plan(height: bigint, timestampMs: bigint, root: Field): SpendRootChanges {
    if (this.windowMs === 0n) return { put: [], delete: [...this.entries.keys()] };
    const cutoff = timestampMs - this.windowMs;
    const stale: Field[] = [];
    for (const e of this.entries.values()) {
      if (e.timestampMs >= cutoff) break;
      if (e.root !== root) stale.push(e.root);
    }
    return { put: [{ root, height, timestampMs }], delete: stale };
  }

  /** Makes planned changes current, after the caller persisted them. */
  adopt(changes: SpendRootChanges): void {
    for (const e of changes.put) {
      const last = this.newest;
      // The map's order (and so pruning from its front) relies on it.
      if (last && (e.timestampMs < last.timestampMs || e.height <= last.height)) {
        throw new LedgerError('ARGUMENT_INVALID', 'spend-root entries must be adopted in block order');
      }
    }
    for (const root of changes.delete) this.entries.delete(root);
    for (const e of changes.put) {
      this.entries.delete(e.root);
      this.entries.set(e.root, e);
      this.newest = e;
    }
  }
}

function cmp(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
