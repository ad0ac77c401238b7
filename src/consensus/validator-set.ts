/**
 * The active validators of one height and the two thresholds Algorithm 1 needs:
 *   quorum ("2f+1"): more than 2/3 of active stake AND at least `minHeads` distinct validators;
 *   one-third ("f+1"): more than 1/3 of active stake, so at least one honest validator is among them.
 * Any two quorums overlap in more than 1/3 of stake, hence in an honest validator: the fact every
 * safety argument of the algorithm uses. The head-count condition only makes quorums stricter.
 */
import { bytesToHex } from '../common/index.js';
import { ConsensusError } from './errors.js';

export interface ValidatorInfo {
  readonly publicKey: Uint8Array;
  /** Active stake (lamports). */
  readonly stake: bigint;
  /**
   * Reputation factor used in leader weights (>= 1). It must be the same on every validator for a
   * height (an agreed snapshot), or validators disagree on the leader and rounds fail.
   */
  readonly reputation?: number;
}

export interface Member {
  readonly index: number;
  readonly publicKey: Uint8Array;
  readonly keyHex: string;
  readonly stake: bigint;
  readonly reputation: number;
}

/** Default head-count fraction: 7 of 10, ceil(0.7 n). */
export const DEFAULT_HEAD_FRACTION = 0.7;

export class ValidatorSet {
  readonly members: readonly Member[];
  readonly totalStake: bigint;
  /** Distinct validators a quorum needs at least. */
  readonly minHeads: number;
  private readonly byKey: Map<string, Member>;

  constructor(validators: readonly ValidatorInfo[], headFraction: number = DEFAULT_HEAD_FRACTION) {
    if (validators.length === 0) throw new ConsensusError('VALIDATOR_SET_INVALID', 'no validators');
    if (!(headFraction > 0 && headFraction <= 1)) {
      throw new ConsensusError('VALIDATOR_SET_INVALID', 'head fraction must be in (0, 1]', { headFraction });
    }
    // Sorted by key so every validator builds the same set from the same registry, whatever its order.
    const sorted = [...validators].sort((a, b) => compareBytes(a.publicKey, b.publicKey));
    const byKey = new Map<string, Member>();
    let total = 0n;
    const members = sorted.map((v, index) => {
      if (v.publicKey.length !== 32)
        throw new ConsensusError('VALIDATOR_SET_INVALID', 'key must be 32 bytes');
      if (v.stake <= 0n) throw new ConsensusError('VALIDATOR_SET_INVALID', 'stake must be positive');
      const reputation = v.reputation ?? 1;
      if (!Number.isInteger(reputation) || reputation < 1) {
        throw new ConsensusError('VALIDATOR_SET_INVALID', 'reputation must be an integer >= 1', {
          reputation,
        });
      }
      const keyHex = bytesToHex(v.publicKey);
      if (byKey.has(keyHex))
        throw new ConsensusError('VALIDATOR_SET_INVALID', 'duplicate validator', { keyHex });
      const m: Member = { index, publicKey: v.publicKey, keyHex, stake: v.stake, reputation };
      byKey.set(keyHex, m);
      total += v.stake;
      return m;
    });
    this.members = members;
    this.byKey = byKey;
    this.totalStake = total;
    // Rounded to 1e-9 first so 0.7 * 10 is 7, not 7.000000000000001 -> 8.
    this.minHeads = Math.max(1, Math.ceil(Math.round(headFraction * members.length * 1e9) / 1e9));
  }

  get size(): number {
    return this.members.length;
  }

  member(keyHex: string): Member | undefined {
    return this.byKey.get(keyHex);
  }

  /** Stake > 2/3 of total and at least minHeads validators. */
  isQuorum(stake: bigint, heads: number): boolean {
    return stake * 3n > this.totalStake * 2n && heads >= this.minHeads;
  }

  /** Stake > 1/3 of total: at least one honest validator when byzantine stake is below 1/3. */
  isOneThird(stake: bigint): boolean {
    return stake * 3n > this.totalStake;
  }
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i]! - b[i]!;
  }
  return a.length - b.length;
}
