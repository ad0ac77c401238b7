import type { BlockSection } from '../../ledger/index.js';
import type { ComputeStore } from '../../storage/index.js';
import { MAX_EXECUTORS } from '../limits.js';
import { ComputeChain } from './chain.js';
import { RESULTS_SECTION_KIND } from './entries.js';
import { JobPool, ResultPool } from './pools.js';
import { COMPUTE_RETRY_BLOCKS } from './transitions.js';

/**
 * Blocks a job can stay unfinished: every timeout (COMPUTE_RETRY_BLOCKS after an attempt began)
 * assigns at least one unused backup of at most MAX_EXECUTORS ranked, and with none left the job
 * fails. So a job unfinished after block H was admitted by one of the blocks H - this + 1 .. H, and
 * replaying the compute sections of blocks max(1, H - this) .. H from nothing rebuilds every job
 * live at H exactly (docs/protocol.md, "State snapshots").
 */
export const MAX_JOB_LIFETIME_BLOCKS = BigInt(MAX_EXECUTORS) * COMPUTE_RETRY_BLOCKS;

/** First height of the compute window of a snapshot at `height`. */
export function computeWindowStart(height: bigint): bigint {
  return height > MAX_JOB_LIFETIME_BLOCKS ? height - MAX_JOB_LIFETIME_BLOCKS : 1n;
}

export interface WindowBlock {
  readonly height: bigint;
  readonly sections: readonly BlockSection[];
}

/**
 * Applies `blocks` (consecutive, certified) to an empty compute store with the ledger extension's
 * own apply, as a node replaying them would, except that results of jobs admitted before the
 * window are skipped. Writes through `store.applyBlock`, block by block.
 */
export async function replayComputeWindow(
  store: ComputeStore,
  blocks: readonly WindowBlock[],
): Promise<void> {
  const chain = await ComputeChain.open({
    store,
    // Nothing is checked on apply: these blocks are final and certified.
    verifier: { verify: () => false },
    validators: () => undefined,
    recentRoots: async () => new Set(),
    jobs: new JobPool(),
    results: new ResultPool(),
    fromWindow: true,
  });
  const results = chain.resultsExtension();
  for (const b of blocks) {
    const entries = b.sections.find((s) => s.kind === RESULTS_SECTION_KIND)?.entries ?? [];
    await results.apply(b.height, entries, b.sections);
  }
}
