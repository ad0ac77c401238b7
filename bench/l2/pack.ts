// `npm run bench:l2:pack`: writes bench:l2's committed fixture pack (bench/l2/fixtures/) from the
// cache, proving what is missing first. Run it after the proving key changes, then commit the pack.

import { l2Fixtures, writePack } from './fixtures.js';
import { BENCH_L2_DEPOSITS, BENCH_L2_POOL } from './pool.js';

const fixtures = await l2Fixtures({ deposits: BENCH_L2_DEPOSITS, transfers: BENCH_L2_POOL });
const name = await writePack(fixtures);
console.log(`bench:l2 pack: ${fixtures.transactions.length} transfers in ${name}.bin (+ .json)`);
process.exit(0);
