/**
 * Reputation as this validator observes it: up for timely correct votes (a precommit in a finality
 * certificate) and proposals that became final, down for missed rounds, invalid proposals and
 * equivocation. Persistent unavailability is recorded once a validator misses
 * `unavailableAfter` rounds in a row. Persisted under `consensus/reputation`:
 *
 *   version u8 (= 1) | count u16 | count x (key [32] | score u32 | missed u32 | streak u32 | unavailable u32)
 *
 * These are local observations: leader weights need an agreed value (ValidatorInfo.reputation), so
 * the node publishes or agrees a snapshot at epoch boundaries rather than feeding this in directly.
 */
import { bytesToHex, hexToBytes } from '../common/index.js';
import { consensusReader, consensusWriter } from './codec.js';
import type { KeyValue } from './kv.js';

const KEY = 'consensus/reputation';
const VERSION = 1;

export interface ReputationOptions {
  readonly initial?: number;
  readonly max?: number;
  readonly unavailableAfter?: number;
}

export const REPUTATION_DELTAS = {
  vote: 1,
  proposal: 2,
  missedRound: -2,
  invalidProposal: -25,
  equivocation: -500,
} as const;

export interface ReputationEntry {
  score: number;
  missedRounds: number;
  streak: number;
  unavailable: number;
}

export class ReputationTracker {
  private readonly entries = new Map<string, ReputationEntry>();
  private readonly initial: number;
  private readonly max: number;
  private readonly unavailableAfter: number;

  constructor(
    private readonly kv: KeyValue | undefined,
    o: ReputationOptions = {},
  ) {
    this.initial = o.initial ?? 100;
    this.max = o.max ?? 1000;
    this.unavailableAfter = o.unavailableAfter ?? 10;
  }

  async load(): Promise<void> {
    const raw = await this.kv?.get(KEY);
    if (!raw) return;
    const r = consensusReader(raw, 'reputation');
    if (r.u8() !== VERSION) return; // an unknown layout starts fresh rather than failing the node
    const n = r.u16();
    for (let i = 0; i < n; i++) {
      const key = bytesToHex(r.bytes(32));
      this.entries.set(key, { score: r.u32(), missedRounds: r.u32(), streak: r.u32(), unavailable: r.u32() });
    }
    r.end();
  }

  async persist(): Promise<void> {
    if (!this.kv) return;
    const w = consensusWriter('reputation').u8(VERSION).u16(this.entries.size);
    for (const [k, e] of [...this.entries].sort(([a], [b]) => (a < b ? -1 : 1))) {
      w.fixed(hexToBytes(k), 32, 'key').u32(e.score).u32(e.missedRounds).u32(e.streak).u32(e.unavailable);
    }
    // Not synced: losing the last few updates on a crash is harmless, and decisions are frequent.
    await this.kv.put(KEY, w.finish(), { sync: false });
  }

  get(keyHex: string): Readonly<ReputationEntry> {
    return this.entry(keyHex);
  }

  score(keyHex: string): number {
    return this.entry(keyHex).score;
  }

  all(): ReadonlyMap<string, Readonly<ReputationEntry>> {
    return this.entries;
  }

  /** A round ended: members with no vote in it missed it; the others are seen alive. */
  roundEnded(absent: readonly string[], members: readonly string[]): void {
    const gone = new Set(absent);
    for (const k of members) {
      const e = this.entry(k);
      if (!gone.has(k)) {
        e.streak = 0;
        continue;
      }
      e.missedRounds++;
      e.streak++;
      if (e.streak === this.unavailableAfter) e.unavailable++;
      this.add(e, REPUTATION_DELTAS.missedRound);
    }
  }

  decided(signers: readonly string[], proposer: string | undefined): void {
    for (const k of signers) this.add(this.entry(k), REPUTATION_DELTAS.vote);
    if (proposer) this.add(this.entry(proposer), REPUTATION_DELTAS.proposal);
  }

  invalidProposal(proposer: string): void {
    this.add(this.entry(proposer), REPUTATION_DELTAS.invalidProposal);
  }

  equivocated(validator: string): void {
    this.add(this.entry(validator), REPUTATION_DELTAS.equivocation);
  }

  private add(e: ReputationEntry, delta: number): void {
    e.score = Math.max(0, Math.min(this.max, e.score + delta));
  }

  private entry(keyHex: string): ReputationEntry {
    let e = this.entries.get(keyHex);
    if (!e) {
      e = { score: this.initial, missedRounds: 0, streak: 0, unavailable: 0 };
      this.entries.set(keyHex, e);
    }
    return e;
  }
}
