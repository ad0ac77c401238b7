import {
  type CodecErrorContext,
  defineErrorClass,
  type ModuleError,
  type NoContext,
} from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface ConsensusErrorContexts {
  /** Bytes that do not decode as the named consensus structure (length, version, order, range). */
  DECODE_FAILED: {
    offset?: number;
    need?: number;
    extra?: number;
    version?: number;
    count?: number;
    length?: number;
    code?: number;
    vr?: number;
    round?: number;
  };
  /** A quorum certificate that does not prove finality (bad signature, non-member, duplicate, short). */
  CERTIFICATE_INVALID: {
    height?: string;
    expected?: string;
    validator?: string;
    signers?: number;
    stake?: string;
  };
  /** Evidence whose two votes are not a signed conflict by one member for one slot. */
  EVIDENCE_INVALID: NoContext;
  /** A validator set that cannot run consensus (empty, duplicate key, zero stake, bad head count). */
  VALIDATOR_SET_INVALID:
    | CodecErrorContext
    | {
        headFraction?: number;
        reputation?: number;
        keyHex?: string;
        size?: number;
        index?: number;
        n?: number;
      };
  /** Bad argument to a consensus API (wrong length, negative round, ...). */
  ARGUMENT_INVALID: { length?: number; count?: number };
  /** The engine was used in a state that does not allow it (not started, stopped). */
  ENGINE_STATE: NoContext;
  /** The application answered something the engine cannot use (empty or all-zero block hash). */
  APPLICATION_FAILED: NoContext;
}

export type ConsensusErrorCode = keyof ConsensusErrorContexts;

export const ConsensusError = defineErrorClass<ConsensusErrorContexts>('ConsensusError');
export type ConsensusError<C extends ConsensusErrorCode = ConsensusErrorCode> = ModuleError<
  ConsensusErrorContexts,
  C
>;

export function isConsensusError(err: unknown): err is ConsensusError {
  return err instanceof ConsensusError;
}
