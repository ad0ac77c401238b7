import { getAddressDecoder } from '@solana/kit';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToHex } from '../common/index.js';
import { MemoryKv } from '../consensus/index.js';
import { DirectRouter, type NetworkMessage } from '../network/index.js';
import { keypairFromSeed, type RosterEntry, ValidatorSigner } from '../validator/index.js';
import { CoordinatorElection } from './election.js';
import { decodeLeaseAnswer, LEASE_KINDS, leaseRequestBody } from './lease-messages.js';
import { coordinatorMetrics } from './metrics.js';

const domain = { programId: 'PaRa1oomDev11111111111111111111111111111111', cluster: 'localnet' as const };
const LEASE_MS = 300;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Member {
  readonly peerId: string;
  readonly signer: ValidatorSigner;
  readonly metrics: ReturnType<typeof coordinatorMetrics>;
  handler?: (req: NetworkMessage, from: string) => Promise<NetworkMessage>;
  election?: CoordinatorElection;
}

/** n validators wired through in-process DIRECT handlers; `cut` drops a peer's traffic both ways. */
function cohort(n: number, candidates: number[]) {
  const members: Member[] = Array.from({ length: n }, (_, i) => ({
    peerId: `peer-${i}`,
    signer: new ValidatorSigner(keypairFromSeed(new Uint8Array(32).fill(i + 1)), domain),
    metrics: coordinatorMetrics(new Registry()),
  }));
  const roster: RosterEntry[] = members.map((m) => ({
    address: getAddressDecoder().decode(m.signer.publicKey),
    publicKey: m.signer.publicKey,
    stake: 1n,
    reputation: 10_000,
    endpoints: { peerId: m.peerId, multiaddrs: [] },
  }));
  const cut = new Set<string>();
  for (const [i, m] of members.entries()) {
    const router = new DirectRouter({ handle: (_name, h) => (m.handler = h) });
    m.election = new CoordinatorElection({
      signer: m.signer,
      router,
      ask: async (peerId, kind, body) => {
        const target = members.find((x) => x.peerId === peerId);
        if (!target?.handler || cut.has(peerId) || cut.has(m.peerId)) return undefined;
        const res = await target.handler({ type: 'DIRECT', kind, body }, m.peerId);
        return res.type === 'DIRECT' ? res.body : undefined;
      },
      roster: () => roster,
      candidate: candidates.includes(i),
      priority: 10 - i,
      leaseMs: LEASE_MS,
      snapshot: () => ({ anchoredHeight: 0n, relayed: [] }),
      store: new MemoryKv(),
      metrics: m.metrics,
    });
  }
  /** Samples isPrimary() on every member every few ms; records any moment with two primaries. */
  const overlaps: string[] = [];
  const sampler = setInterval(() => {
    const primaries = members.filter((m) => m.election!.isPrimary()).map((m) => m.peerId);
    if (primaries.length > 1) overlaps.push(primaries.join(','));
  }, 5);
  return {
    members,
    roster,
    cut,
    overlaps,
    primaries: () => members.filter((m) => m.election!.isPrimary()),
    async start() {
      for (const m of members) await m.election!.start();
    },
    async stop() {
      clearInterval(sampler);
      for (const m of members) await m.election!.stop();
    },
  };
}

let current: ReturnType<typeof cohort> | undefined;
afterEach(() => current?.stop());

async function waitForPrimary(c: ReturnType<typeof cohort>, not?: Member, ms = 3_000): Promise<Member> {
  const end = Date.now() + ms;
  for (;;) {
    const p = c.primaries().filter((m) => m !== not);
    if (p.length === 1) return p[0]!;
    if (Date.now() > end) throw new Error('no primary elected');
    await sleep(10);
  }
}

describe('coordinator election', () => {
  it('elects one primary, which keeps its lease by heartbeats', async () => {
    current = cohort(4, [0, 1, 2]);
    const c = current;
    await c.start();
    const p = await waitForPrimary(c);
    await sleep(LEASE_MS * 4);
    expect(c.primaries()).toEqual([p]);
    expect(c.overlaps).toEqual([]);
    expect(p.election!.term).toBeGreaterThan(0n);
  });

  it('fails over when the primary stops, and never has two primaries', async () => {
    current = cohort(4, [0, 1, 2]);
    const c = current;
    await c.start();
    const first = await waitForPrimary(c);
    await first.election!.stop();
    first.handler = undefined;
    const started = Date.now();
    const second = await waitForPrimary(c, first);
    expect(Date.now() - started).toBeLessThan(LEASE_MS * 6);
    expect(second.election!.term).toBeGreaterThan(first.election!.term);
    expect(c.overlaps).toEqual([]);
  });

  it('a partitioned primary steps down when its lease runs out, before anyone else acts', async () => {
    current = cohort(5, [0, 1, 2, 3]);
    const c = current;
    await c.start();
    const first = await waitForPrimary(c);
    c.cut.add(first.peerId);
    const second = await waitForPrimary(c, first);
    expect(first.election!.isPrimary()).toBe(false);
    expect(c.overlaps).toEqual([]);
    // Healed: the old primary learns the higher term and stays passive.
    c.cut.clear();
    await sleep(LEASE_MS * 3);
    expect(c.primaries()).toEqual([second]);
    expect(c.overlaps).toEqual([]);
  });

  it('refuses replayed heartbeats and heartbeats from keys outside the validator set', async () => {
    current = cohort(3, [0]);
    const c = current;
    await c.start();
    const p = await waitForPrimary(c);
    const granter = c.members.find((m) => m !== p)!;
    const ask = async (body: Uint8Array, from: string) => {
      const res = await granter.handler!({ type: 'DIRECT', kind: LEASE_KINDS.request, body }, from);
      return decodeLeaseAnswer((res as { body: Uint8Array }).body).answer;
    };
    const request = {
      term: p.election!.term,
      seq: 1n,
      candidate: p.signer.publicKey,
      priority: 10,
      snapshot: { anchoredHeight: 0n, relayed: [], successors: [] },
    };
    const body = leaseRequestBody(request);
    const replay = Uint8Array.from([...body, ...p.signer.signCoordination(body)]);
    expect((await ask(replay, p.peerId)).granted).toBe(false);
    const stranger = new ValidatorSigner(keypairFromSeed(new Uint8Array(32).fill(99)), domain);
    const foreignBody = leaseRequestBody({ ...request, term: 1_000n, candidate: stranger.publicKey });
    const foreign = Uint8Array.from([...foreignBody, ...stranger.signCoordination(foreignBody)]);
    expect((await ask(foreign, 'peer-x')).granted).toBe(false);
    // A forged signature on a real validator's request from its own peer.
    const forged = Uint8Array.from([...body.slice(0, 1), 0xff, ...body.slice(2), ...new Uint8Array(64)]);
    expect((await ask(forged, p.peerId)).granted).toBe(false);
    const counts = await granter.metrics.heartbeats.get();
    const by = (o: string) => counts.values.find((v) => v.labels.outcome === o)?.value ?? 0;
    expect(by('replay')).toBeGreaterThanOrEqual(1);
    expect(by('foreign')).toBe(1);
    expect(by('bad_signature')).toBe(1);
    expect(c.primaries()).toEqual([p]);
    expect(bytesToHex(p.signer.publicKey)).toBe(p.election!.primary);
  });
});
