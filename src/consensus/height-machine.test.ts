import { describe, expect, it } from 'vitest';
import { bytesToHex } from '../common/index.js';
import type { Effect } from './effects.js';
import { HeightMachine } from './height-machine.js';
import { MemoryKv } from './kv.js';
import { selectLeader } from './leader.js';
import { SignState } from './sign-state.js';
import { MacKeyring } from './sim/mac-auth.js';
import { DEFAULT_TIMEOUTS } from './timeouts.js';
import { NIL_HASH, type Proposal, type Vote } from './types.js';
import { ValidatorSet } from './validator-set.js';

// Four validators with simulator MAC keys; validator `me` runs the machine under test.
const ring = new MacKeyring();
const keys = Array.from({ length: 4 }, (_, i) => {
  const secret = new Uint8Array(32).fill(i + 1);
  const key = new Uint8Array(32).fill(0x40 + i);
  ring.add(key, secret);
  return { key, secret };
});
const set = new ValidatorSet(keys.map((k) => ({ publicKey: k.key, stake: 1n })));
const PREV = new Uint8Array(32).fill(3);
const H = 10n;
const leaderOf = (r: number) => selectLeader(set, PREV, H, r);
const idx = (keyHex: string) => keys.findIndex((k) => bytesToHex(k.key) === keyHex);
const V1 = new Uint8Array(32).fill(0xa1);
const V2 = new Uint8Array(32).fill(0xa2);

function vote(i: number, round: number, type: 'prevote' | 'precommit', blockHash: Uint8Array): Vote {
  const k = keys[i]!;
  return {
    height: H,
    round,
    type,
    blockHash,
    validator: k.key,
    signature: ring.sign(k.secret, { height: H, round, type, blockHash }),
  };
}

function proposal(round: number, blockHash: Uint8Array, validRound = -1): Proposal {
  const i = idx(leaderOf(round).keyHex);
  const v = vote(i, round, 'prevote', blockHash);
  return {
    height: H,
    round,
    validRound,
    blockHash,
    bytes: blockHash,
    proposer: v.validator,
    signature: v.signature,
  };
}

/** A validator that leads none of rounds 0-2, so it only reacts. */
function machine(): { m: HeightMachine; others: number[] } {
  const leaders = new Set([0, 1, 2].map((r) => idx(leaderOf(r).keyHex)));
  const me = [0, 1, 2, 3].find((i) => !leaders.has(i));
  if (me === undefined) throw new Error('fixture: every validator leads one of rounds 0-2; change PREV');
  const k = keys[me]!;
  const m = new HeightMachine({
    set,
    height: H,
    previousHash: PREV,
    auth: ring.authenticator(k.key, k.secret),
    leader: leaderOf,
    timeouts: DEFAULT_TIMEOUTS,
  });
  m.start();
  return { m, others: [0, 1, 2, 3].filter((i) => i !== me) };
}

const myVotes = (effects: Effect[], type: 'prevote' | 'precommit') =>
  effects.flatMap((e) =>
    e.kind === 'broadcast' && e.message.kind === 'vote' && e.message.vote.type === type
      ? [bytesToHex(e.message.vote.blockHash)]
      : [],
  );

describe('height machine (Algorithm 1)', () => {
  it('gives a proposal still being validated one more propose timeout, then prevotes nil', () => {
    const slow = machine().m;
    const asked = slow.onProposal(proposal(0, V1));
    expect(asked.some((e) => e.kind === 'validate')).toBe(true);
    const first = slow.onTimeout(0, 'propose');
    expect(myVotes(first, 'prevote')).toEqual([]);
    expect(first.some((e) => e.kind === 'schedule' && e.step === 'propose' && e.round === 0)).toBe(true);
    // Validation answers within the extension: the block gets the prevote.
    expect(myVotes(slow.onValidated(V1, 'valid'), 'prevote')).toEqual([bytesToHex(V1)]);

    const stuck = machine().m;
    stuck.onProposal(proposal(0, V2));
    expect(myVotes(stuck.onTimeout(0, 'propose'), 'prevote')).toEqual([]);
    expect(myVotes(stuck.onTimeout(0, 'propose'), 'prevote')).toEqual([bytesToHex(NIL_HASH)]);

    // No proposal at all: nil at the first timeout, as in the paper.
    expect(myVotes(machine().m.onTimeout(0, 'propose'), 'prevote')).toEqual([bytesToHex(NIL_HASH)]);
  });

  it('prevotes a valid proposal after the application says so, locks on a prevote quorum, decides on a precommit quorum', () => {
    const { m, others } = machine();
    const p = proposal(0, V1);
    const asked = m.onProposal(p);
    expect(asked.some((e) => e.kind === 'validate')).toBe(true);
    expect(myVotes(asked, 'prevote')).toEqual([]); // waits for valid(v)
    expect(myVotes(m.onValidated(V1, 'valid'), 'prevote')).toEqual([bytesToHex(V1)]);
    let out: Effect[] = [];
    for (const i of others) out.push(...m.onVote(vote(i, 0, 'prevote', V1)));
    expect(myVotes(out, 'precommit')).toEqual([bytesToHex(V1)]);
    out = [];
    for (const i of others.slice(0, 2)) out.push(...m.onVote(vote(i, 0, 'precommit', V1)));
    const d = out.find((e) => e.kind === 'decide');
    expect(d && d.kind === 'decide' && bytesToHex(d.blockHash)).toBe(bytesToHex(V1));
  });

  it('prevotes nil on an invalid proposal and on a propose timeout', () => {
    const a = machine();
    a.m.onProposal(proposal(0, V1));
    expect(myVotes(a.m.onValidated(V1, 'invalid'), 'prevote')).toEqual([bytesToHex(NIL_HASH)]);
    const b = machine();
    expect(myVotes(b.m.onTimeout(0, 'propose'), 'prevote')).toEqual([bytesToHex(NIL_HASH)]);
  });

  it('a locked validator refuses a fresh value, and accepts a re-proposal backed by a later proof of lock', () => {
    const { m, others } = machine();
    m.onProposal(proposal(0, V1));
    m.onValidated(V1, 'valid');
    for (const i of others) m.onVote(vote(i, 0, 'prevote', V1)); // locks V1 at round 0
    for (const i of others) m.onVote(vote(i, 0, 'precommit', NIL_HASH));
    m.onTimeout(0, 'precommit'); // round 1
    expect(m.round).toBe(1);
    m.onProposal(proposal(1, V2));
    expect(myVotes(m.onValidated(V2, 'valid'), 'prevote')).toEqual([bytesToHex(NIL_HASH)]);
    // Round 1: the others prevote V2 (a proof of lock for V2 at round 1); the machine precommits it.
    const out: Effect[] = [];
    for (const i of others) out.push(...m.onVote(vote(i, 1, 'prevote', V2)));
    expect(myVotes(out, 'precommit')).toEqual([bytesToHex(V2)]);
    for (const i of others) m.onVote(vote(i, 1, 'precommit', NIL_HASH));
    m.onTimeout(1, 'precommit');
    // Round 2 re-proposes V2 with valid round 1: locked on V2 at round 1 now, it prevotes V2.
    expect(m.round).toBe(2);
    const re = m.onProposal(proposal(2, V2, 1));
    expect(myVotes(re, 'prevote')).toEqual([bytesToHex(V2)]);
  });

  it('skips to a higher round on f+1 messages from it', () => {
    const { m, others } = machine();
    m.onVote(vote(others[0]!, 5, 'prevote', NIL_HASH));
    expect(m.round).toBe(0); // 1/4 of stake is not > 1/3
    m.onVote(vote(others[1]!, 5, 'precommit', NIL_HASH));
    expect(m.round).toBe(5);
  });

  it('reports two different proposals from the leader as an equivocation (double prevote)', () => {
    const { m } = machine();
    m.onProposal(proposal(0, V1));
    const out = m.onProposal(proposal(0, V2));
    expect(out.some((e) => e.kind === 'equivocation')).toBe(true);
  });

  it('emits its lock before the precommit, and a machine restored from it keeps the lock', async () => {
    const { m, others } = machine();
    m.onProposal(proposal(0, V1));
    m.onValidated(V1, 'valid');
    const out: Effect[] = [];
    for (const i of others) out.push(...m.onVote(vote(i, 0, 'prevote', V1)));
    const lockAt = out.findIndex((e) => e.kind === 'lock');
    const precommitAt = out.findIndex(
      (e) => e.kind === 'broadcast' && e.message.kind === 'vote' && e.message.vote.type === 'precommit',
    );
    expect(lockAt).toBeGreaterThanOrEqual(0);
    expect(lockAt).toBeLessThan(precommitAt);
    const lockEffect = out[lockAt]!;
    if (lockEffect.kind !== 'lock') throw new Error('unreachable');
    // Round trip through the persisted form, as after a restart.
    const kv = new MemoryKv();
    const state = new SignState(kv);
    await state.persistLock(lockEffect.lock);
    const restored = await new SignState(kv).loadLock();
    expect(restored).toEqual(lockEffect.lock);
    const me = keys.findIndex(
      (k) =>
        bytesToHex(k.key) ===
        bytesToHex(m.votes.all(0).find((v) => !others.includes(idx(bytesToHex(v.validator))))!.validator),
    );
    const k = keys[me]!;
    const again = new HeightMachine({
      set,
      height: H,
      previousHash: PREV,
      auth: ring.authenticator(k.key, k.secret),
      leader: leaderOf,
      timeouts: DEFAULT_TIMEOUTS,
      restore: restored,
    });
    again.start(1);
    again.onProposal(proposal(1, V2));
    expect(myVotes(again.onValidated(V2, 'valid'), 'prevote')).toEqual([bytesToHex(NIL_HASH)]);
    expect(again.locks.lockedRound).toBe(0);
  });
});
