import { FIELD_ZERO, type Field } from '../field.js';
import { hash2 } from '../poseidon.js';

export const TREE_DEPTH = 32;
export const TREE_CAPACITY = 2 ** TREE_DEPTH;
export const ROOT_HISTORY_SIZE = 64;

/** ZERO_HASHES[l] = root of an empty subtree of height l (leaf value 0). ZERO_HASHES[32] = empty root. */
export const ZERO_HASHES: readonly Field[] = (() => {
  const out: Field[] = [FIELD_ZERO];
  for (let l = 0; l < TREE_DEPTH; l++) out.push(hash2(out[l]!, out[l]!));
  return out;
})();
