/**
 * The consensus vocabulary shared by the state machine, the simulator and the engine. Validators are
 * named by their 32-byte Ed25519 public key; `keyHex` is its lowercase hex, used as a map key.
 */
import type { VoteType } from '../bridge/index.js';

export type { VoteType };

/** 32 zero bytes: the "nil" of Algorithm 1 (a vote for no block). Applications never hash to it. */
export const NIL_HASH: Uint8Array = new Uint8Array(32);

export type Step = 'propose' | 'prevote' | 'precommit';

/** A vote as it travels: the fields of the bridge's 94-byte vote message plus key and signature. */
export interface Vote {
  readonly height: bigint;
  readonly round: number;
  readonly type: VoteType;
  readonly blockHash: Uint8Array;
  readonly validator: Uint8Array;
  readonly signature: Uint8Array;
}

/**
 * A proposal. It is authenticated by the proposer's own signed prevote for (height, round, blockHash):
 * an honest proposer always prevotes what it proposes, so this costs no extra signature and makes a
 * double proposal a double prevote, i.e. evidence the program's `slash` instruction already accepts.
 * `validRound` (the proof-of-lock round, -1 for a fresh value) is not signed: safety never rests on
 * it, since rule 28 re-checks the 2f+1 prevotes at that round itself.
 */
export interface Proposal {
  readonly height: bigint;
  readonly round: number;
  readonly validRound: number;
  readonly blockHash: Uint8Array;
  readonly bytes: Uint8Array;
  readonly proposer: Uint8Array;
  readonly signature: Uint8Array;
}

export type ConsensusMessage =
  | { readonly kind: 'proposal'; readonly proposal: Proposal }
  | { readonly kind: 'vote'; readonly vote: Vote };

/** The embedded prevote that authenticates a proposal. */
export function proposalVote(p: Proposal): Vote {
  return {
    height: p.height,
    round: p.round,
    type: 'prevote',
    blockHash: p.blockHash,
    validator: p.proposer,
    signature: p.signature,
  };
}

/** Signing and verification of votes; the real one is over the bridge's vote message (auth.ts). */
export interface VoteAuthenticator {
  readonly publicKey: Uint8Array;
  sign(vote: { height: bigint; round: number; type: VoteType; blockHash: Uint8Array }): Uint8Array;
  verify(vote: Vote): boolean;
}
