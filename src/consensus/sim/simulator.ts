/**
 * Deterministic simulation of a cohort running the consensus replica: virtual time, one seeded PRNG
 * for delays (which also reorders messages), drops, crashes and byzantine validators that
 * double-propose, double-vote, forge and replay, and crash-restarts that keep only what the engine
 * persists (decided blocks, last signed round, lock). The same seed gives the same run, event for event.
 *
 * It checks safety on every decision (no two different blocks final at one height among honest
 * validators) and that no honest validator is ever caught equivocating; the caller checks liveness
 * from `minHonestHeight`.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, hexToBytes } from '../../common/index.js';
import type { QuorumCertificate } from '../certificate.js';
import { consensusWriter } from '../codec.js';
import type { LockState } from '../effects.js';
import { Replica, type ReplicaEffect, type ReplicaInput } from '../replica.js';
import type { Timeouts } from '../timeouts.js';
import { type ConsensusMessage, NIL_HASH, type Proposal, type Vote } from '../types.js';
import { ValidatorSet } from '../validator-set.js';
import { MacKeyring } from './mac-auth.js';
import { EventQueue } from './queue.js';
import { Rng } from './rng.js';

export interface ByzantineSpec {
  readonly index: number;
  /** Send two different proposals (two signed prevotes) to two halves of the cohort. */
  readonly doublePropose?: boolean;
  /** Send each vote to half the cohort and a conflicting vote to the other half. */
  readonly doubleVote?: boolean;
  /** Also send votes in honest validators' names with bad signatures, from a non-member, and replays. */
  readonly forge?: boolean;
}

export interface SimOptions {
  readonly seed: number;
  readonly validators: number;
  readonly stakes?: readonly bigint[];
  /** Run until every live honest validator has decided this many heights (or a bound is hit). */
  readonly heights: number;
  readonly minDelayMs?: number;
  readonly maxDelayMs?: number;
  readonly dropRate?: number;
  /** Crashes; with `restartAfterMs` the validator comes back with only what it persisted. */
  readonly crashes?: readonly {
    readonly index: number;
    readonly atMs: number;
    readonly restartAfterMs?: number;
  }[];
  readonly byzantine?: readonly ByzantineSpec[];
  readonly timeouts?: Timeouts;
  readonly tickMs?: number;
  readonly maxVirtualMs?: number;
  readonly maxEvents?: number;
  readonly headFraction?: number;
}

export interface SimResult {
  readonly seed: number;
  readonly minHonestHeight: number;
  readonly virtualMs: number;
  readonly events: number;
  readonly safetyViolations: readonly string[];
  /** Equivocations attributed to honest validators: must stay 0. */
  readonly honestEquivocations: number;
  /** Distinct (validator, slot) equivocations detected by honest validators. */
  readonly evidence: number;
  readonly ignored: Readonly<Record<string, number>>;
  readonly rounds: Readonly<Record<string, number>>;
  readonly syncs: number;
  readonly restarts: number;
  /** Each validator's final height, round and step (diagnostics). */
  readonly nodes: readonly string[];
}

export const SIM_TIMEOUTS: Timeouts = {
  propose: { baseMs: 120, deltaMs: 40 },
  prevote: { baseMs: 60, deltaMs: 20 },
  precommit: { baseMs: 60, deltaMs: 20 },
  maxMs: 2_000,
};

interface Decided {
  readonly hashHex: string;
  readonly bytes: Uint8Array;
  readonly certificate: QuorumCertificate;
}

interface SimNode {
  readonly index: number;
  readonly key: Uint8Array;
  readonly secret: Uint8Array;
  replica: Replica;
  readonly byz: ByzantineSpec | undefined;
  /** What the engine persists before publishing (sign-state.ts): last signed position and lock. */
  lastSigned: { height: bigint; round: number } | undefined;
  lock: LockState | undefined;
  readonly log: Map<bigint, Decided>;
  crashed: boolean;
  syncing: boolean;
  decidedCount: number;
  oldVote: Vote | undefined;
}

type SimEvent = { at: number; seq: number } & (
  | { type: 'deliver'; to: number; from: number; msg: ConsensusMessage }
  | { type: 'input'; node: number; input: ReplicaInput }
  | { type: 'tick'; node: number }
  | { type: 'crash'; node: number; restartAfterMs: number | undefined }
  | { type: 'restart'; node: number }
  | { type: 'sync-done'; node: number }
);

const GENESIS = sha256(new TextEncoder().encode('paraloom:sim:genesis'));

export function runSimulation(o: SimOptions): SimResult {
  const rng = new Rng(o.seed);
  const minDelay = o.minDelayMs ?? 1;
  const maxDelay = o.maxDelayMs ?? 40;
  const drop = o.dropRate ?? 0;
  const tickMs = o.tickMs ?? 150;
  const maxVirtual = o.maxVirtualMs ?? o.heights * 5_000;
  const maxEvents = o.maxEvents ?? o.heights * o.validators * o.validators * 200;
  const keyring = new MacKeyring();
  const byzByIndex = new Map((o.byzantine ?? []).map((b) => [b.index, b]));

  const infos = Array.from({ length: o.validators }, (_, i) => {
    const secret = sha256(new TextEncoder().encode(`sim-secret-${o.seed}-${i}`));
    const key = sha256(secret);
    keyring.add(key, secret);
    return { key, secret, stake: o.stakes?.[i] ?? 1_000_000_000n };
  });
  const set = new ValidatorSet(
    infos.map((v) => ({ publicKey: v.key, stake: v.stake })),
    o.headFraction,
  );
  const honest = (i: number) => !byzByIndex.has(i);
  const keyIndex = new Map(infos.map((v, i) => [bytesToHex(v.key), i]));

  const nodes: SimNode[] = infos.map((v, index) => ({
    index,
    key: v.key,
    secret: v.secret,
    byz: byzByIndex.get(index),
    replica: new Replica({
      validators: set,
      auth: keyring.authenticator(v.key, v.secret),
      height: 1n,
      previousHash: GENESIS,
      timeouts: o.timeouts ?? SIM_TIMEOUTS,
    }),
    log: new Map(),
    lastSigned: undefined,
    lock: undefined,
    crashed: false,
    syncing: false,
    decidedCount: 0,
    oldVote: undefined,
  }));

  const queue = new EventQueue<SimEvent>();
  let seq = 0;
  let now = 0;
  const push = (e: DistributiveOmit<SimEvent, 'seq'>) => queue.push({ ...e, seq: seq++ } as SimEvent);

  const final = new Map<bigint, string>();
  const violations: string[] = [];
  const evidence = new Set<string>();
  let honestEquivocations = 0;
  const ignored: Record<string, number> = {};
  const rounds: Record<string, number> = {};
  let syncs = 0;
  let restarts = 0;
  let buildCounter = 0;
  const outsider = sha256(new TextEncoder().encode('not a member'));

  const send = (from: number, to: number, msg: ConsensusMessage) => {
    if (to === from || rng.chance(drop)) return;
    push({ type: 'deliver', at: now + rng.int(minDelay, maxDelay), from, to, msg });
  };

  const broadcast = (node: SimNode, msg: ConsensusMessage) => {
    const b = node.byz;
    const pos = msg.kind === 'vote' ? msg.vote : msg.proposal;
    const mine =
      bytesToHex(msg.kind === 'vote' ? msg.vote.validator : msg.proposal.proposer) === bytesToHex(node.key);
    const last = node.lastSigned;
    if (
      mine &&
      (!last || pos.height > last.height || (pos.height === last.height && pos.round > last.round))
    ) {
      node.lastSigned = { height: pos.height, round: pos.round };
    }
    const others = nodes.filter((n) => n.index !== node.index).map((n) => n.index);
    let alt: ConsensusMessage | undefined;
    const own =
      bytesToHex(msg.kind === 'vote' ? msg.vote.validator : msg.proposal.proposer) === bytesToHex(node.key);
    if (own && b?.doublePropose && msg.kind === 'proposal')
      alt = { kind: 'proposal', proposal: conflictingProposal(node, msg.proposal) };
    if (own && b?.doubleVote && msg.kind === 'vote')
      alt = { kind: 'vote', vote: conflictingVote(node, msg.vote) };
    if (alt) {
      // A fresh random split each time: re-sends let some honest validators see both.
      for (const to of others) send(node.index, to, rng.chance(0.5) ? msg : alt);
    } else {
      for (const to of others) send(node.index, to, msg);
    }
    if (own && b?.forge && msg.kind === 'vote') {
      const victim = nodes[rng.int(0, nodes.length - 1)]!;
      const forged: Vote = { ...msg.vote, validator: victim.key, signature: rng64(rng) };
      const foreign: Vote = { ...msg.vote, validator: outsider, signature: rng64(rng) };
      for (const to of others) {
        send(node.index, to, { kind: 'vote', vote: forged });
        send(node.index, to, { kind: 'vote', vote: foreign });
        if (node.oldVote) send(node.index, to, { kind: 'vote', vote: node.oldVote });
      }
      if (msg.vote.height > 2n && !node.oldVote) node.oldVote = msg.vote;
    }
  };

  const signVote = (node: SimNode, v: Omit<Vote, 'signature' | 'validator'>): Vote => ({
    ...v,
    validator: node.key,
    signature: keyring.sign(node.secret, v),
  });

  const conflictingVote = (node: SimNode, v: Vote): Vote => {
    const other = bytesToHex(v.blockHash) === bytesToHex(NIL_HASH) ? sha256(rng64(rng)) : NIL_HASH;
    return signVote(node, { height: v.height, round: v.round, type: v.type, blockHash: other });
  };

  const conflictingProposal = (node: SimNode, p: Proposal): Proposal => {
    const bytes = concatBytes(p.bytes, Uint8Array.of(0xee));
    const blockHash = sha256(bytes);
    const v = signVote(node, { height: p.height, round: p.round, type: 'prevote', blockHash });
    return { ...p, bytes, blockHash, signature: v.signature };
  };

  const apply = (node: SimNode, effects: readonly ReplicaEffect[]) => {
    for (const e of effects) {
      switch (e.kind) {
        case 'broadcast':
          broadcast(node, e.message);
          break;
        case 'schedule':
          push({
            type: 'input',
            at: now + e.delayMs,
            node: node.index,
            input: { kind: 'timeout', height: e.height, round: e.round, step: e.step },
          });
          break;
        case 'build': {
          const bytes = consensusWriter('simulated block')
            .u64(e.height)
            .u32(e.round)
            .u8(node.index)
            .u32(buildCounter++)
            .finish();
          push({
            type: 'input',
            at: now + rng.int(0, 5),
            node: node.index,
            input: { kind: 'built', height: e.height, round: e.round, blockHash: sha256(bytes), bytes },
          });
          break;
        }
        case 'validate': {
          const matches = bytesToHex(sha256(e.bytes)) === bytesToHex(e.blockHash);
          push({
            type: 'input',
            at: now + rng.int(0, 5),
            node: node.index,
            input: {
              kind: 'validated',
              height: e.height,
              blockHash: e.blockHash,
              verdict: matches ? 'valid' : 'mismatch',
            },
          });
          break;
        }
        case 'decide': {
          const hashHex = bytesToHex(e.blockHash);
          node.log.set(e.height, { hashHex, bytes: e.bytes, certificate: e.certificate });
          node.decidedCount++;
          if (honest(node.index)) {
            const prior = final.get(e.height);
            if (prior === undefined) final.set(e.height, hashHex);
            else if (prior !== hashHex) {
              violations.push(
                `height ${e.height}: ${prior} and ${hashHex} (node ${node.index}, seed ${o.seed})`,
              );
            }
          }
          break;
        }
        case 'equivocation': {
          if (!honest(node.index)) break;
          const offender = keyIndex.get(bytesToHex(e.first.validator)) ?? -1;
          if (honest(offender)) honestEquivocations++;
          evidence.add(`${offender}:${e.first.height}:${e.first.round}:${e.first.type}`);
          break;
        }
        case 'round-ended':
          rounds[e.outcome] = (rounds[e.outcome] ?? 0) + 1;
          break;
        case 'ignored':
          ignored[e.reason] = (ignored[e.reason] ?? 0) + 1;
          break;
        case 'lock':
          node.lock = e.lock;
          break;
        case 'invalid-proposal':
          break;
      }
    }
  };

  const minHonestHeight = () => {
    let min = Number.POSITIVE_INFINITY;
    for (const n of nodes) if (honest(n.index) && !n.crashed) min = Math.min(min, n.decidedCount);
    return min === Number.POSITIVE_INFINITY ? 0 : min;
  };

  for (const c of o.crashes ?? [])
    push({ type: 'crash', at: c.atMs, node: c.index, restartAfterMs: c.restartAfterMs });
  for (const n of nodes) {
    apply(n, n.replica.start());
    push({ type: 'tick', at: rng.int(1, tickMs), node: n.index });
  }

  let events = 0;
  while (events < maxEvents) {
    const e = queue.pop();
    if (!e || e.at > maxVirtual) break;
    now = e.at;
    events++;
    const node = nodes[e.type === 'deliver' ? e.to : e.node]!;
    if (node.crashed && e.type !== 'restart') continue;
    switch (e.type) {
      case 'crash':
        node.crashed = true;
        if (e.restartAfterMs !== undefined)
          push({ type: 'restart', at: now + e.restartAfterMs, node: node.index });
        break;
      case 'restart': {
        // Everything in memory is lost; what the engine persists (decided blocks, last signed
        // position, lock) is not.
        let height = 1n;
        while (node.log.has(height)) height++;
        const prev = node.log.get(height - 1n);
        const signed = node.lastSigned?.height === height ? node.lastSigned : undefined;
        node.replica = new Replica({
          validators: set,
          auth: keyring.authenticator(node.key, node.secret),
          height,
          previousHash: prev ? hexToBytes(prev.hashHex) : GENESIS,
          timeouts: o.timeouts ?? SIM_TIMEOUTS,
          startRound: signed ? signed.round + 1 : 0,
          restore: node.lock?.height === height ? node.lock : undefined,
        });
        node.crashed = false;
        node.syncing = false;
        restarts++;
        apply(node, node.replica.start());
        push({ type: 'tick', at: now + tickMs, node: node.index });
        break;
      }
      case 'tick':
        apply(node, node.replica.handle({ kind: 'tick' }));
        push({ type: 'tick', at: now + tickMs, node: node.index });
        break;
      case 'input':
        apply(node, node.replica.handle(e.input));
        break;
      case 'sync-done':
        node.syncing = false;
        break;
      case 'deliver': {
        const h = e.msg.kind === 'vote' ? e.msg.vote.height : e.msg.proposal.height;
        // Block sync stands in for the request-response protocol: fetch the next block and its
        // certificate from the peer that is ahead, then verify the certificate like any input.
        const from = nodes[e.from]!;
        const need = node.replica.height;
        const have = from.log.get(need);
        if (h >= need + 2n && !node.syncing && have) {
          node.syncing = true;
          syncs++;
          const at = now + rng.int(minDelay, maxDelay) * 2;
          push({
            type: 'input',
            at,
            node: node.index,
            input: { kind: 'certified', bytes: have.bytes, certificate: have.certificate },
          });
          push({ type: 'sync-done', at, node: node.index });
        }
        apply(node, node.replica.handle({ kind: 'message', message: e.msg }));
        break;
      }
    }
    if (events % 256 === 0 && minHonestHeight() >= o.heights) break;
  }

  return {
    seed: o.seed,
    minHonestHeight: minHonestHeight(),
    virtualMs: now,
    events,
    safetyViolations: violations,
    honestEquivocations,
    evidence: evidence.size,
    ignored,
    rounds,
    syncs,
    restarts,
    nodes: nodes.map(
      (n) =>
        `${n.index}:h${n.replica.height}/r${n.replica.round}/${n.replica.step}${n.crashed ? '/crashed' : ''} ${JSON.stringify(n.replica.locks)} leader=${keyIndex.get(n.replica.leader(n.replica.round))}`,
    ),
  };
}

function rng64(rng: Rng): Uint8Array {
  const out = new Uint8Array(64);
  for (let i = 0; i < 64; i += 4) new DataView(out.buffer).setUint32(i, rng.next());
  return out;
}

/** Exported for the harness's own assertions: the simulated previous hash of height 1. */
export const SIM_GENESIS = GENESIS;

type DistributiveOmit<T, K extends keyof T> = T extends unknown ? Omit<T, K> : never;
