/**
 * Algorithm 1 of "The latest gossip on BFT consensus" (Buchman, Kwon, Milosevic 2018) for one height,
 * as a pure, synchronous state machine: inputs are verified messages, fired timeouts and the
 * application's answers; outputs are effects (effects.ts). No clock, no I/O, no randomness, so the
 * simulator replays it exactly. Rule numbers below are the line numbers of Algorithm 1.
 *
 * Two deliberate relaxations, both safe because a block hash binds the block's bytes:
 * - rules 36 and 49 take the block's bytes from any proposal with that hash (the paper asks for the
 *   proposal of that very round; the value is the same);
 * - the proposal is authenticated by the proposer's signed prevote (types.ts), so the proposer enters
 *   the prevote step as it proposes instead of running rule 22 on its own message.
 */
import { bytesToHex, hexToBytes } from '../common/index.js';
import type { Effect, LockState, RoundOutcome } from './effects.js';
import { type Timeouts, timeoutFor } from './timeouts.js';
import {
  NIL_HASH,
  type Proposal,
  proposalVote,
  type Step,
  type Vote,
  type VoteAuthenticator,
} from './types.js';
import type { Member, ValidatorSet } from './validator-set.js';
import { NIL_HEX, VoteSet } from './vote-set.js';

export interface HeightMachineOptions {
  readonly set: ValidatorSet;
  readonly height: bigint;
  readonly previousHash: Uint8Array;
  readonly auth: VoteAuthenticator;
  readonly leader: (round: number) => Member;
  readonly timeouts: Timeouts;
  /** Lock and valid value persisted before a restart (same height). */
  readonly restore?: LockState;
}

/** Bytes of at most this many distinct proposals are kept per round (an equivocating leader's two). */
const MAX_PROPOSALS_PER_ROUND = 2;
/** Re-evaluation passes after one input; each pass that changes nothing ends the loop. */
const MAX_PASSES = 64;

type Validity = 'pending' | boolean;

export class HeightMachine {
  round = 0;
  step: Step = 'propose';
  decided = false;
  private lockedValue: string | undefined;
  private lockedRound = -1;
  private validValue: string | undefined;
  private validRound = -1;

  readonly votes: VoteSet;
  private readonly blocks = new Map<string, Uint8Array>();
  private readonly validity = new Map<string, Validity>();
  /** First proposal from the round's leader: the one rules 22 and 28 act on. */
  private readonly proposals = new Map<number, Proposal>();
  private readonly proposalCount = new Map<number, number>();
  private readonly proposalByHash = new Map<string, Proposal>();
  private readonly prevoteTimeoutDone = new Set<number>();
  private readonly proposeExtended = new Set<number>();
  private readonly precommitTimeoutDone = new Set<number>();
  private readonly lockDone = new Set<number>();
  private readonly myKey: string;
  private out: Effect[] = [];
  private progress = 0;
  /** A round has started (so starting another ends it). */
  private running = false;

  constructor(private readonly o: HeightMachineOptions) {
    this.votes = new VoteSet(o.set);
    this.myKey = bytesToHex(o.auth.publicKey);
    const l = o.restore;
    if (l && l.height === o.height) {
      if (l.lockedValue && l.lockedBytes) {
        this.lockedValue = this.known(l.lockedValue, l.lockedBytes);
        this.lockedRound = l.lockedRound;
      }
      if (l.validValue && l.validBytes) {
        this.validValue = this.known(l.validValue, l.validBytes);
        this.validRound = l.validRound;
      }
    }
  }

  /** A block this validator already judged valid before a restart. */
  private known(hash: Uint8Array, bytes: Uint8Array): string {
    const hex = bytesToHex(hash);
    this.blocks.set(hex, bytes);
    this.validity.set(hex, true);
    return hex;
  }

  get height(): bigint {
    return this.o.height;
  }

  get isMember(): boolean {
    return this.o.set.member(this.myKey) !== undefined;
  }

  /**
   * `round` > 0 resumes a height after a restart in a round this validator has not signed in yet, so
   * it can never sign two different votes for one slot (its persisted last-signed round, engine.ts).
   */
  start(round = 0): Effect[] {
    this.startRound(round);
    return this.flush();
  }

  /** A proposal whose embedded prevote is verified and from a member. */
  onProposal(p: Proposal): Effect[] {
    this.addVote(proposalVote(p));
    const hex = bytesToHex(p.blockHash);
    const fromLeader = bytesToHex(p.proposer) === this.o.leader(p.round).keyHex;
    if (!fromLeader || hex === NIL_HEX) return this.evaluate();
    // A re-proposal (validRound >= 0) repeats a known block in a new round: it is that round's proposal.
    if (!this.proposals.has(p.round)) this.proposals.set(p.round, p);
    if (this.proposalByHash.has(hex)) return this.evaluate();
    const count = this.proposalCount.get(p.round) ?? 0;
    if (count >= MAX_PROPOSALS_PER_ROUND) return this.evaluate();
    this.proposalCount.set(p.round, count + 1);
    this.proposalByHash.set(hex, p);
    this.blocks.set(hex, p.bytes);
    if (!this.validity.has(hex)) {
      this.validity.set(hex, 'pending');
      this.out.push({
        kind: 'validate',
        height: this.o.height,
        round: p.round,
        blockHash: p.blockHash,
        bytes: p.bytes,
      });
    }
    return this.evaluate();
  }

  /** A verified vote from a member. */
  onVote(v: Vote): Effect[] {
    this.addVote(v);
    return this.evaluate();
  }

  onTimeout(round: number, step: Step): Effect[] {
    if (!this.decided && round === this.round) {
      if (step === 'propose' && this.step === 'propose') this.onProposeTimeout(round);
      else if (step === 'prevote' && this.step === 'prevote') this.precommit(NIL_HEX);
      else if (step === 'precommit') this.startRound(round + 1);
    }
    return this.evaluate();
  }

  /**
   * Line 57 (prevote nil on timeoutPropose), except that a proposal received from the round's
   * leader and still being validated gets one more propose timeout: the timeout is about receiving
   * a proposal, and a large block that arrived in time must not be voted nil only because its
   * re-execution is slower than the timeout. Safety does not depend on when a prevote is cast.
   */
  private onProposeTimeout(round: number): void {
    const p = this.proposals.get(round);
    const pending = p !== undefined && this.validity.get(bytesToHex(p.blockHash)) === 'pending';
    if (pending && !this.proposeExtended.has(round)) {
      this.proposeExtended.add(round);
      this.schedule(round, 'propose');
      return;
    }
    this.prevote(NIL_HEX);
  }

  onBuilt(round: number, blockHash: Uint8Array, bytes: Uint8Array): Effect[] {
    const hex = bytesToHex(blockHash);
    if (
      !this.decided &&
      round === this.round &&
      this.step === 'propose' &&
      !this.proposals.has(round) &&
      this.o.leader(round).keyHex === this.myKey &&
      blockHash.length === 32 &&
      hex !== NIL_HEX
    ) {
      this.blocks.set(hex, bytes);
      this.validity.set(hex, true);
      this.propose(hex, -1);
    }
    return this.evaluate();
  }

  onValidated(blockHash: Uint8Array, verdict: 'valid' | 'invalid' | 'mismatch'): Effect[] {
    const hex = bytesToHex(blockHash);
    if (this.validity.get(hex) !== 'pending') return this.evaluate();
    const p = this.proposalByHash.get(hex);
    if (verdict === 'mismatch') {
      // Forget the corrupted copy so a correct one, re-sent by the proposer, can still be judged.
      this.validity.delete(hex);
      this.blocks.delete(hex);
      this.proposalByHash.delete(hex);
      if (p) {
        this.proposalCount.set(p.round, (this.proposalCount.get(p.round) ?? 1) - 1);
        if (this.proposals.get(p.round) === p) this.proposals.delete(p.round);
      }
      return this.evaluate();
    }
    this.validity.set(hex, verdict === 'valid');
    if (verdict === 'invalid' && p) {
      this.out.push({
        kind: 'invalid-proposal',
        height: this.o.height,
        round: p.round,
        proposer: bytesToHex(p.proposer),
      });
    }
    return this.evaluate();
  }

  /**
   * Re-gossip for lossy links (Tendermint's vote gossip): this round's proposal and every vote held
   * for it and the round before, plus the prevotes that justify `validValue`, so every honest validator eventually holds
   * what any one of them holds, which is what the algorithm's liveness assumes. Relaying signed votes
   * adds no trust.
   */
  retransmit(): Effect[] {
    if (this.decided) return [];
    const out: Effect[] = [];
    const p = this.proposals.get(this.round);
    if (p) out.push({ kind: 'broadcast', message: { kind: 'proposal', proposal: p } });
    // The previous round too: a validator that moved on (it saw 2f+1 precommits there) may hold the
    // very precommits the others lack to move on with it.
    const votes =
      this.round > 0 ? [...this.votes.all(this.round - 1), ...this.votes.all(this.round)] : this.votes.all(0);
    if (this.validValue !== undefined && this.validRound !== this.round) {
      votes.push(...this.votes.votes(this.validRound, 'prevote', this.validValue));
      const vp = this.proposalByHash.get(this.validValue);
      if (vp) out.push({ kind: 'broadcast', message: { kind: 'proposal', proposal: vp } });
    }
    for (const vote of votes) out.push({ kind: 'broadcast', message: { kind: 'vote', vote } });
    return out;
  }

  private lockState(): LockState {
    const lv = this.lockedValue;
    const vv = this.validValue;
    return {
      height: this.o.height,
      lockedRound: this.lockedRound,
      lockedValue: lv === undefined ? undefined : hexToBytes(lv),
      lockedBytes: lv === undefined ? undefined : this.blocks.get(lv),
      validRound: this.validRound,
      validValue: vv === undefined ? undefined : hexToBytes(vv),
      validBytes: vv === undefined ? undefined : this.blocks.get(vv),
    };
  }

  /** Lock and valid value, for diagnostics and tests. */
  get locks(): { lockedValue?: string; lockedRound: number; validValue?: string; validRound: number } {
    return {
      lockedValue: this.lockedValue?.slice(0, 8),
      lockedRound: this.lockedRound,
      validValue: this.validValue?.slice(0, 8),
      validRound: this.validRound,
    };
  }

  /** The proposal that carried a block, for relaying a decision to lagging peers. */
  proposalFor(hashHex: string): Proposal | undefined {
    return this.proposalByHash.get(hashHex);
  }

  private addVote(v: Vote): void {
    const r = this.votes.add(v);
    if (r.kind === 'conflict') this.out.push({ kind: 'equivocation', first: r.first, second: v });
  }

  private flush(): Effect[] {
    const out = this.out;
    this.out = [];
    return out;
  }

  private evaluate(): Effect[] {
    for (let pass = 0; pass < MAX_PASSES && !this.decided; pass++) {
      const before = this.progress;
      this.ruleDecide();
      if (this.decided) break;
      this.ruleSkipRound();
      this.ruleProposal();
      this.rulePrevoteTimeout();
      this.ruleLock();
      this.ruleNilPrecommit();
      this.rulePrecommitTimeout();
      if (this.progress === before) break;
    }
    return this.flush();
  }

  // Line 11: StartRound.
  private startRound(round: number): void {
    if (this.running) this.endRound(this.round, this.nilOrTimeout(this.round));
    this.running = true;
    this.round = round;
    this.step = 'propose';
    this.progress++;
    if (this.o.leader(round).keyHex === this.myKey) {
      if (this.validValue !== undefined) this.propose(this.validValue, this.validRound);
      else this.out.push({ kind: 'build', height: this.o.height, round, previousHash: this.o.previousHash });
    }
    // Also scheduled for the leader: if the application never answers `build`, the round still ends.
    this.schedule(round, 'propose');
  }

  private nilOrTimeout(round: number): RoundOutcome {
    return this.votes.hasQuorumFor(round, 'precommit', NIL_HEX) ? 'nil' : 'timeout';
  }

  private endRound(round: number, outcome: RoundOutcome): void {
    const voters = this.votes.voters(round);
    const absent = this.o.set.members.filter((m) => !voters.has(m.keyHex)).map((m) => m.keyHex);
    this.out.push({
      kind: 'round-ended',
      height: this.o.height,
      round,
      outcome,
      leader: this.o.leader(round).keyHex,
      absent,
    });
  }

  private propose(hex: string, validRound: number): void {
    const blockHash = hexToBytes(hex);
    const signature = this.o.auth.sign({
      height: this.o.height,
      round: this.round,
      type: 'prevote',
      blockHash,
    });
    const proposal: Proposal = {
      height: this.o.height,
      round: this.round,
      validRound,
      blockHash,
      bytes: this.blocks.get(hex)!,
      proposer: this.o.auth.publicKey,
      signature,
    };
    this.proposals.set(this.round, proposal);
    this.proposalCount.set(this.round, 1);
    this.proposalByHash.set(hex, proposal);
    this.addVote(proposalVote(proposal));
    const msg: Effect = { kind: 'broadcast', message: { kind: 'proposal', proposal } };
    this.out.push(msg);
    this.step = 'prevote';
    this.progress++;
  }

  private signVote(type: 'prevote' | 'precommit', hex: string): void {
    const blockHash = hex === NIL_HEX ? NIL_HASH : hexToBytes(hex);
    const signature = this.o.auth.sign({ height: this.o.height, round: this.round, type, blockHash });
    const vote: Vote = {
      height: this.o.height,
      round: this.round,
      type,
      blockHash,
      validator: this.o.auth.publicKey,
      signature,
    };
    // Only members vote; an observer runs the same rules to follow the chain.
    if (!this.isMember) return;
    this.addVote(vote);
    const msg: Effect = { kind: 'broadcast', message: { kind: 'vote', vote } };
    this.out.push(msg);
  }

  private prevote(hex: string): void {
    this.signVote('prevote', hex);
    this.step = 'prevote';
    this.progress++;
  }

  private precommit(hex: string): void {
    this.signVote('precommit', hex);
    this.step = 'precommit';
    this.progress++;
  }

  private schedule(round: number, step: Step): void {
    this.out.push({
      kind: 'schedule',
      height: this.o.height,
      round,
      step,
      delayMs: timeoutFor(this.o.timeouts, step, round),
    });
  }

  // Line 49: a quorum of precommits for a valid block at any round decides it.
  private ruleDecide(): void {
    for (const r of this.votes.roundsSeen()) {
      const hex = this.votes.quorumHash(r, 'precommit');
      if (hex === undefined) continue;
      const bytes = this.blocks.get(hex);
      if (bytes === undefined || this.validity.get(hex) !== true) continue;
      this.decided = true;
      this.progress++;
      this.endRound(r, 'committed');
      this.out.push({
        kind: 'decide',
        height: this.o.height,
        round: r,
        blockHash: hexToBytes(hex),
        bytes,
        precommits: this.votes.votes(r, 'precommit', hex),
      });
      return;
    }
  }

  // Line 55: f+1 messages from a higher round move this validator there.
  private ruleSkipRound(): void {
    let target = -1;
    for (const r of this.votes.roundsSeen()) {
      if (r > this.round && r > target && this.votes.hasOneThirdAt(r)) target = r;
    }
    if (target > this.round) this.startRound(target);
  }

  // Lines 22 and 28: prevote on the round leader's proposal.
  private ruleProposal(): void {
    if (this.step !== 'propose') return;
    const p = this.proposals.get(this.round);
    if (!p) return;
    const hex = bytesToHex(p.blockHash);
    const valid = this.validity.get(hex);
    if (valid === undefined || valid === 'pending') return;
    const vr = p.validRound;
    if (vr === -1) {
      this.prevote(valid && (this.lockedRound === -1 || this.lockedValue === hex) ? hex : NIL_HEX);
    } else if (vr >= 0 && vr < this.round && this.votes.hasQuorumFor(vr, 'prevote', hex)) {
      this.prevote(valid && (this.lockedRound <= vr || this.lockedValue === hex) ? hex : NIL_HEX);
    }
  }

  // Line 34.
  private rulePrevoteTimeout(): void {
    const r = this.round;
    if (this.step === 'prevote' && !this.prevoteTimeoutDone.has(r) && this.votes.hasQuorumAny(r, 'prevote')) {
      this.prevoteTimeoutDone.add(r);
      this.schedule(r, 'prevote');
    }
  }

  // Line 36: a quorum of prevotes for a valid block locks it (when still in prevote) and makes it valid.
  private ruleLock(): void {
    const r = this.round;
    if (this.step === 'propose' || this.lockDone.has(r)) return;
    const hex = this.votes.quorumHash(r, 'prevote');
    if (hex === undefined || !this.blocks.has(hex) || this.validity.get(hex) !== true) return;
    this.lockDone.add(r);
    const locking = this.step === 'prevote';
    if (locking) {
      this.lockedValue = hex;
      this.lockedRound = r;
    }
    this.validValue = hex;
    this.validRound = r;
    // Before the precommit: the host persists the lock ahead of publishing it.
    this.out.push({ kind: 'lock', lock: this.lockState() });
    if (locking) this.precommit(hex);
    this.progress++;
  }

  // Line 44.
  private ruleNilPrecommit(): void {
    if (this.step === 'prevote' && this.votes.hasQuorumFor(this.round, 'prevote', NIL_HEX))
      this.precommit(NIL_HEX);
  }

  // Line 47.
  private rulePrecommitTimeout(): void {
    const r = this.round;
    if (!this.precommitTimeoutDone.has(r) && this.votes.hasQuorumAny(r, 'precommit')) {
      this.precommitTimeoutDone.add(r);
      this.schedule(r, 'precommit');
    }
  }
}
