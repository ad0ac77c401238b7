import { defineErrorClass, type ModuleError, type NoContext } from '../common/index.js';

/**
 * Stable codes of every way a ceremony step or an audit can fail. Auditors' scripts branch on
 * these; `context.entry` (when set) is the index of the transcript entry the failure is about.
 * Each code's context is what its throw sites attach.
 */
export interface CeremonyErrorContexts {
  /** A file of the ceremony cannot be read or written. */
  IO: { file: string };
  /** No transcript in the ceremony directory. */
  TRANSCRIPT_MISSING: { file: string };
  /** The transcript (or one entry) is not the JSON the schema describes. */
  TRANSCRIPT_MALFORMED: { entry?: number; path?: string; file?: string };
  /** A transcript with no entries, or a step that needs a contribution before it. */
  TRANSCRIPT_EMPTY: NoContext;
  /** A zkey on disk (or a contribution in the final zkey) the transcript does not record. */
  TRANSCRIPT_TRUNCATED: { entry: number; file?: string; recorded?: number; in_zkey?: number };
  /** `init` in a directory that already holds a ceremony. */
  TRANSCRIPT_EXISTS: { dir: string };
  /** An entry index is missing from the transcript. */
  ENTRY_MISSING: { entry: number };
  /** Entries are out of order (an entry moved or dropped and a later one in its place). */
  ENTRY_REORDERED: { entry: number };
  /** An entry's hash does not match its content. */
  ENTRY_TAMPERED: { entry: number };
  /** An entry does not link to the one before it (previous hash, zkey chain). */
  CHAIN_BROKEN: { entry: number };
  /** A contribution's signature does not verify under its key. */
  SIGNATURE_INVALID: { entry: number };
  /** A contributor's signing key file is unreadable or not a 32-byte Ed25519 seed. */
  SIGNING_KEY_INVALID: { file?: string };
  /** A contribution or beacon after the ceremony was finalized. */
  CEREMONY_CLOSED: { entry: number };
  /** Finalizing with fewer contributions than the minimum. */
  TOO_FEW_CONTRIBUTIONS: { contributions: number; required: number };
  /** The r1cs file cannot be read or is not a BN254 circuit. */
  R1CS_INVALID: { file: string };
  /** The r1cs is not the circuit entry #0 recorded. */
  R1CS_MISMATCH: { entry: number; file: string };
  /** The phase-1 (ptau) file cannot be opened or does not parse. */
  PTAU_INVALID: { file?: string; r1cs?: string; ptau?: string };
  /** The ptau's power is below what the circuit needs. */
  PTAU_TOO_SMALL: { r1cs?: string; ptau?: string; required?: number; power?: number };
  /** The ptau lacks the phase-2 preparation. */
  PTAU_NOT_PREPARED: { r1cs?: string; ptau?: string; hint?: string };
  /** The ptau is not the phase-1 file entry #0 recorded. */
  PTAU_MISMATCH: { entry: number; expected: string };
  /** The initial zkey regenerated from r1cs and ptau differs from entry #0. */
  INIT_MISMATCH: { entry: number };
  /** A zkey the transcript records is not on disk. */
  ZKEY_MISSING: { entry: number; file?: string };
  /** A zkey on disk differs from the hash its entry recorded. */
  ZKEY_HASH_MISMATCH: { entry: number; file: string; expected: string; actual: string };
  /** snarkjs rejects the zkey, or the verifying key exported from it. */
  ZKEY_INVALID: { entry?: number };
  /** A recorded contribution differs from the one in the final zkey (hash, name, beacon). */
  CONTRIBUTION_MISMATCH: { entry: number; contribution: number; in_zkey?: string; recorded?: string };
  /** The zkey or verifying key carries no phase-2 contribution (gamma == delta). */
  NO_CONTRIBUTION: NoContext;
  /** A contribution that left delta as it was: it had no effect. */
  DELTA_UNCHANGED: NoContext;
  /** A verifying key or contract derived from the final zkey differs from what the final entry recorded. */
  EXPORT_MISMATCH: { entry: number; file?: string };
  /** A beacon that is not 1-255 bytes of hex, or an iterations exponent outside 10..63. */
  BEACON_INVALID: NoContext;
  /** A snarkjs step failed. */
  SNARKJS_FAILED: { step: string };
}

export type CeremonyErrorCode = keyof CeremonyErrorContexts;

export const CeremonyError = defineErrorClass<CeremonyErrorContexts>('CeremonyError');
export type CeremonyError<C extends CeremonyErrorCode = CeremonyErrorCode> = ModuleError<
  CeremonyErrorContexts,
  C
>;
