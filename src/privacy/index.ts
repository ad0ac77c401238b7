// Public face of the privacy module: fields, hashes, keys, notes, note encryption, the commitment
// tree, Pedersen commitments, the `transact` statement, prover, proof codec and verifiers.

export { ADDRESS_PREFIX, ADDRESS_VERSION, decodeAddress, encodeAddress } from './address.js';
export {
  type CircuitArtifacts,
  DEV_KEYS_DIR,
  loadCircuitArtifacts,
  loadVerifyingKeyJson,
} from './artifacts.js';
export { initCurve as privacyReady } from './curve/mcl.js';
export { PrivacyError, type PrivacyErrorCode } from './errors.js';
export {
  computeExtDataHash,
  computeOutputsDigest,
  type ExtData,
  publicAmountFromExt,
  refundCommitmentOf,
  refundNoteOf,
  validateExtData,
} from './ext-data.js';
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
export {
  type AnyWalletKey,
  addressDiversifier,
  addressFor,
  authorizingKey,
  canSpend,
  defaultAddress,
  depositSecrets,
  deriveWalletKeys,
  diversifiedKey,
  type FullViewingKey,
  fullViewingKey,
  generateWalletKeys,
  type IncomingViewingKey,
  incomingViewingKey,
  NK_TAG,
  nullifierKey,
  refundSecrets,
  SEED_BYTES,
  type ShieldedAddress,
  seesSpends,
  type WalletKeys,
} from './keys.js';
export {
  checkAmount,
  depositNote,
  MAX_AMOUNT,
  NATIVE_ASSET,
  type Note,
  noteCommitment,
  noteNullifier,
  type OpenedNote,
  refundNote,
} from './note.js';
export { ENVELOPE_BYTES, ENVELOPE_VERSION, encryptNote, tryDecryptNote } from './note-encryption.js';
export { PEDERSEN_ORDER, PedersenCommitment, randomPedersenBlinding } from './pedersen.js';
export {
  hash1,
  hash2,
  hash3,
  hash4,
  loadWasmPoseidon,
  poseidonImplementation,
} from './poseidon.js';
export {
  Groth16Proof,
  PROOF_CHAIN_BYTES,
  PROOF_CHAIN_COMPRESSED_BYTES,
  PROOF_SUITE_GROTH16_BN254,
  PROOF_WIRE_BYTES,
  rerandomizeProof,
  type SnarkjsProof,
} from './proof/groth16-proof.js';
export {
  buildWitnessInput,
  dummyInput,
  type ProgressCallback,
  type ProveStage,
  proveTransact,
  type SpendInput,
  shutdownProver,
  type TransactProof,
  type TransactRequest,
} from './prover.js';
export {
  assetPublicFor,
  TRANSACT_PUBLIC_INPUT_NAMES,
  type TransactStatement,
  transactPublicInputs,
} from './transact.js';
export { computeRoot, type MerklePath, MerkleTree, verifyPath } from './tree/merkle-tree.js';
export {
  MemoryTreeStorage,
  type TreeChanges,
  type TreeNodeWrite,
  type TreeState,
  type TreeStorage,
} from './tree/storage.js';
export { ROOT_HISTORY_SIZE, TREE_CAPACITY, TREE_DEPTH, ZERO_HASHES } from './tree/zero-hashes.js';
export { type EncryptedOutput, TrialDecryptionPool } from './trial-decryption-pool.js';
export { BatchVerifierPool, type PoolBatchResult, type WireVerificationItem } from './verifier/batch-pool.js';
export { type BatchResult, Groth16Verifier, type VerificationItem } from './verifier/groth16-verifier.js';
export { type TransactVerification, TransactVerifier } from './verifier/transact-verifier.js';
export { type SnarkjsVerifyingKey, VerifyingKey } from './verifier/verifying-key.js';
export {
  decodeFullViewingKey,
  decodeIncomingViewingKey,
  decodeViewingKey,
  encodeFullViewingKey,
  encodeIncomingViewingKey,
  FULL_VIEWING_KEY_PREFIX,
  INCOMING_VIEWING_KEY_PREFIX,
  VIEWING_KEY_VERSION,
} from './viewing-keys.js';

import type { Field } from './field.js';
import { fieldToBytesBE } from './field.js';
import type { Groth16Proof as ProofType } from './proof/groth16-proof.js';
import type { VerifyingKey as VkType } from './verifier/verifying-key.js';

/** 128-byte on-chain proof (withdraw's argument): -A | B | C compressed for sol_alt_bn128_compression. */
export function proofToChainBytes(proof: ProofType): Uint8Array {
  return proof.toChainCompressed();
}

/** On-chain VerifyingKey body; see VerifyingKey.toChainBytes. */
export function verifyingKeyToChainBytes(vk: VkType): Uint8Array {
  return vk.toChainBytes();
}

/** Public inputs as the program reads them: 32-byte big-endian each, circuit order. */
export function publicInputsToChainBytes(inputs: readonly Field[]): Uint8Array {
  const out = new Uint8Array(inputs.length * 32);
  inputs.forEach((v, i) => {
    out.set(fieldToBytesBE(v), i * 32);
  });
  return out;
}
