// Node module hooks, registered after tsx's: a few large dependencies that are plain ESM are handed
// to Node as they are. tsx rewrites every ESM file that mentions import() (module lexer, string
// splice, inline source map); for binaryen's 14 MB bundle that cost about 7 s of CPU at every node
// start, against 0.5 s for Node to load it directly.
import { readFile } from 'node:fs/promises';

const UNTOUCHED = ['/node_modules/binaryen/'];

export async function load(url, context, nextLoad) {
  if (url.startsWith('file:') && UNTOUCHED.some((dir) => url.includes(dir))) {
    return { format: 'module', source: await readFile(new URL(url)), shortCircuit: true };
  }
  return nextLoad(url, context);
}
