import type { BlockHeader } from '../ledger/index.js';
import type { Field } from '../privacy/index.js';
import type { SpendRootItem } from './format.js';

/**
 * The spend-root window at block `top`, as a ledger that applied every block holds it (the ledger's
 * SpendRootWindow): each root a block timestamped at or after top's timestamp minus `windowMs` left
 * behind, with the last such block, ascending (timestamp, height). `below` are the headers under
 * `top`, descending and chained (the caller checked that). `complete`: the headers went past the
 * window's start (a header timestamped before it, or block 1), so no root of the window is missing.
 */
export function spendRootsOf(
  top: BlockHeader,
  below: readonly BlockHeader[],
  windowMs: bigint,
): { entries: SpendRootItem[]; complete: boolean } {
  if (windowMs === 0n) return { entries: [], complete: true };
  const cutoff = top.timestampMs - windowMs;
  const found = new Map<Field, SpendRootItem>();
  let complete = top.height === 1n;
  for (const h of [top, ...below]) {
    if (h.timestampMs < cutoff) {
      complete = true;
      break;
    }
    // Newest first: the first block seen with a root is the last that left it.
    if (!found.has(h.commitmentRoot)) {
      found.set(h.commitmentRoot, { root: h.commitmentRoot, height: h.height, timestampMs: h.timestampMs });
    }
    if (h.height === 1n) complete = true;
  }
  return { entries: [...found.values()].reverse(), complete };
}

/** Whether a header is still inside the window measured from `topMs` (the builder walks while so). */
export function insideSpendWindow(timestampMs: bigint, topMs: bigint, windowMs: bigint): boolean {
  return windowMs > 0n && timestampMs >= topMs - windowMs;
}
