import { WalletError } from './errors.js';
import type { IngressClient } from './ingress-client.js';

/**
 * The first leaf a restored wallet must scan for a birthday given as an L2 height: the tree size of
 * the newest anchored root at or below that height, which no output of the wallet can precede. It
 * errs early, never late: without an anchor that old (or on a node that serves no anchors) the scan
 * starts at leaf 0, which finds everything and only costs time.
 */
export async function birthdayLeafIndex(
  client: IngressClient,
  height: bigint,
  warn: (message: string) => void,
): Promise<number> {
  if (height <= 0n) return 0;
  let anchors: Awaited<ReturnType<IngressClient['anchors']>>;
  try {
    anchors = await client.anchors();
  } catch (e) {
    if (!(e instanceof WalletError && e.code === 'INGRESS_REJECTED' && e.context.status === 404)) throw e;
    warn('this validator serves no anchored roots: scanning from leaf 0');
    return 0;
  }
  let best = 0;
  for (const a of anchors) {
    if (a.height <= height && a.leafCount !== undefined && a.leafCount > best) best = a.leafCount;
  }
  if (best === 0) warn(`no anchored root at or below height ${height}: scanning from leaf 0`);
  return best;
}
