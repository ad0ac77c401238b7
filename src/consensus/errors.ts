import { ParaloomError } from '../common/index.js';

export type ConsensusErrorCode =
  /** Bytes that do not decode as the named consensus structure (length, version, order, range). */
  | 'DECODE_FAILED'
  /** A quorum certificate that does not prove finality (bad signature, non-member, duplicate, short). */
  | 'CERTIFICATE_INVALID'
  /** Evidence whose two votes are not a signed conflict by one member for one slot. */
  | 'EVIDENCE_INVALID'
  /** A validator set that cannot run consensus (empty, duplicate key, zero stake, bad head count). */
  | 'VALIDATOR_SET_INVALID'
  /** Bad argument to a consensus API (wrong length, negative round, ...). */
  | 'ARGUMENT_INVALID'
  /** The engine was used in a state that does not allow it (not started, stopped). */
  | 'ENGINE_STATE'
  /** The application answered something the engine cannot use (empty or all-zero block hash). */
  | 'APPLICATION_FAILED';

export class ConsensusError extends ParaloomError<ConsensusErrorCode> {}

export function isConsensusError(err: unknown): err is ConsensusError {
  return err instanceof ConsensusError;
}
