import { defineErrorClass, type ModuleError, type NoContext } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface PrivacyErrorContexts {
  /** A value that stands for a field element is >= p. */
  FIELD_NOT_CANONICAL: { value: string };
  /** A field element's bytes are not 32 long. */
  FIELD_BAD_LENGTH: { length: number };
  /** Text that is not a canonical decimal field element. */
  FIELD_BAD_STRING: { text: string };
  /** A note amount that is not a u64. */
  AMOUNT_OUT_OF_RANGE: { amount: string };
  /** A shielded address (or encryption key) that does not parse: prefix, version, length. */
  ADDRESS_INVALID: { address?: string; prefix?: string; length?: number; version?: number };
  /** A version 1 address: its notes belong to the old circuit and could never be spent. */
  ADDRESS_OLD_VERSION: { version: number };
  /** A wallet seed that is not the 64 bytes of a BIP39 seed. */
  SEED_INVALID: { length: number };
  /** An address or deposit index that is not a u32. */
  KEY_INDEX_OUT_OF_RANGE: { index: number };
  /** A viewing key string or value that does not parse: prefix, version, length, field elements. */
  VIEWING_KEY_INVALID: { prefix?: string; version?: number; length?: number };
  /** A bech32m string (address or viewing key) whose checksum does not match. */
  ADDRESS_CHECKSUM: { address: string };
  /** A note envelope of the wrong size, or not owned by the address it is encrypted to. */
  ENVELOPE_INVALID: { length?: number };
  /** A note envelope of a version this code does not know. */
  ENVELOPE_UNSUPPORTED_VERSION: { version: number };
  /** A note envelope that does not open with these keys. */
  NOTE_NOT_FOR_US: NoContext;
  /** The commitment tree has no room for the leaves being added. */
  TREE_FULL: { size: number; adding: number };
  /** A leaf index that is not a u32, has no leaf, or a path of the wrong depth. */
  TREE_INDEX_OUT_OF_RANGE: { leafIndex?: number; index?: number; size?: number; depth?: number };
  /** The stored tree lacks a node or root history, or changes were planned against another state. */
  TREE_CORRUPT: { level?: number; leftIndex?: number; size?: number; planned?: number; index?: number };
  /** Proof bytes of the wrong length for their encoding. */
  PROOF_BAD_LENGTH: { length: number };
  /** A proof whose suite tag this code does not know. */
  PROOF_UNKNOWN_SUITE: { tag: number };
  /** A proof point that is malformed, not affine or not on the curve (`point` names it). */
  PROOF_POINT_INVALID: { point?: string };
  /** A proof's G2 point outside the prime-order subgroup. */
  PROOF_NOT_IN_SUBGROUP: { point: string };
  /** A proof that does not verify, or has the wrong number of public inputs. */
  PROOF_INVALID: { expected: number; got?: number };
  /** Input the circuit cannot prove (counts, amounts, leaf index). */
  PROVER_INPUT_INVALID: { leafIndex?: number; inputs?: string; extAmount?: string; outputs?: string };
  /** The prover failed or returned unexpected public signals. */
  PROVER_FAILED: NoContext;
  /** A batch verifier worker died or reported an error. */
  VERIFIER_WORKER_FAILED: NoContext;
  /** The batch verifier pool is used before start(). */
  VERIFIER_NOT_STARTED: NoContext;
  /** A trial decryption worker died or reported an error, or the pool is used before start(). */
  TRIAL_DECRYPTION_FAILED: NoContext;
  /** A verifying key that does not decode: protocol, curve, points, IC count. */
  VKEY_INVALID: { point?: string; protocol?: string; curve?: string; nPublic?: number; count?: number };
  /** A verifying key with gamma == delta: no phase-2 contribution. */
  VKEY_NO_CONTRIBUTION: NoContext;
  /** A circuit artifact or SHA256SUMS is missing from the keys directory. */
  KEYS_MISSING: { dir: string };
  /** A circuit artifact does not match SHA256SUMS. */
  KEYS_CHECKSUM: { dir: string; expected?: string; actual: string };
  /** A Pedersen scalar out of [0, l), or a commitment that is not a subgroup point. */
  PEDERSEN_INVALID: { what?: string; value?: string };
  /** Ext data breaks a rule of the circuit's statement (sizes, fee, amounts, expiration). */
  EXT_DATA_INVALID: { length?: number; fee?: string; extAmount?: string; expirationSlot?: string };
}

export type PrivacyErrorCode = keyof PrivacyErrorContexts;

export const PrivacyError = defineErrorClass<PrivacyErrorContexts>('PrivacyError');
export type PrivacyError<C extends PrivacyErrorCode = PrivacyErrorCode> = ModuleError<
  PrivacyErrorContexts,
  C
>;
