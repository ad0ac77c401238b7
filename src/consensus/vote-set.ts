/**
 * The verified votes of one height, by round and type. As in Algorithm 1, "2f+1 PREVOTE(h, r, id(v))"
 * counts distinct validators that sent that message: a validator that votes twice in one slot counts
 * once for each value (and once in "any"). Counting only its first vote would let an equivocator show
 * one honest validator a lock that the others can never reconstruct, and stall the cohort. Safety is
 * unaffected: two quorums for different values share > 1/3 of stake, so an honest validator would
 * have voted twice. Each second vote is reported as a conflict (evidence). Bounded: at most
 * MAX_VALUES_PER_SLOT values per validator per slot.
 */
import { bytesToHex } from '../common/index.js';
import type { Vote, VoteType } from './types.js';
import type { ValidatorSet } from './validator-set.js';

export const NIL_HEX = '00'.repeat(32);

interface Tally {
  stake: bigint;
  heads: number;
}

/** An equivocator's further values beyond this are dropped (it is already caught by then). */
export const MAX_VALUES_PER_SLOT = 4;

class RoundVotes {
  readonly byValidator = new Map<string, Vote[]>();
  readonly byHash = new Map<string, Tally>();
  readonly any: Tally = { stake: 0n, heads: 0 };
}

export type AddResult =
  | { readonly kind: 'added' }
  | { readonly kind: 'duplicate' }
  | { readonly kind: 'conflict'; readonly first: Vote };

export class VoteSet {
  private readonly rounds = new Map<
    number,
    { prevote: RoundVotes; precommit: RoundVotes; seen: Set<string>; seenStake: bigint }
  >();

  constructor(private readonly set: ValidatorSet) {}

  private round(r: number) {
    let e = this.rounds.get(r);
    if (!e) {
      e = { prevote: new RoundVotes(), precommit: new RoundVotes(), seen: new Set(), seenStake: 0n };
      this.rounds.set(r, e);
    }
    return e;
  }

  /** Looks a vote up without adding it: lets callers skip signature checks of exact repeats. */
  existing(round: number, type: VoteType, keyHex: string, hashHex: string): Vote | undefined {
    return this.rounds
      .get(round)
      ?.[type].byValidator.get(keyHex)
      ?.find((v) => bytesToHex(v.blockHash) === hashHex);
  }

  /** The vote must be verified and from a member. */
  add(vote: Vote): AddResult {
    const keyHex = bytesToHex(vote.validator);
    const m = this.set.member(keyHex);
    if (!m) return { kind: 'duplicate' };
    const r = this.round(vote.round);
    const rv = r[vote.type];
    const h = bytesToHex(vote.blockHash);
    const prior = rv.byValidator.get(keyHex) ?? [];
    if (prior.some((v) => bytesToHex(v.blockHash) === h)) return { kind: 'duplicate' };
    const first = prior[0];
    if (prior.length >= MAX_VALUES_PER_SLOT) return { kind: 'conflict', first: first! };
    prior.push(vote);
    rv.byValidator.set(keyHex, prior);
    const t = rv.byHash.get(h) ?? { stake: 0n, heads: 0 };
    t.stake += m.stake;
    t.heads += 1;
    rv.byHash.set(h, t);
    if (first) return { kind: 'conflict', first };
    rv.any.stake += m.stake;
    rv.any.heads += 1;
    if (!r.seen.has(keyHex)) {
      r.seen.add(keyHex);
      r.seenStake += m.stake;
    }
    return { kind: 'added' };
  }

  /** 2f+1 votes of `type` at `round` for `hashHex` (NIL_HEX for nil). */
  hasQuorumFor(round: number, type: VoteType, hashHex: string): boolean {
    const t = this.rounds.get(round)?.[type].byHash.get(hashHex);
    return t !== undefined && this.set.isQuorum(t.stake, t.heads);
  }

  /** 2f+1 votes of `type` at `round`, for anything. */
  hasQuorumAny(round: number, type: VoteType): boolean {
    const t = this.rounds.get(round)?.[type].any;
    return t !== undefined && this.set.isQuorum(t.stake, t.heads);
  }

  /** The non-nil hash with 2f+1 votes of `type` at `round`, if any (at most one can have it). */
  quorumHash(round: number, type: VoteType): string | undefined {
    const rv = this.rounds.get(round)?.[type];
    if (!rv) return undefined;
    for (const [h, t] of rv.byHash) {
      if (h !== NIL_HEX && this.set.isQuorum(t.stake, t.heads)) return h;
    }
    return undefined;
  }

  /** f+1: validators holding > 1/3 of stake sent some message at `round`. */
  hasOneThirdAt(round: number): boolean {
    const r = this.rounds.get(round);
    return r !== undefined && this.set.isOneThird(r.seenStake);
  }

  roundsSeen(): number[] {
    return [...this.rounds.keys()];
  }

  votes(round: number, type: VoteType, hashHex: string): Vote[] {
    const rv = this.rounds.get(round)?.[type];
    if (!rv) return [];
    return [...rv.byValidator.values()].flatMap((vs) =>
      vs.filter((v) => bytesToHex(v.blockHash) === hashHex),
    );
  }

  /** Every counted vote at `round` (for re-gossip). */
  all(round: number): Vote[] {
    const r = this.rounds.get(round);
    if (!r) return [];
    return [...r.prevote.byValidator.values(), ...r.precommit.byValidator.values()].flat();
  }

  /** Validators with any vote at `round`. */
  voters(round: number): ReadonlySet<string> {
    return this.rounds.get(round)?.seen ?? new Set();
  }
}
