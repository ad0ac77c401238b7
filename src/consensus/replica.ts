/**
 * One validator's consensus across heights, still pure and synchronous: it checks every incoming
 * message (membership, signature, height and round window), feeds the height machine, buffers the
 * next height's messages, moves to the next height on a decision and relays a decision to peers that
 * are still on it. The simulator and ConsensusEngine are its two hosts.
 */
import { bytesEqual, bytesToHex } from '../common/index.js';
import {
  certificateFromVotes,
  certificateVotes,
  type QuorumCertificate,
  verifyCertificate,
} from './certificate.js';
import type { Effect, LockState } from './effects.js';
import { isConsensusError } from './errors.js';
import { HeightMachine } from './height-machine.js';
import { selectLeader } from './leader.js';
import { DEFAULT_TIMEOUTS, type Timeouts } from './timeouts.js';
import {
  type ConsensusMessage,
  type Proposal,
  proposalVote,
  type Step,
  type Vote,
  type VoteAuthenticator,
} from './types.js';
import type { ValidatorSet } from './validator-set.js';
import type { VoteSet } from './vote-set.js';

export type IgnoredReason =
  | 'non_member'
  | 'bad_signature'
  | 'stale_height'
  | 'future_height'
  | 'round_window'
  | 'duplicate'
  | 'buffer_full';

export interface ReplicaOptions {
  readonly validators: ValidatorSet;
  readonly auth: VoteAuthenticator;
  readonly height: bigint;
  readonly previousHash: Uint8Array;
  readonly timeouts?: Timeouts;
  /** Messages for rounds further ahead than this are dropped (bounds memory per height). */
  readonly maxRoundsAhead?: number;
  /** Messages buffered for the next height, at most. */
  readonly maxBuffered?: number;
  /** First round of the first height (after a restart: one past the last round signed in). */
  readonly startRound?: number;
  /** Lock state of the first height persisted before a restart. */
  readonly restore?: LockState;
}

export type ReplicaInput =
  | { readonly kind: 'message'; readonly message: ConsensusMessage }
  | { readonly kind: 'timeout'; readonly height: bigint; readonly round: number; readonly step: Step }
  | {
      readonly kind: 'built';
      readonly height: bigint;
      readonly round: number;
      readonly blockHash: Uint8Array;
      readonly bytes: Uint8Array;
    }
  | {
      readonly kind: 'validated';
      readonly height: bigint;
      readonly blockHash: Uint8Array;
      /** 'mismatch': the bytes do not hash to the claimed hash (a corrupted copy, not a bad block). */
      readonly verdict: 'valid' | 'invalid' | 'mismatch';
    }
  /** Periodic: re-send own messages of the current round and relay the last decision if asked for. */
  | { readonly kind: 'tick' }
  /** Catch-up: a block and its certificate obtained by block sync. */
  | {
      readonly kind: 'certified';
      readonly bytes: Uint8Array;
      readonly certificate: QuorumCertificate;
    };

/** Effects of the replica: the height machine's, with `decide` carrying the certificate. */
export type ReplicaEffect =
  | Exclude<Effect, { kind: 'decide' }>
  | {
      readonly kind: 'decide';
      readonly height: bigint;
      readonly round: number;
      readonly blockHash: Uint8Array;
      readonly bytes: Uint8Array;
      readonly certificate: QuorumCertificate;
      /** Key (hex) of the validator whose proposal carried the block, when this validator saw it. */
      readonly proposer: string | undefined;
    }
  | { readonly kind: 'ignored'; readonly reason: IgnoredReason };

interface LastDecision {
  readonly height: bigint;
  readonly proposal: Proposal | undefined;
  readonly precommits: readonly Vote[];
  /** Every vote the finished height's machine held: tells a peer's re-sent vote from a late one. */
  readonly votes: VoteSet;
}

/**
 * A prevote of the finished height that the replica already holds, arriving again: only a peer
 * still on that height re-sends its votes (retransmit, on every tick it is stuck), and a relay of a
 * decision carries the proposal and precommits, never prevotes. A late first copy (the vote a quorum
 * did not need) or a relay is no sign of a lagging peer; answering those made every validator
 * re-gossip the last proposal, tens of KiB under load, at every height.
 */
function isResentPrevote(msg: ConsensusMessage, last: LastDecision): boolean {
  if (msg.kind !== 'vote' || msg.vote.type !== 'prevote') return false;
  const v = msg.vote;
  const held = last.votes.existing(v.round, 'prevote', bytesToHex(v.validator), bytesToHex(v.blockHash));
  return held !== undefined && bytesEqual(held.signature, v.signature);
}

export class Replica {
  private set: ValidatorSet;
  private nextSet: ValidatorSet | undefined;
  private machine: HeightMachine;
  private previousHash: Uint8Array;
  private buffered: ConsensusMessage[] = [];
  private last: LastDecision | undefined;
  private lagging = false;
  /** Where the last tick found this replica (height/round/step). */
  private tickedAt = '';
  private readonly maxRoundsAhead: number;
  private readonly maxBuffered: number;
  private readonly timeouts: Timeouts;
  private started = false;

  constructor(private readonly o: ReplicaOptions) {
    this.set = o.validators;
    this.previousHash = o.previousHash;
    this.timeouts = o.timeouts ?? DEFAULT_TIMEOUTS;
    this.maxRoundsAhead = o.maxRoundsAhead ?? 64;
    this.maxBuffered = o.maxBuffered ?? 64 * o.validators.size;
    this.machine = this.newMachine(o.height);
  }

  get height(): bigint {
    return this.machine.height;
  }

  get round(): number {
    return this.machine.round;
  }

  get step(): Step {
    return this.machine.step;
  }

  get locks(): HeightMachine['locks'] {
    return this.machine.locks;
  }

  get validators(): ValidatorSet {
    return this.set;
  }

  /** Leader of (current height, round). */
  leader(round: number): string {
    return selectLeader(this.set, this.previousHash, this.machine.height, round).keyHex;
  }

  /** Takes effect from the next height on (validator sets change at height boundaries). */
  setNextValidators(set: ValidatorSet): void {
    this.nextSet = set;
  }

  start(): ReplicaEffect[] {
    if (this.started) return [];
    this.started = true;
    return this.after(this.machine.start(this.o.startRound ?? 0));
  }

  handle(input: ReplicaInput): ReplicaEffect[] {
    if (!this.started) return [];
    switch (input.kind) {
      case 'message':
        return this.onMessage(input.message);
      case 'timeout':
        return input.height === this.height
          ? this.after(this.machine.onTimeout(input.round, input.step))
          : [];
      case 'built':
        return input.height === this.height
          ? this.after(this.machine.onBuilt(input.round, input.blockHash, input.bytes))
          : [];
      case 'validated':
        return input.height === this.height
          ? this.after(this.machine.onValidated(input.blockHash, input.verdict))
          : [];
      case 'tick':
        return this.onTick();
      case 'certified':
        return this.onCertified(input.bytes, input.certificate);
    }
  }

  private newMachine(height: bigint): HeightMachine {
    const set = this.set;
    const previousHash = this.previousHash;
    return new HeightMachine({
      set,
      height,
      previousHash,
      auth: this.o.auth,
      timeouts: this.timeouts,
      leader: (round) => selectLeader(set, previousHash, height, round),
      restore: height === this.o.height ? this.o.restore : undefined,
    });
  }

  private onMessage(msg: ConsensusMessage): ReplicaEffect[] {
    const vote = msg.kind === 'vote' ? msg.vote : proposalVote(msg.proposal);
    if (vote.height < this.height) {
      if (this.last && vote.height === this.last.height && isResentPrevote(msg, this.last))
        this.lagging = true;
      return [ignored('stale_height')];
    }
    if (vote.height > this.height) {
      if (vote.height !== this.height + 1n) return [ignored('future_height')];
      if (this.buffered.length >= this.maxBuffered) return [ignored('buffer_full')];
      this.buffered.push(msg);
      return [];
    }
    if (vote.round > this.machine.round + this.maxRoundsAhead) return [ignored('round_window')];
    const keyHex = bytesToHex(vote.validator);
    if (!this.set.member(keyHex)) return [ignored('non_member')];
    // Exact repeats (gossip re-sends, replays) cost no signature check.
    const prior = this.machine.votes.existing(vote.round, vote.type, keyHex, bytesToHex(vote.blockHash));
    const known = prior !== undefined && bytesEqual(prior.signature, vote.signature);
    if (known && msg.kind === 'vote') return [ignored('duplicate')];
    if (!known && !this.o.auth.verify(vote)) return [ignored('bad_signature')];
    return this.after(
      msg.kind === 'vote' ? this.machine.onVote(msg.vote) : this.machine.onProposal(msg.proposal),
    );
  }

  private onTick(): ReplicaEffect[] {
    // Re-gossip only where this replica made no progress since the last tick: a healthy cohort
    // moves on between ticks and would otherwise send its proposal and votes twice (under load a
    // proposal is tens of KiB, re-sent by every validator); a stuck one re-sends one tick later.
    const at = `${this.machine.height}/${this.machine.round}/${this.machine.step}`;
    const stuck = at === this.tickedAt;
    this.tickedAt = at;
    const out: ReplicaEffect[] = stuck ? this.after(this.machine.retransmit()) : [];
    if (this.lagging && this.last) {
      this.lagging = false;
      // Relayed as they are: votes are signed, so relaying adds no trust.
      if (this.last.proposal)
        out.push({ kind: 'broadcast', message: { kind: 'proposal', proposal: this.last.proposal } });
      for (const vote of this.last.precommits)
        out.push({ kind: 'broadcast', message: { kind: 'vote', vote } });
    }
    return out;
  }

  private onCertified(bytes: Uint8Array, qc: QuorumCertificate): ReplicaEffect[] {
    if (qc.height !== this.height)
      return [ignored(qc.height < this.height ? 'stale_height' : 'future_height')];
    try {
      verifyCertificate(qc, this.set, this.o.auth, { height: this.height });
    } catch (err) {
      if (isConsensusError(err)) return [ignored('bad_signature')];
      throw err;
    }
    // The application validates (re-executes) the block on commit; the certificate proves finality.
    return this.advance(
      {
        kind: 'decide',
        height: qc.height,
        round: qc.round,
        blockHash: qc.blockHash,
        bytes,
        certificate: qc,
        proposer: undefined,
      },
      certificateVotes(qc),
      undefined,
    );
  }

  /** Post-processes the machine's effects: a decision ends the height. */
  private after(effects: Effect[]): ReplicaEffect[] {
    const out: ReplicaEffect[] = [];
    for (const e of effects) {
      if (e.kind !== 'decide') {
        out.push(e);
        continue;
      }
      const proposal = this.machine.proposalFor(bytesToHex(e.blockHash));
      const decision: ReplicaEffect = {
        kind: 'decide',
        height: e.height,
        round: e.round,
        blockHash: e.blockHash,
        bytes: e.bytes,
        certificate: certificateFromVotes(e.precommits),
        proposer: proposal ? bytesToHex(proposal.proposer) : undefined,
      };
      out.push(...this.advance(decision, e.precommits, proposal));
      break; // effects after a decision belong to the finished height
    }
    return out;
  }

  private advance(
    decision: Extract<ReplicaEffect, { kind: 'decide' }>,
    precommits: readonly Vote[],
    proposal: Proposal | undefined,
  ): ReplicaEffect[] {
    const out: ReplicaEffect[] = [decision];
    this.last = { height: decision.height, proposal, precommits, votes: this.machine.votes };
    this.previousHash = decision.blockHash;
    if (this.nextSet) {
      this.set = this.nextSet;
      this.nextSet = undefined;
    }
    this.machine = this.newMachine(decision.height + 1n);
    out.push(...this.after(this.machine.start()));
    const replay = this.buffered;
    this.buffered = [];
    for (const m of replay) out.push(...this.onMessage(m));
    return out;
  }
}

function ignored(reason: IgnoredReason): ReplicaEffect {
  return { kind: 'ignored', reason };
}
