/** Deterministic deposits every bench:l2 cohort consumes before its feed (at most 95: the program's deposit ring). */
export const BENCH_L2_DEPOSITS = 90;
/**
 * Transfers proven once (committed pack, then the cache); every regime draws from the start of
 * this set on a fresh cohort. 500: the light regime's 300 and the batched feeds' warm-up plus
 * measured transfers; each proof costs 2.8 s here (two provers), so the size is a first run's cost.
 */
export const BENCH_L2_POOL = 500;
