import { sha256 } from '@noble/hashes/sha2.js';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { GossipPurpose, NetworkMessage } from '../network/index.js';
import { decodeCertificate } from './certificate.js';
import { type ConsensusApplication, ConsensusEngine, type ConsensusNetwork } from './engine.js';
import { decodeEvidence, encodeEvidence, equivocation } from './evidence.js';
import { EvidenceStore } from './evidence-store.js';
import { MemoryKv } from './kv.js';
import { testCohort } from './testing/index.js';
import { NIL_HASH, type Vote } from './types.js';
import { toNetworkMessage } from './wire.js';

const quiet = pino({ level: 'silent' });

/** An in-process gossip bus: every publish reaches every other subscriber of the topic. */
class Bus {
  readonly handlers = new Map<
    GossipPurpose,
    Set<{ id: number; h: (m: NetworkMessage, from: string) => void }>
  >();
  readonly published: { from: number; purpose: GossipPurpose; msg: NetworkMessage }[] = [];

  node(id: number): ConsensusNetwork {
    return {
      publish: async (purpose, msg) => {
        this.published.push({ from: id, purpose, msg });
        let n = 0;
        for (const s of this.handlers.get(purpose) ?? []) {
          if (s.id === id) continue;
          n++;
          setImmediate(() => s.h(msg, `peer${id}`));
        }
        return n;
      },
      onGossip: (purpose, h) => {
        const set = this.handlers.get(purpose) ?? new Set();
        this.handlers.set(purpose, set);
        const entry = { id, h };
        set.add(entry);
        return () => set.delete(entry);
      },
    };
  }

  inject(purpose: GossipPurpose, msg: NetworkMessage): void {
    for (const s of this.handlers.get(purpose) ?? []) s.h(msg, 'outsider');
  }
}

class App implements ConsensusApplication {
  readonly commits: { height: bigint; certificate: Uint8Array }[] = [];
  async buildProposal(height: bigint, round: number) {
    const bytes = new TextEncoder().encode(`b${height}/${round}`);
    return { hash: sha256(bytes), bytes };
  }
  async validateProposal(
    _h: bigint,
    _r: number,
    bytes: Uint8Array,
  ): ReturnType<ConsensusApplication['validateProposal']> {
    return { ok: true as const, hash: sha256(bytes) };
  }
  async commit(height: bigint, _bytes: Uint8Array, certificate: Uint8Array) {
    this.commits.push({ height, certificate });
  }
}

const until = async (cond: () => boolean, ms = 20_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
};

describe('ConsensusEngine', () => {
  const engines: ConsensusEngine[] = [];
  afterEach(async () => {
    for (const e of engines.splice(0)) await e.stop();
  });

  it('finalizes over a gossip bus, and catches, stores and gossips an equivocation exactly once', async () => {
    const { signers, auths, set } = testCohort(4);
    const bus = new Bus();
    const apps = [0, 1, 2, 3].map(() => new App());
    const kvs = [0, 1, 2, 3].map(() => new MemoryKv());
    const found: Uint8Array[][] = [[], [], [], []];
    const registry = new Registry();
    for (let i = 0; i < 4; i++) {
      engines.push(
        new ConsensusEngine({
          network: bus.node(i),
          auth: auths[i]!,
          validators: set,
          application: apps[i]!,
          height: 1n,
          previousHash: new Uint8Array(32),
          store: kvs[i],
          registry: i === 0 ? registry : undefined,
          logger: quiet,
          tickMs: 50,
          onEvidence: (_e, bytes) => found[i]!.push(bytes),
        }),
      );
    }
    for (const e of engines) await e.start();
    await until(() => apps.every((a) => a.commits.length >= 3));
    expect(decodeCertificate(apps[0]!.commits[0]!.certificate).height).toBe(1n);

    // Validator 3 double-votes at the current height of engine 0, far in the future round 40.
    const h = engines[0]!.height;
    const signed = (blockHash: Uint8Array): Vote => {
      const s = signers[3]!.signVote({ height: h, round: 40, voteType: 'precommit', blockHash });
      return {
        height: h,
        round: 40,
        type: 'precommit',
        blockHash,
        validator: signers[3]!.publicKey,
        signature: s.signature,
      };
    };
    const a = signed(NIL_HASH);
    const b = signed(new Uint8Array(32).fill(7));
    bus.inject('consensus', toNetworkMessage({ kind: 'vote', vote: a }));
    bus.inject('consensus', toNetworkMessage({ kind: 'vote', vote: b }));
    bus.inject('consensus', toNetworkMessage({ kind: 'vote', vote: b }));
    await until(() => found[0]!.length > 0);
    const expected = encodeEvidence(equivocation(a, b));
    expect(found[0]).toEqual([expected]);
    expect(bus.published.some((p) => p.purpose === 'evidence' && p.msg.type === 'EVIDENCE')).toBe(true);
    const stored = await new EvidenceStore(kvs[0]!).pending();
    expect(stored.map((e) => encodeEvidence(e))).toEqual([expected]);
    // Gossiped evidence reaches the others, is verified and stored there too, and is not re-reported.
    await until(() => found.every((f) => f.length === 1));
    bus.inject('evidence', { type: 'EVIDENCE', body: expected });
    await new Promise((r) => setTimeout(r, 50));
    expect(found.map((f) => f.length)).toEqual([1, 1, 1, 1]);
    expect(decodeEvidence(found[2]![0]!).a.round).toBe(40);
    // Forged evidence is refused.
    const forged = expected.slice();
    forged[forged.length - 1]! ^= 1;
    bus.inject('evidence', { type: 'EVIDENCE', body: forged });
    const text = await registry.getSingleMetricAsString('paraloom_consensus_ignored_total');
    expect(text).toMatch(/reason="bad_evidence"/);
    expect(engines[0]!.reputation.score(Buffer.from(signers[3]!.publicKey).toString('hex'))).toBeLessThan(
      100,
    );
  });

  it('persists the last round it signed in before publishing, and resumes past it after a restart', async () => {
    const { auths, set } = testCohort(4);
    const bus = new Bus();
    const kvs = [0, 1, 2].map(() => new MemoryKv());
    // Every proposal is judged invalid, so rounds end in nil and the round number climbs.
    class Refusing extends App {
      override async validateProposal(): ReturnType<ConsensusApplication['validateProposal']> {
        return { ok: false as const, reason: 'test' };
      }
    }
    const fast = { baseMs: 20, deltaMs: 0 };
    const options = (i: number) => ({
      network: bus.node(i),
      auth: auths[i]!,
      validators: set,
      application: new Refusing(),
      height: 1n,
      previousHash: new Uint8Array(32),
      store: kvs[i],
      logger: quiet,
      tickMs: 50,
      timeouts: { propose: fast, prevote: fast, precommit: fast, maxMs: 20 },
    });
    const running = [0, 1, 2].map((i) => new ConsensusEngine(options(i)));
    engines.push(...running);
    for (const e of running) await e.start();
    await until(() => running[0]!.round >= 3);
    await running[0]!.stop();
    const raw = (await kvs[0]!.get('consensus/last-signed'))!;
    const round = new DataView(raw.buffer, raw.byteOffset).getUint32(8, true);
    expect(round).toBeGreaterThanOrEqual(2);
    const mine = bus.published.filter((p) => p.from === 0 && p.msg.type === 'VOTE');
    expect(Math.max(...mine.map((p) => (p.msg.type === 'VOTE' ? p.msg.round : 0)))).toBeLessThanOrEqual(
      round,
    );
    const restarted = new ConsensusEngine(options(0));
    engines.push(restarted);
    await restarted.start();
    expect(restarted.round).toBeGreaterThanOrEqual(round + 1);
  });
  it('stop before start writes nothing and leaves the engine startable', async () => {
    const { auths, set } = testCohort(4);
    const kv = new MemoryKv();
    await kv.put('unrelated', new Uint8Array([1]));
    const engine = new ConsensusEngine({
      network: new Bus().node(0),
      auth: auths[0]!,
      validators: set,
      application: new App(),
      height: 1n,
      previousHash: new Uint8Array(32),
      store: kv,
      logger: quiet,
    });
    engines.push(engine);
    await engine.stop();
    expect([...kv.data.keys()]).toEqual(['unrelated']);
    await engine.start();
  });

  it('after a commit it could not apply, decides nothing more but stop still leaves the gossip', async () => {
    const { auths, set } = testCohort(4);
    const bus = new Bus();
    class Failing extends App {
      override async commit(): Promise<void> {
        throw new Error('disk full');
      }
    }
    const apps = [new Failing(), new App(), new App(), new App()];
    const cohort = [0, 1, 2, 3].map(
      (i) =>
        new ConsensusEngine({
          network: bus.node(i),
          auth: auths[i]!,
          validators: set,
          application: apps[i]!,
          height: 1n,
          previousHash: new Uint8Array(32),
          store: new MemoryKv(),
          logger: quiet,
          tickMs: 50,
        }),
    );
    engines.push(...cohort);
    for (const e of cohort) await e.start();
    await until(() => cohort[0]!.failed !== undefined && apps[1]!.commits.length >= 2);
    await cohort[0]!.stop();
    const subscribedBy = (id: number) =>
      [...bus.handlers.values()].flatMap((s) => [...s]).filter((h) => h.id === id);
    expect(subscribedBy(0)).toEqual([]);
    expect(subscribedBy(1).length).toBeGreaterThan(0);
  });
});
