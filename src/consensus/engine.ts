/**
 * ConsensusEngine: the replica under real I/O. Gossip on the `consensus` topic feeds it, real timers
 * fire its timeouts, and one serial queue runs the application's calls (build, validate, commit) so
 * a height's commit always completes before the next height's blocks are built or validated.
 * Evidence is stored, counted, gossiped on the `evidence` topic and handed to `onEvidence` (the node
 * submits it to the program's `slash` instruction).
 */

import { sha256 } from '@noble/hashes/sha2.js';
import type { Registry } from 'prom-client';
import { bytesToHex, createLogger, type Lifecycle, type Logger } from '../common/index.js';
import type { GossipPurpose, NetworkMessage } from '../network/index.js';
import { encodeCertificate, type QuorumCertificate } from './certificate.js';
import { ConsensusError, isConsensusError } from './errors.js';
import {
  decodeEvidence,
  type Equivocation,
  encodeEvidence,
  equivocation,
  verifyEvidence,
} from './evidence.js';
import { EvidenceStore } from './evidence-store.js';
import type { KeyValue } from './kv.js';
import { type ConsensusMetrics, consensusMetrics } from './metrics.js';
import { Replica, type ReplicaEffect, type ReplicaInput } from './replica.js';
import { ReputationTracker } from './reputation.js';
import { SignState } from './sign-state.js';
import type { Timeouts } from './timeouts.js';
import { NIL_HASH, type Vote, type VoteAuthenticator } from './types.js';
import type { ValidatorSet } from './validator-set.js';
import { fromNetworkMessage, toNetworkMessage } from './wire.js';

/** What consensus orders: the ledger implements it (structurally). */
export interface ConsensusApplication {
  buildProposal(
    height: bigint,
    round: number,
    previousHash: Uint8Array,
  ): Promise<{ hash: Uint8Array; bytes: Uint8Array }>;
  validateProposal(
    height: bigint,
    round: number,
    bytes: Uint8Array,
  ): Promise<{ ok: true; hash: Uint8Array } | { ok: false; reason: string }>;
  commit(height: bigint, bytes: Uint8Array, certificate: Uint8Array): Promise<void>;
}

/** The part of NetworkNode the engine uses. */
export interface ConsensusNetwork {
  publish(purpose: GossipPurpose, msg: NetworkMessage): Promise<number>;
  onGossip(purpose: GossipPurpose, handler: (msg: NetworkMessage, from: string) => void): () => void;
}

export interface Decision {
  readonly height: bigint;
  readonly round: number;
  readonly blockHash: Uint8Array;
  readonly bytes: Uint8Array;
  readonly certificate: QuorumCertificate;
  /** ms from the decision to the end of its commit (queue wait included): a latency stage. */
  readonly commitMs?: number;
}

export interface ConsensusEngineOptions {
  readonly network: ConsensusNetwork;
  readonly auth: VoteAuthenticator;
  readonly validators: ValidatorSet;
  readonly application: ConsensusApplication;
  /** The next height to decide and the hash of the block before it. */
  readonly height: bigint;
  readonly previousHash: Uint8Array;
  /** Evidence and reputation persistence (src/storage's MetaStore fits). */
  readonly store?: KeyValue;
  readonly registry?: Registry;
  readonly logger?: Logger;
  readonly timeouts?: Timeouts;
  /** Re-gossip interval of the current round's messages. Default 1 000 ms. */
  readonly tickMs?: number;
  readonly onEvidence?: (evidence: Equivocation, bytes: Uint8Array) => void;
  readonly onDecided?: (decision: Decision) => void;
  /** Block sync: a finalized block and its certificate at `height`, if a peer has it. */
  /**
   * Fault injection for tests of the evidence path only: from this height on, this node's next five
   * prevotes for a block are each followed by a second, conflicting prevote (equivocations).
   */
  readonly equivocateFromHeight?: bigint;
  readonly catchUp?: (
    height: bigint,
  ) => Promise<{ bytes: Uint8Array; certificate: QuorumCertificate } | undefined>;
}

/** Catch-up fetches per trigger, at most (one per missing height). */
const MAX_CATCH_UP = 64;

export class ConsensusEngine implements Lifecycle {
  private replica: Replica;
  private readonly signState: SignState;
  private readonly myKey: string;
  private readonly metrics: ConsensusMetrics | undefined;
  private readonly logger: Logger;
  private readonly evidence: EvidenceStore | undefined;
  readonly reputation: ReputationTracker;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly unsubscribe: (() => void)[] = [];
  private appQueue: Promise<void> = Promise.resolve();
  // 'halted': a commit failed; it decides nothing more, but stop() still releases what start() took.
  private state: 'new' | 'running' | 'halted' | 'stopped' = 'new';
  private catchingUp = false;
  private failure: unknown;
  private equivocations = 0;

  constructor(private readonly o: ConsensusEngineOptions) {
    this.replica = new Replica({
      validators: o.validators,
      auth: o.auth,
      height: o.height,
      previousHash: o.previousHash,
      timeouts: o.timeouts,
    });
    this.metrics = o.registry ? consensusMetrics(o.registry) : undefined;
    this.logger = o.logger ?? createLogger('consensus');
    this.evidence = o.store ? new EvidenceStore(o.store) : undefined;
    this.reputation = new ReputationTracker(o.store);
    this.signState = new SignState(o.store);
    this.myKey = bytesToHex(o.auth.publicKey);
  }

  get height(): bigint {
    return this.replica.height;
  }

  get round(): number {
    return this.replica.round;
  }

  /** The validator set deciding the current height. */
  get validators(): ValidatorSet {
    return this.replica.validators;
  }

  /** A new validator set (epoch boundary, read from the chain): takes effect from the next height on. */
  setNextValidators(set: ValidatorSet): void {
    this.replica.setNextValidators(set);
  }

  /** The first error that stopped the engine (an application commit that failed), if any. */
  get failed(): unknown {
    return this.failure;
  }

  async start(): Promise<void> {
    if (this.state !== 'new') throw new ConsensusError('ENGINE_STATE', `cannot start a ${this.state} engine`);
    await this.reputation.load();
    const signed = await this.signState.load();
    const lock = await this.signState.loadLock();
    if (signed && signed.height === this.o.height) {
      // Restarted inside a height it already signed in: resume past every round it may have voted
      // in, holding the lock it had.
      this.replica = new Replica({
        validators: this.o.validators,
        auth: this.o.auth,
        height: this.o.height,
        previousHash: this.o.previousHash,
        timeouts: this.o.timeouts,
        startRound: signed.round + 1,
        restore: lock?.height === this.o.height ? lock : undefined,
      });
    }
    this.state = 'running';
    this.unsubscribe.push(this.o.network.onGossip('consensus', (m) => this.onConsensusGossip(m)));
    this.unsubscribe.push(this.o.network.onGossip('evidence', (m) => this.onEvidenceGossip(m)));
    const tick = setInterval(() => this.feed({ kind: 'tick' }), this.o.tickMs ?? 1_000);
    tick.unref();
    this.timers.add(tick);
    this.apply(this.replica.start());
  }

  async stop(): Promise<void> {
    // Before start there is nothing to release, and persisting would overwrite the saved reputation.
    if (this.state === 'new' || this.state === 'stopped') return;
    this.state = 'stopped';
    for (const u of this.unsubscribe) u();
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    // Application calls already started finish; their answers are dropped.
    await this.appQueue;
    await this.reputation
      .persist()
      .catch((err: unknown) => this.logger.warn({ err }, 'reputation not saved'));
  }

  private feed(input: ReplicaInput): void {
    if (this.state !== 'running') return;
    this.apply(this.replica.handle(input));
  }

  private apply(effects: readonly ReplicaEffect[]): void {
    for (const e of effects) {
      switch (e.kind) {
        case 'broadcast': {
          const m = e.message;
          const signer = m.kind === 'vote' ? m.vote.validator : m.proposal.proposer;
          const wire = toNetworkMessage(m);
          if (bytesToHex(signer) !== this.myKey) {
            this.publish('consensus', wire);
            break;
          }
          const pos = m.kind === 'vote' ? m.vote : m.proposal;
          this.signState
            .gate({ height: pos.height, round: pos.round }, () => this.publish('consensus', wire))
            .catch((err: unknown) =>
              this.logger.error({ err }, 'last-signed round not persisted; vote withheld'),
            );
          if (m.kind === 'vote') this.maybeEquivocate(m.vote);
          break;
        }
        case 'schedule': {
          const t = setTimeout(() => {
            this.timers.delete(t);
            this.feed({ kind: 'timeout', height: e.height, round: e.round, step: e.step });
          }, e.delayMs);
          this.timers.add(t);
          break;
        }
        case 'build':
          this.enqueue('build', async () => {
            const t0 = performance.now();
            const b = await this.o.application.buildProposal(e.height, e.round, e.previousHash);
            // Info: one line per block cohort-wide, and it says who proposed (fault tests read it).
            this.logger.info(
              {
                height: `${e.height}`,
                round: e.round,
                ms: Math.round(performance.now() - t0),
                bytes: b.bytes.length,
              },
              'proposal built',
            );
            if (b.hash.length !== 32 || bytesToHex(b.hash) === bytesToHex(NIL_HASH)) {
              throw new ConsensusError('APPLICATION_FAILED', 'block hash must be 32 bytes and not all zero');
            }
            this.feed({ kind: 'built', height: e.height, round: e.round, blockHash: b.hash, bytes: b.bytes });
          });
          break;
        case 'validate':
          this.enqueue('validate', async () => {
            let v: Awaited<ReturnType<ConsensusApplication['validateProposal']>>;
            const t0 = performance.now();
            try {
              v = await this.o.application.validateProposal(e.height, e.round, e.bytes);
              this.logger.debug(
                { height: `${e.height}`, round: e.round, ms: Math.round(performance.now() - t0), ok: v.ok },
                'proposal validated',
              );
            } catch (err) {
              // Not a verdict on the block: forget this copy so a re-sent one is validated again.
              this.feed({ kind: 'validated', height: e.height, blockHash: e.blockHash, verdict: 'mismatch' });
              throw err;
            }
            const verdict = !v.ok
              ? 'invalid'
              : bytesToHex(v.hash) === bytesToHex(e.blockHash)
                ? 'valid'
                : 'mismatch';
            if (!v.ok)
              this.logger.info(
                { height: `${e.height}`, round: e.round, reason: v.reason },
                'invalid proposal',
              );
            this.feed({ kind: 'validated', height: e.height, blockHash: e.blockHash, verdict });
          });
          break;
        case 'decide':
          this.onDecide(e);
          break;
        case 'equivocation':
          this.onEquivocation(equivocation(e.first, e.second), 'detected');
          break;
        case 'round-ended':
          if (e.outcome !== 'committed')
            this.logger.debug(
              { height: `${e.height}`, round: e.round, outcome: e.outcome, absent: e.absent.length },
              'round ended without a decision',
            );
          this.metrics?.rounds.inc({ outcome: e.outcome });
          this.reputation.roundEnded(
            e.absent,
            this.replica.validators.members.map((m) => m.keyHex),
          );
          break;
        case 'lock':
          this.signState
            .persistLock(e.lock)
            .catch((err: unknown) => this.logger.error({ err }, 'lock not persisted; votes withheld'));
          break;
        case 'invalid-proposal':
          this.reputation.invalidProposal(e.proposer);
          break;
        case 'ignored':
          this.metrics?.ignored.inc({ reason: e.reason });
          break;
      }
    }
    this.metrics?.height.set(Number(this.replica.height));
    this.metrics?.round.set(this.replica.round);
    this.metrics?.validators.set(this.replica.validators.size);
  }

  private maybeEquivocate(vote: Vote): void {
    const from = this.o.equivocateFromHeight;
    // A few times: a node that just restarted may vote at a height the others have left behind,
    // where nobody would see the conflict.
    if (from === undefined || this.equivocations >= 5 || vote.height < from || vote.type !== 'prevote')
      return;
    if (bytesToHex(vote.blockHash) === bytesToHex(NIL_HASH)) return;
    this.equivocations++;
    const blockHash = sha256(vote.blockHash);
    const signature = this.o.auth.sign({ ...vote, blockHash });
    this.logger.warn({ height: `${vote.height}`, round: vote.round }, 'fault injection: equivocating');
    this.publish('consensus', toNetworkMessage({ kind: 'vote', vote: { ...vote, blockHash, signature } }));
  }

  private onDecide(e: Extract<ReplicaEffect, { kind: 'decide' }>): void {
    const decision: Decision = {
      height: e.height,
      round: e.round,
      blockHash: e.blockHash,
      bytes: e.bytes,
      certificate: e.certificate,
    };
    this.metrics?.decided.inc();
    this.reputation.decided(
      e.certificate.signatures.map((s) => bytesToHex(s.validator)),
      e.proposer,
    );
    for (const [k, r] of this.reputation.all()) this.metrics?.reputation.set({ validator: k }, r.score);
    const decidedAt = performance.now();
    this.enqueue('commit', async () => {
      const t0 = performance.now();
      await this.o.application.commit(e.height, e.bytes, encodeCertificate(e.certificate));
      this.logger.debug({ height: `${e.height}`, ms: Math.round(performance.now() - t0) }, 'block committed');
      await this.reputation.persist();
      this.o.onDecided?.({ ...decision, commitMs: performance.now() - decidedAt });
    });
  }

  private onEquivocation(ev: Equivocation, source: 'detected' | 'gossip'): void {
    this.reputation.equivocated(bytesToHex(ev.a.validator));
    const bytes = encodeEvidence(ev);
    const store = this.evidence;
    const report = (isNew: boolean) => {
      if (!isNew) return;
      this.metrics?.evidence.inc({ source });
      this.logger.warn(
        { validator: bytesToHex(ev.a.validator), height: `${ev.a.height}`, round: ev.a.round },
        'equivocation',
      );
      if (source === 'detected') this.publish('evidence', { type: 'EVIDENCE', body: bytes });
      this.o.onEvidence?.(ev, bytes);
    };
    if (!store) {
      report(true);
      return;
    }
    store.record(ev).then(report, (err: unknown) => this.logger.error({ err }, 'evidence not stored'));
  }

  private onConsensusGossip(m: NetworkMessage): void {
    let msg: ReturnType<typeof fromNetworkMessage>;
    try {
      msg = fromNetworkMessage(m);
    } catch (err) {
      if (!isConsensusError(err)) throw err;
      this.metrics?.ignored.inc({ reason: 'malformed' });
      return;
    }
    if (!msg) return;
    const h = msg.kind === 'vote' ? msg.vote.height : msg.proposal.height;
    if (h >= this.replica.height + 2n) this.catchUp();
    this.feed({ kind: 'message', message: msg });
  }

  private onEvidenceGossip(m: NetworkMessage): void {
    if (m.type !== 'EVIDENCE') return;
    try {
      const ev = decodeEvidence(m.body);
      verifyEvidence(ev, this.replica.validators, this.o.auth);
      this.onEquivocation(ev, 'gossip');
    } catch (err) {
      if (!isConsensusError(err)) throw err;
      this.metrics?.ignored.inc({ reason: 'bad_evidence' });
    }
  }

  /** Fetches finalized blocks one height at a time while peers are two or more heights ahead. */
  private catchUp(): void {
    const fetch = this.o.catchUp;
    if (!fetch || this.catchingUp) return;
    this.catchingUp = true;
    void (async () => {
      try {
        for (let i = 0; i < MAX_CATCH_UP && this.state === 'running'; i++) {
          const got = await fetch(this.replica.height);
          if (!got) break;
          const before = this.replica.height;
          this.feed({ kind: 'certified', bytes: got.bytes, certificate: got.certificate });
          if (this.replica.height === before) break;
          // Applied before the next one is judged: a block can schedule the set that certifies a later one.
          await this.appQueue;
        }
      } catch (err) {
        this.logger.warn({ err }, 'catch-up failed');
      } finally {
        this.catchingUp = false;
      }
    })();
  }

  private publish(purpose: GossipPurpose, msg: NetworkMessage): void {
    this.o.network.publish(purpose, msg).catch((err: unknown) => {
      // No peers yet (or a closing network): re-gossip on the next tick covers it.
      this.logger.debug({ err, purpose }, 'publish failed');
    });
  }

  private enqueue(what: string, job: () => Promise<void>): void {
    this.appQueue = this.appQueue.then(async () => {
      if (this.state !== 'running') return;
      try {
        await job();
      } catch (err) {
        this.logger.error({ err, what }, 'application call failed');
        if (what === 'commit') {
          // A final block the application could not apply: stop rather than run ahead of the state.
          this.failure = err;
          this.state = 'halted';
        }
      }
    });
  }
}
