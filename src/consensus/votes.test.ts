import { describe, expect, it } from 'vitest';
import { signerAuthenticator } from './auth.js';
import {
  certificateFromVotes,
  decodeCertificate,
  encodeCertificate,
  verifyCertificate,
} from './certificate.js';
import { ConsensusError } from './errors.js';
import { decodeEvidence, EVIDENCE_BYTES, encodeEvidence, equivocation, verifyEvidence } from './evidence.js';
import { EvidenceStore } from './evidence-store.js';
import { MemoryKv } from './kv.js';
import { Replica, type ReplicaEffect } from './replica.js';
import { testCohort, testSigner } from './testing/index.js';
import { NIL_HASH, type Vote } from './types.js';

const { signers, auths, set } = testCohort(4);
const PREV = new Uint8Array(32).fill(9);
const BLOCK = new Uint8Array(32).fill(0xb1);
const OTHER = new Uint8Array(32).fill(0xb2);

function vote(
  i: number,
  fields: Partial<Omit<Vote, 'validator' | 'signature'>> = {},
  signer = signers[i]!,
): Vote {
  const f = { height: 5n, round: 0, type: 'prevote' as const, blockHash: BLOCK, ...fields };
  const s = signer.signVote({ height: f.height, round: f.round, voteType: f.type, blockHash: f.blockHash });
  return { ...f, validator: signer.publicKey, signature: s.signature };
}

function replica(): Replica {
  const r = new Replica({ validators: set, auth: auths[0]!, height: 5n, previousHash: PREV });
  r.start();
  return r;
}

const ignoredOf = (effects: ReplicaEffect[]) =>
  effects.flatMap((e) => (e.kind === 'ignored' ? [e.reason] : []));
const feed = (r: Replica, v: Vote) => r.handle({ kind: 'message', message: { kind: 'vote', vote: v } });

describe('vote verification', () => {
  it('accepts a member vote signed over the bridge vote message', () => {
    expect(ignoredOf(feed(replica(), vote(1)))).toEqual([]);
    expect(auths[0]!.verify(vote(2))).toBe(true);
  });

  it('ignores forged signatures, tampered fields and votes by non-members', () => {
    const r = replica();
    const v = vote(1);
    const forged = { ...v, signature: v.signature.map((b, i) => (i === 5 ? b ^ 1 : b)) };
    expect(ignoredOf(feed(r, forged))).toEqual(['bad_signature']);
    expect(ignoredOf(feed(r, { ...v, round: 1 }))).toEqual(['bad_signature']);
    expect(ignoredOf(feed(r, { ...v, blockHash: OTHER }))).toEqual(['bad_signature']);
    expect(ignoredOf(feed(r, { ...v, type: 'precommit' }))).toEqual(['bad_signature']);
    // Claiming another member's key with one's own signature.
    expect(ignoredOf(feed(r, { ...v, validator: signers[2]!.publicKey }))).toEqual(['bad_signature']);
    const outsider = testSigner(50);
    expect(ignoredOf(feed(r, vote(0, {}, outsider)))).toEqual(['non_member']);
  });

  it('ignores votes signed for another cluster or another program (foreign votes)', () => {
    const r = replica();
    const devnet = testSigner(1, { programId: signers[1]!.domain.programId, cluster: 'devnet' });
    expect(ignoredOf(feed(r, vote(1, {}, devnet)))).toEqual(['bad_signature']);
    const otherProgram = testSigner(1, {
      programId: 'Ed25519SigVerify111111111111111111111111111',
      cluster: 'localnet',
    });
    expect(ignoredOf(feed(r, vote(1, {}, otherProgram)))).toEqual(['bad_signature']);
  });

  it('ignores replays: repeats, old heights, far-future heights and rounds', () => {
    const r = replica();
    const v = vote(1);
    expect(ignoredOf(feed(r, v))).toEqual([]);
    expect(ignoredOf(feed(r, v))).toEqual(['duplicate']);
    expect(ignoredOf(feed(r, vote(1, { height: 4n })))).toEqual(['stale_height']);
    expect(ignoredOf(feed(r, vote(1, { height: 7n })))).toEqual(['future_height']);
    expect(ignoredOf(feed(r, vote(1, { round: 1000 })))).toEqual(['round_window']);
    // The next height is buffered, not ignored.
    expect(ignoredOf(feed(r, vote(1, { height: 6n })))).toEqual([]);
  });
});

describe('equivocation evidence', () => {
  it('is detected from two different signed votes for one slot', () => {
    const r = replica();
    feed(r, vote(2, { type: 'precommit' }));
    const second = vote(2, { type: 'precommit', blockHash: NIL_HASH });
    const found = feed(r, second).filter((e) => e.kind === 'equivocation');
    expect(found).toHaveLength(1);
    // A different round or type is no conflict.
    expect(
      feed(r, vote(2, { type: 'prevote', blockHash: OTHER })).some((e) => e.kind === 'equivocation'),
    ).toBe(false);
    expect(feed(r, vote(2, { type: 'precommit', round: 1 })).some((e) => e.kind === 'equivocation')).toBe(
      false,
    );
  });

  it('round-trips its canonical bytes and verifies both signatures', () => {
    const e = equivocation(vote(3, { blockHash: OTHER }), vote(3));
    const bytes = encodeEvidence(e);
    expect(bytes).toHaveLength(EVIDENCE_BYTES);
    expect(encodeEvidence(equivocation(e.b, e.a))).toEqual(bytes);
    const back = decodeEvidence(bytes);
    expect(back.a.blockHash).toEqual(BLOCK);
    verifyEvidence(back, set, auths[0]!);
    const bad = bytes.slice();
    bad[bytes.length - 1]! ^= 1;
    expect(() => verifyEvidence(decodeEvidence(bad), set, auths[0]!)).toThrow(/bad signature/);
    expect(() => equivocation(vote(3), vote(3))).toThrow(ConsensusError);
    expect(() => equivocation(vote(3), vote(2, { blockHash: OTHER }))).toThrow(ConsensusError);
    expect(() => decodeEvidence(bytes.subarray(1))).toThrow(/length/);
  });

  it('is stored once, claimed for submission once, and survives a restart', async () => {
    const kv = new MemoryKv();
    const store = new EvidenceStore(kv);
    const e = equivocation(vote(3, { blockHash: OTHER }), vote(3));
    expect(await store.record(e)).toBe(true);
    expect(await store.record(equivocation(e.b, e.a))).toBe(false);
    const [c1, c2] = await Promise.all([store.claim(e), store.claim(e)]);
    expect([c1, c2].filter(Boolean)).toHaveLength(1);
    const restarted = new EvidenceStore(kv);
    expect(await restarted.claim(e)).toBe(false);
    expect(await restarted.pending()).toEqual([]);
    const e2 = equivocation(vote(1, { round: 2, blockHash: OTHER }), vote(1, { round: 2 }));
    await restarted.record(e2);
    expect((await new EvidenceStore(kv).pending()).map((x) => x.a.round)).toEqual([2]);
  });
});

describe('quorum certificate', () => {
  const precommits = [0, 1, 2].map((i) => vote(i, { type: 'precommit' }));

  it('round-trips canonically and verifies', () => {
    const qc = certificateFromVotes([...precommits].reverse());
    const bytes = encodeCertificate(qc);
    expect(bytes).toHaveLength(1 + 8 + 4 + 32 + 2 + 3 * 96);
    expect(encodeCertificate(certificateFromVotes(precommits))).toEqual(bytes);
    const back = decodeCertificate(bytes);
    verifyCertificate(back, set, auths[0]!, { height: 5n, blockHash: BLOCK });
  });

  it('refuses short, forged, foreign, duplicated and non-canonical certificates', () => {
    const qc = certificateFromVotes(precommits);
    const codeOf = (f: () => void) => {
      try {
        f();
      } catch (err) {
        return err instanceof ConsensusError ? err.code : 'other';
      }
      return 'none';
    };
    const check = (q: typeof qc) => codeOf(() => verifyCertificate(q, set, auths[0]!, { height: 5n }));
    expect(check({ ...qc, signatures: qc.signatures.slice(0, 2) })).toBe('CERTIFICATE_INVALID');
    expect(check({ ...qc, round: 1 })).toBe('CERTIFICATE_INVALID');
    expect(codeOf(() => verifyCertificate(qc, set, auths[0]!, { height: 6n }))).toBe('CERTIFICATE_INVALID');
    expect(check({ ...qc, signatures: [...qc.signatures.slice(0, 2), qc.signatures[0]!] })).toBe(
      'CERTIFICATE_INVALID',
    );
    const outsider = signerAuthenticator(testSigner(60));
    const foreign = vote(0, { type: 'precommit' }, testSigner(60));
    expect(outsider.verify(foreign)).toBe(true);
    expect(check(certificateFromVotes([...precommits.slice(0, 2), foreign]))).toBe('CERTIFICATE_INVALID');
    const bytes = encodeCertificate(qc);
    const swapped = bytes.slice();
    swapped.set(bytes.subarray(47, 47 + 96), 47 + 96);
    swapped.set(bytes.subarray(47 + 96, 47 + 192), 47);
    expect(codeOf(() => decodeCertificate(swapped))).toBe('DECODE_FAILED');
    expect(codeOf(() => decodeCertificate(bytes.subarray(0, bytes.length - 1)))).toBe('DECODE_FAILED');
    expect(codeOf(() => decodeCertificate(Uint8Array.of(2, ...bytes.subarray(1))))).toBe('DECODE_FAILED');
  });
});

describe('re-gossip on ticks', () => {
  const broadcasts = (effects: ReplicaEffect[]) => effects.filter((e) => e.kind === 'broadcast').length;

  it('re-sends what it holds only when a tick finds it where the previous tick did', () => {
    const r = replica();
    feed(r, vote(1, { blockHash: NIL_HASH }));
    // The first tick at this position: the cohort may still be moving, nothing is re-sent.
    expect(broadcasts(r.handle({ kind: 'tick' }))).toBe(0);
    // Still there one tick later: stuck, so the held vote goes out again.
    expect(broadcasts(r.handle({ kind: 'tick' }))).toBe(1);
    expect(broadcasts(r.handle({ kind: 'tick' }))).toBe(1);
    // Progress (a propose timeout moves it to prevote) resets the count.
    r.handle({ kind: 'timeout', height: 5n, round: 0, step: 'propose' });
    expect(broadcasts(r.handle({ kind: 'tick' }))).toBe(0);
    expect(broadcasts(r.handle({ kind: 'tick' }))).toBeGreaterThanOrEqual(1);
  });

  it('relays the last decision only to a peer that re-sends a vote of that height', () => {
    const r = replica();
    feed(r, vote(1));
    feed(r, vote(3));
    const qc = certificateFromVotes([0, 1, 2].map((i) => vote(i, { type: 'precommit' })));
    const decided = r.handle({ kind: 'certified', bytes: BLOCK, certificate: qc });
    expect(decided.some((e) => e.kind === 'decide')).toBe(true);
    expect(r.height).toBe(6n);
    const relayed = () =>
      r
        .handle({ kind: 'tick' })
        .filter((e) => e.kind === 'broadcast' && e.message.kind === 'vote' && e.message.vote.height === 5n)
        .length;
    // The precommit the quorum did not need, a first late prevote and a relayed precommit: no one lags.
    expect(ignoredOf(feed(r, vote(3, { type: 'precommit' })))).toEqual(['stale_height']);
    feed(r, vote(2));
    feed(r, vote(0, { type: 'precommit' }));
    expect(relayed()).toBe(0);
    // A prevote it already holds, sent again: validator 3 retransmits, so it is stuck on height 5.
    expect(ignoredOf(feed(r, vote(3)))).toEqual(['stale_height']);
    expect(relayed()).toBe(3);
    expect(relayed()).toBe(0);
  });
});
