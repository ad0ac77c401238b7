/**
 * Coordinator election by leases. The primary holds a lease granted by a majority of the active
 * validators (by head count) and renews it with every heartbeat; it acts (anchors, relays) only
 * while the lease it last renewed is unexpired by its own clock. A validator grants a lease for a
 * term to one candidate at a time, and to another only once the previous grant is `leaseMs` old, so
 * two primaries can never both hold a valid lease: the old one's expiry (counted from before its
 * request) precedes every granter's (counted from their grant). A partitioned or paused primary
 * cannot renew and stops acting when its lease runs out; candidates stand after `leaseMs` without a
 * heartbeat, the best priority first, and the next term begins.
 */
import { bytesEqual, bytesToHex, createLogger, type Lifecycle, type Logger } from '../common/index.js';
import type { KeyValue } from '../consensus/index.js';
import type { DirectRouter } from '../network/index.js';
import { type RosterEntry, type ValidatorSigner, verifyCoordination } from '../validator/index.js';
import {
  type CoordinatorSnapshot,
  decodeLeaseAnswer,
  decodeLeaseRequest,
  LEASE_KINDS,
  type LeaseAnswer,
  type LeaseRequest,
  leaseAnswerBody,
  leaseRequestBody,
} from './lease-messages.js';
import type { CoordinatorMetrics } from './metrics.js';

export type CoordinatorRole = 'primary' | 'candidate' | 'passive';

export interface ElectionOptions {
  readonly signer: ValidatorSigner;
  readonly router: DirectRouter;
  /** Sends one DIRECT request to a peer and returns the answer body (undefined: no answer). */
  readonly ask: (
    peerId: string,
    kind: number,
    body: Uint8Array,
    timeoutMs: number,
  ) => Promise<Uint8Array | undefined>;
  /** The active validators (cached; refreshed by the caller). */
  readonly roster: () => readonly RosterEntry[];
  readonly candidate: boolean;
  readonly priority: number;
  /** How long a grant lasts. Default 1,500 ms. */
  readonly leaseMs?: number;
  /** Heartbeat (renewal) interval of the primary. Default leaseMs / 5. */
  readonly heartbeatMs?: number;
  /** Extra wait per better-ranked candidate before standing. Default leaseMs / 2. */
  readonly rankStepMs?: number;
  readonly snapshot: () => Omit<CoordinatorSnapshot, 'successors'>;
  readonly onSnapshot?: (s: CoordinatorSnapshot, from: string) => void;
  readonly onRole?: (role: CoordinatorRole, term: bigint) => void;
  /** Persists the highest term promised, so a restarted validator never grants one term twice. */
  readonly store?: KeyValue;
  readonly metrics: CoordinatorMetrics;
  readonly logger?: Logger;
  readonly now?: () => number;
}

const PROMISE_KEY = 'coordinator/promised-term';

export class CoordinatorElection implements Lifecycle {
  private readonly log: Logger;
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  private readonly myHex: string;
  roleValue: CoordinatorRole = 'passive';
  term = 0n;
  private seq = 0n;
  private leaseUntil = 0;
  private inFlight = 0;
  private nextRenewAt = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private unregister: (() => void) | undefined;
  /** Granter state: the newest term promised, to whom, when (ms), and the last sequence seen. */
  private promised = { term: 0n, to: '', at: 0, seq: 0n };
  private lastHeartbeatAt: number;
  private primaryHex = '';
  private successors: (readonly [string, number])[] = [];
  private readonly candidacies = new Map<string, number>();
  private stopped = true;
  private standJitter: number | undefined;
  private seenTerm = 0n;

  constructor(private readonly o: ElectionOptions) {
    this.log = o.logger ?? createLogger('coordinator.election');
    this.now = o.now ?? (() => Date.now());
    this.leaseMs = o.leaseMs ?? 1_500;
    this.heartbeatMs = o.heartbeatMs ?? Math.floor(this.leaseMs / 5);
    this.myHex = bytesToHex(o.signer.publicKey);
    // Started (or restarted): behave as if a lease was just granted, so nobody is granted twice.
    this.lastHeartbeatAt = this.now();
  }

  get role(): CoordinatorRole {
    return this.roleValue;
  }

  /** The known primary's key (hex), or '' when none is known. */
  get primary(): string {
    return this.isPrimary() ? this.myHex : this.primaryHex;
  }

  /** True only while this node holds an unexpired lease: the gate of every coordinator action. */
  isPrimary(): boolean {
    return this.roleValue === 'primary' && this.now() < this.leaseUntil;
  }

  /** Milliseconds since the last valid heartbeat this node saw (its own as primary). */
  get heartbeatAgeMs(): number {
    return this.isPrimary() ? 0 : this.now() - this.lastHeartbeatAt;
  }

  async start(): Promise<void> {
    if (!this.stopped) return;
    const raw = await this.o.store?.get(PROMISE_KEY);
    if (raw && raw.length === 8) {
      const term = new DataView(raw.buffer, raw.byteOffset, 8).getBigUint64(0, true);
      // Whoever we last granted may still hold that lease: grant nobody else for a lease length.
      this.promised = { term, to: '?', at: this.now(), seq: 0n };
      this.term = term;
    }
    this.stopped = false;
    this.unregister = this.o.router.on(LEASE_KINDS.request, (body, from) => this.onRequest(body, from));
    const tick = () => {
      if (this.stopped) return;
      this.ticking = this.tick()
        .catch((err: unknown) => this.log.warn({ err }, 'election tick failed'))
        .finally(() => {
          this.ticking = undefined;
          if (!this.stopped) this.timer = setTimeout(tick, Math.min(100, this.heartbeatMs));
        });
    };
    this.timer = setTimeout(tick, 50);
    this.publishRole();
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.unregister?.();
    this.unregister = undefined;
    await this.ticking;
    if (this.roleValue !== 'passive') this.setRole('passive', 'stopped');
  }

  private async tick(): Promise<void> {
    const now = this.now();
    this.o.metrics.heartbeatAge.set(this.heartbeatAgeMs / 1000);
    if (this.roleValue === 'primary') {
      if (now >= this.leaseUntil) {
        this.setRole('passive', 'lease expired without a majority renewal');
        return;
      }
      if (now >= this.nextRenewAt) void this.round();
      return;
    }
    if (!this.o.candidate || this.inFlight > 0) return;
    const rank = this.successors.findIndex(([k]) => k === this.myHex);
    const better = rank >= 0 ? rank : this.successors.filter(([, p]) => p > this.o.priority).length;
    const step = this.o.rankStepMs ?? this.leaseMs / 2;
    // Jitter splits candidates of equal rank, which would otherwise collide in every term.
    this.standJitter ??= Math.random() * (step / 2);
    const waitMs = this.leaseMs + better * step + this.standJitter;
    if (now - this.lastHeartbeatAt < waitMs) return;
    if (now - this.promised.at < this.leaseMs && this.promised.to !== this.myHex && this.promised.to !== '')
      return;
    this.standJitter = undefined;
    const before = { ...this.promised };
    const base = [this.promised.term, this.term, this.seenTerm].reduce((a, b) => (a > b ? a : b));
    this.term = base + 1n;
    this.seq = 0n;
    this.setRole('candidate', 'no heartbeat');
    await this.round();
    if ((this.roleValue as CoordinatorRole) !== 'primary') {
      // Lost (or split): withdraw our self-promise, so it does not block the primary the others
      // elected, and back off a lease before standing again.
      if (this.promised.to === this.myHex) this.promised = before;
      this.lastHeartbeatAt = this.now();
      this.setRole('passive', 'not elected');
    }
  }

  /** One lease round: ask every active validator (and ourselves) to grant or renew this term. */
  private async round(): Promise<void> {
    // Renewals overlap (a slow round must not delay the next heartbeat); a few at most.
    if (this.inFlight >= 3) return;
    this.inFlight++;
    const sentAt = this.now();
    this.nextRenewAt = sentAt + this.heartbeatMs;
    try {
      const roster = this.o.roster();
      const request: LeaseRequest = {
        term: this.term,
        seq: ++this.seq,
        candidate: this.o.signer.publicKey,
        priority: this.o.priority,
        snapshot: { ...this.o.snapshot(), successors: this.rankedSuccessors() },
      };
      const body = leaseRequestBody(request);
      const wire = concat(body, this.o.signer.signCoordination(body));
      const self = this.grant(request, this.myHex);
      const others = roster.filter((e) => bytesToHex(e.publicKey) !== this.myHex && e.endpoints);
      const answers = await Promise.all(
        others.map(async (e) => {
          const res = await this.o
            .ask(e.endpoints!.peerId, LEASE_KINDS.request, wire, Math.max(200, Math.floor(this.leaseMs / 2)))
            .catch(() => undefined);
          if (!res) return undefined;
          try {
            const { answer, body: ab, signature } = decodeLeaseAnswer(res);
            if (!bytesEqual(answer.granter, e.publicKey)) return undefined;
            if (!verifyCoordination(this.o.signer.domain, ab, signature, e.publicKey)) return undefined;
            return answer;
          } catch {
            return undefined;
          }
        }),
      );
      let granted = self.granted ? 1 : 0;
      for (const a of answers) {
        if (!a) continue;
        if (a.candidacy >= 0) this.candidacies.set(bytesToHex(a.granter), a.candidacy);
        // A higher term seen (a losing candidate's, or a newer primary's) only raises the term we
        // would stand with next; holding the lease is decided by the grants alone.
        if (a.highestTerm > this.seenTerm) this.seenTerm = a.highestTerm;
        if (
          a.granted &&
          a.term === request.term &&
          a.seq === request.seq &&
          bytesEqual(a.candidate, request.candidate)
        )
          granted++;
      }
      if (this.o.candidate) this.candidacies.set(this.myHex, this.o.priority);
      const n = Math.max(roster.length, 1);
      if (granted * 2 > n && request.term === this.term) {
        // Counted from before the request left: every granter's promise outlasts it.
        const until = sentAt + this.leaseMs - Math.max(100, Math.floor(this.leaseMs / 5));
        if (until > this.leaseUntil) this.leaseUntil = until;
        if (this.roleValue !== 'primary') {
          this.o.metrics.failovers.inc();
          this.setRole('primary', `lease granted by ${granted} of ${n}`);
        }
      }
    } finally {
      this.inFlight--;
    }
  }

  private rankedSuccessors(): [string, number][] {
    return [...this.candidacies.entries()]
      .filter(([k]) => k !== this.myHex)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  }

  /** The granter's rule, applied to requests from peers and to our own. */
  private grant(r: LeaseRequest, fromHex: string): { granted: boolean; reason: string } {
    const now = this.now();
    const p = this.promised;
    if (r.term < p.term) return { granted: false, reason: 'stale_term' };
    if (r.term === p.term && p.to === fromHex) {
      if (r.seq <= p.seq) return { granted: false, reason: 'replay' };
    } else if (r.term === p.term) {
      return { granted: false, reason: 'term_taken' };
    } else if (p.to !== fromHex && p.to !== '' && now - p.at < this.leaseMs) {
      return { granted: false, reason: 'lease_held' };
    } else if (fromHex !== this.myHex && this.isPrimary()) {
      return { granted: false, reason: 'lease_held' };
    }
    if (r.term > p.term && fromHex !== this.myHex) this.persist(r.term);
    this.promised = { term: r.term, to: fromHex, at: now, seq: r.seq };
    return { granted: true, reason: 'granted' };
  }

  private persist(term: bigint): void {
    const raw = new Uint8Array(8);
    new DataView(raw.buffer).setBigUint64(0, term, true);
    this.o.store?.put(PROMISE_KEY, raw, { sync: true }).catch((err: unknown) => {
      this.o.metrics.heartbeats.inc({ outcome: 'persist_failed' });
      this.log.error({ err }, 'promised term not persisted');
    });
  }

  private async onRequest(body: Uint8Array, from: string): Promise<{ kind: number; body: Uint8Array }> {
    const { request, body: signed, signature } = decodeLeaseRequest(body);
    const fromHex = bytesToHex(request.candidate);
    const known = this.o.roster().find((e) => bytesEqual(e.publicKey, request.candidate));
    let verdict: { granted: boolean; reason: string };
    if (!known || known.endpoints?.peerId !== from) verdict = { granted: false, reason: 'foreign' };
    else if (!verifyCoordination(this.o.signer.domain, signed, signature, request.candidate))
      verdict = { granted: false, reason: 'bad_signature' };
    else verdict = this.grant(request, fromHex);
    this.o.metrics.heartbeats.inc({ outcome: verdict.reason });
    if (verdict.granted) {
      this.lastHeartbeatAt = this.now();
      this.primaryHex = fromHex;
      this.successors = [...request.snapshot.successors];
      if (request.term > this.term || this.roleValue !== 'passive') {
        this.term = request.term;
        if (this.roleValue !== 'passive') this.setRole('passive', 'granted another candidate');
      }
      this.o.onSnapshot?.(request.snapshot, fromHex);
    } else if (verdict.reason !== 'replay') {
      this.log.debug({ peer: from, reason: verdict.reason, term: `${request.term}` }, 'lease refused');
    }
    const answer: LeaseAnswer = {
      granted: verdict.granted,
      term: request.term,
      seq: request.seq,
      highestTerm: this.promised.term > this.term ? this.promised.term : this.term,
      granter: this.o.signer.publicKey,
      candidate: request.candidate,
      candidacy: this.o.candidate ? this.o.priority : -1,
    };
    const ab = leaseAnswerBody(answer);
    return { kind: LEASE_KINDS.answer, body: concat(ab, this.o.signer.signCoordination(ab)) };
  }

  private setRole(role: CoordinatorRole, why: string): void {
    if (role === this.roleValue) return;
    const was = this.roleValue;
    this.roleValue = role;
    if (role !== 'primary') this.leaseUntil = 0;
    this.log.info({ role, was, term: `${this.term}`, why }, 'coordinator role');
    this.publishRole();
  }

  private publishRole(): void {
    this.o.metrics.term.set(Number(this.term));
    this.o.onRole?.(this.roleValue, this.term);
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}
