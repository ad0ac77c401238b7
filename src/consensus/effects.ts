/** What the pure state machine asks its host to do, and what the host feeds back. */
import type { ConsensusMessage, Step, Vote } from './types.js';

/**
 * Algorithm 1's lock and valid value of a height, with the blocks' bytes: persisted by the host
 * before the precommit that follows it leaves the node, and restored after a restart, so a restart
 * never releases a lock.
 */
export interface LockState {
  readonly height: bigint;
  readonly lockedRound: number;
  readonly lockedValue: Uint8Array | undefined;
  readonly lockedBytes: Uint8Array | undefined;
  readonly validRound: number;
  readonly validValue: Uint8Array | undefined;
  readonly validBytes: Uint8Array | undefined;
}

/** Round outcomes as the node metric `paraloom_consensus_rounds_total{outcome}` names them. */
export type RoundOutcome = 'committed' | 'nil' | 'timeout';

export type Effect =
  | { readonly kind: 'broadcast'; readonly message: ConsensusMessage }
  | {
      readonly kind: 'schedule';
      readonly height: bigint;
      readonly round: number;
      readonly step: Step;
      readonly delayMs: number;
    }
  /** Ask the application for a block (Algorithm 1's getValue()); answer with a `built` input. */
  | {
      readonly kind: 'build';
      readonly height: bigint;
      readonly round: number;
      readonly previousHash: Uint8Array;
    }
  /** Ask the application whether a proposed block is valid; answer with a `validated` input. */
  | {
      readonly kind: 'validate';
      readonly height: bigint;
      readonly round: number;
      readonly blockHash: Uint8Array;
      readonly bytes: Uint8Array;
    }
  /** A block is final: precommits of a quorum for it at `round`. */
  | {
      readonly kind: 'decide';
      readonly height: bigint;
      readonly round: number;
      readonly blockHash: Uint8Array;
      readonly bytes: Uint8Array;
      readonly precommits: readonly Vote[];
    }
  | { readonly kind: 'lock'; readonly lock: LockState }
  /** Two different signed votes by one validator for one (height, round, type). */
  | { readonly kind: 'equivocation'; readonly first: Vote; readonly second: Vote }
  /** A round ended (for metrics and reputation). `absent`: members with no vote in it. */
  | {
      readonly kind: 'round-ended';
      readonly height: bigint;
      readonly round: number;
      readonly outcome: RoundOutcome;
      readonly leader: string;
      readonly absent: readonly string[];
    }
  /** The application judged a proposal invalid (reputation of its proposer goes down). */
  | {
      readonly kind: 'invalid-proposal';
      readonly height: bigint;
      readonly round: number;
      readonly proposer: string;
    };
