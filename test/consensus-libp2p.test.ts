/**
 * Four ConsensusEngines in one process, each on its own libp2p node on 127.0.0.1, with real Ed25519
 * votes and a trivial application: they finalize the same blocks, with valid certificates.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256 } from '@noble/hashes/sha2.js';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../src/common/index.js';
import {
  type ConsensusApplication,
  ConsensusEngine,
  decodeCertificate,
  MemoryKv,
  verifyCertificate,
} from '../src/consensus/index.js';
import { testCohort } from '../src/consensus/testing/index.js';
import { NetworkNode } from '../src/network/index.js';

const quiet = pino({ level: 'silent' });
const HEIGHTS = 5;

class TestApp implements ConsensusApplication {
  readonly committed: { height: bigint; hash: string; certificate: Uint8Array }[] = [];

  constructor(private readonly id: number) {}

  async buildProposal(height: bigint, round: number, previousHash: Uint8Array) {
    const bytes = new TextEncoder().encode(
      `block ${height} round ${round} by ${this.id} after ${bytesToHex(previousHash)}`,
    );
    return { hash: sha256(bytes), bytes };
  }

  async validateProposal(_height: bigint, _round: number, bytes: Uint8Array) {
    return { ok: true as const, hash: sha256(bytes) };
  }

  async commit(height: bigint, bytes: Uint8Array, certificate: Uint8Array) {
    this.committed.push({ height, hash: bytesToHex(sha256(bytes)), certificate });
  }
}

describe('4 consensus engines over libp2p on 127.0.0.1', () => {
  let dir = '';
  const nets: NetworkNode[] = [];
  const engines: ConsensusEngine[] = [];
  const apps: TestApp[] = [];
  const { auths, set } = testCohort(4);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paraloom-consensus-'));
    for (let i = 0; i < 4; i++) {
      const net = await NetworkNode.create(
        {
          cluster: 'localnet',
          listen: ['/ip4/127.0.0.1/tcp/0'],
          bootstrap: i === 0 ? [] : [nets[0]!.multiaddrs[0]!],
          identityFile: join(dir, `n${i}.key`),
          pingIntervalMs: 1000,
          discoveryIntervalMs: 1000,
        },
        { registry: new Registry(), logger: quiet },
      );
      await net.start();
      nets.push(net);
    }
  });

  afterAll(async () => {
    for (const e of engines) await e.stop();
    for (const n of nets) await n.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it(`finalizes ${HEIGHTS} heights with the same blocks everywhere`, async () => {
    const registry = new Registry();
    for (let i = 0; i < 4; i++) {
      const app = new TestApp(i);
      apps.push(app);
      engines.push(
        new ConsensusEngine({
          network: nets[i]!,
          auth: auths[i]!,
          validators: set,
          application: app,
          height: 1n,
          previousHash: new Uint8Array(32),
          store: new MemoryKv(),
          registry: i === 0 ? registry : undefined,
          logger: quiet,
          tickMs: 200,
          timeouts: {
            propose: { baseMs: 1000, deltaMs: 500 },
            prevote: { baseMs: 300, deltaMs: 200 },
            precommit: { baseMs: 300, deltaMs: 200 },
            maxMs: 5000,
          },
        }),
      );
    }
    for (const e of engines) await e.start();
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && apps.some((a) => a.committed.length < HEIGHTS)) {
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const a of apps) expect(a.committed.length).toBeGreaterThanOrEqual(HEIGHTS);
    for (let h = 0; h < HEIGHTS; h++) {
      const hashes = new Set(apps.map((a) => a.committed[h]!.hash));
      expect(hashes.size).toBe(1);
      for (const a of apps) {
        const c = a.committed[h]!;
        expect(c.height).toBe(BigInt(h + 1));
        const qc = decodeCertificate(c.certificate);
        verifyCertificate(qc, set, auths[0]!, { height: c.height });
        expect(bytesToHex(qc.blockHash)).toBe(c.hash);
      }
    }
    const metrics = await registry.getSingleMetricAsString('paraloom_consensus_decided_total');
    expect(metrics).toMatch(/paraloom_consensus_decided_total \d+/);
  });
});
