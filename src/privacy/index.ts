export { PrivacyError, type PrivacyErrorCode } from './errors.js';
export {
  FIELD_BYTES,
  FIELD_MODULUS,
  FIELD_ZERO,
  type Field,
  fieldFromBytesBE,
  fieldFromBytesCanonical,
  fieldFromBytesLE,
  fieldFromDecimal,
  fieldMod,
  fieldToBytesBE,
  fieldToBytesLE,
  fieldToDecimal,
  isCanonical,
  randomField,
  toField,
} from './field.js';
export { hash1, hash2, hash3, hash4 } from './poseidon.js';
export { computeRoot, type MerklePath, MerkleTree, verifyPath } from './tree/merkle-tree.js';
export {
  MemoryTreeStorage,
  type TreeChanges,
  type TreeNodeWrite,
  type TreeState,
  type TreeStorage,
} from './tree/storage.js';
export { ROOT_HISTORY_SIZE, TREE_CAPACITY, TREE_DEPTH, ZERO_HASHES } from './tree/zero-hashes.js';
