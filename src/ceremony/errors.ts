import { ParaloomError } from '../common/index.js';

/**
 * Stable codes of every way a ceremony step or an audit can fail. Auditors' scripts branch on
 * these; `context.entry` (when set) is the index of the transcript entry the failure is about.
 */
export type CeremonyErrorCode =
  | 'IO'
  | 'TRANSCRIPT_MISSING'
  | 'TRANSCRIPT_MALFORMED'
  | 'TRANSCRIPT_EMPTY'
  | 'TRANSCRIPT_TRUNCATED'
  | 'TRANSCRIPT_EXISTS'
  | 'ENTRY_MISSING'
  | 'ENTRY_REORDERED'
  | 'ENTRY_TAMPERED'
  | 'CHAIN_BROKEN'
  | 'SIGNATURE_INVALID'
  | 'SIGNING_KEY_INVALID'
  | 'CEREMONY_CLOSED'
  | 'TOO_FEW_CONTRIBUTIONS'
  | 'R1CS_INVALID'
  | 'R1CS_MISMATCH'
  | 'PTAU_INVALID'
  | 'PTAU_TOO_SMALL'
  | 'PTAU_NOT_PREPARED'
  | 'PTAU_MISMATCH'
  | 'INIT_MISMATCH'
  | 'ZKEY_MISSING'
  | 'ZKEY_HASH_MISMATCH'
  | 'ZKEY_INVALID'
  | 'CONTRIBUTION_MISMATCH'
  | 'NO_CONTRIBUTION'
  | 'DELTA_UNCHANGED'
  | 'EXPORT_MISMATCH'
  | 'BEACON_INVALID'
  | 'SNARKJS_FAILED';

export class CeremonyError extends ParaloomError<CeremonyErrorCode> {}
