import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Stream } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import * as lp from 'it-length-prefixed';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bytesToHex } from '../src/common/index.js';
import {
  Caps,
  encodeMessage,
  GOSSIP_NONCE_BYTES,
  MESSAGE_CAPS,
  MessageType,
  type NetworkConfig,
  NetworkError,
  type NetworkMessage,
  NetworkNode,
  protocolId,
} from '../src/network/index.js';

const CHILD = join(import.meta.dirname, 'fixtures', 'network-node-child.ts');
const quiet = pino({ level: 'silent' });

const FAST: Omit<NetworkConfig, 'identityFile'> = {
  cluster: 'localnet',
  listen: ['/ip4/127.0.0.1/tcp/0'],
  pingIntervalMs: 500,
  pingTimeoutMs: 1000,
  slowPingMs: 2000,
  reconnectBaseMs: 200,
  reconnectMaxMs: 1000,
  discoveryIntervalMs: 1000,
  requestTimeoutMs: 3000,
};

async function waitFor(
  what: string,
  cond: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  describe?: () => string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await cond()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}${describe ? `: ${describe()}` : ''}`);
}

async function counter(node: NetworkNode, name: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const metric = await node.metrics[name as 'rejected'].get();
  for (const v of metric.values) out.set(`${v.labels.channel}:${v.labels.reason}`, v.value);
  return out;
}

/** The out-of-process node E: killed with SIGKILL and restarted on the same port and identity. */
class ChildNode {
  proc: ChildProcess | undefined;
  peerId = '';
  addr = '';
  readonly gossip: string[] = [];

  constructor(
    private readonly identityFile: string,
    private readonly bootstrap: string,
  ) {}

  async start(port: number): Promise<void> {
    const proc = spawn(
      process.execPath,
      ['--import', 'tsx', CHILD, this.identityFile, String(port), this.bootstrap],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    this.proc = proc;
    const rl = createInterface({ input: proc.stdout! });
    await new Promise<void>((resolve, reject) => {
      rl.on('line', (line) => {
        const [kind, a, b] = line.split(' ');
        if (kind === 'ADDR' && a) {
          this.addr = a;
          this.peerId = a.split('/p2p/')[1]!;
        } else if (kind === 'READY') resolve();
        else if (kind === 'GOSSIP' && b) this.gossip.push(b);
      });
      proc.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
  }

  get port(): number {
    return Number(this.addr.split('/tcp/')[1]!.split('/')[0]);
  }

  async kill(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGKILL');
    await exited;
  }
}

describe('five libp2p nodes on 127.0.0.1', () => {
  let dir = '';
  const nodes: NetworkNode[] = [];
  let e: ChildNode;
  const received = new Map<NetworkNode, string[]>();

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'paraloom-net-'));
    const make = async (name: string, bootstrap: string[]) => {
      const node = await NetworkNode.create(
        { ...FAST, bootstrap, identityFile: join(dir, `${name}.key`) },
        { registry: new Registry(), logger: quiet },
      );
      const got: string[] = [];
      received.set(node, got);
      node.onGossip('tx', (msg) => {
        if (msg.type === 'TX') got.push(bytesToHex(msg.tx));
      });
      await node.start();
      nodes.push(node);
      return node;
    };
    const a = await make('a', []);
    const boot = a.multiaddrs[0]!;
    for (const name of ['b', 'c', 'd']) await make(name, [boot]);
    e = new ChildNode(join(dir, 'e.key'), boot);
    await e.start(0);
  });

  /**
   * Publishes a TX from `from` and waits until `targets` and E delivered it. Gossip is best effort,
   * so the message is re-sent (new sequence number, same payload) at most 3 more times.
   */
  const gossipUntilDelivered = async (from: NetworkNode, tx: Uint8Array, targets: NetworkNode[]) => {
    const hex = bytesToHex(tx);
    const done = () => targets.every((n) => received.get(n)!.includes(hex)) && e.gossip.includes(hex);
    for (let round = 0; round < 4 && !done(); round++) {
      await from.publish('tx', { type: 'TX', tx });
      const deadline = Date.now() + 5000;
      while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    }
    expect(done(), diagnose(hex)).toBe(true);
  };

  const diagnose = (hex: string) =>
    JSON.stringify({
      got: nodes.map((n) => received.get(n)!.includes(hex)),
      e: e.gossip.includes(hex),
      conns: nodes.map((n) => n.libp2p.getConnections().length),
      subs: nodes.map((n) => n.libp2p.services.pubsub.getSubscribers(n.topic('tx')).length),
    });

  afterAll(async () => {
    await e?.kill();
    for (const n of nodes) await n.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('find each other from one bootstrap address plus the DHT', async () => {
    const ids = [...nodes.map((n) => n.peerId), e.peerId];
    // Only A was configured; B, C, D and E learn about each other through A's DHT answers.
    await waitFor('a full mesh of connections', () =>
      nodes.every((n) =>
        ids
          .filter((id) => id !== n.peerId)
          .every((id) => n.libp2p.getConnections(peerIdFromString(id)).length > 0),
      ),
    );
    for (const n of nodes) {
      for (const id of ids)
        if (id !== n.peerId) expect(['connected', 'slow']).toContain(n.peers.get(id)?.state);
    }
  });

  it('deliver a gossip message to all', async () => {
    const [a, b, c, d] = nodes as [NetworkNode, NetworkNode, NetworkNode, NetworkNode];
    await waitFor(
      'tx topic subscribers',
      () => a.libp2p.services.pubsub.getSubscribers(a.topic('tx')).length === 4,
    );
    const tx = Uint8Array.from({ length: 100 }, (_, i) => i);
    await a.publish('tx', { type: 'TX', tx });
    const hex = bytesToHex(tx);
    await waitFor(
      'gossip at every node',
      () => [b, c, d].every((n) => received.get(n)!.includes(hex)) && e.gossip.includes(hex),
    );
  });

  it('drop oversized and malformed gossip, count it, lower the sender score, and keep running', async () => {
    const [a, b, c, d] = nodes as [NetworkNode, NetworkNode, NetworkNode, NetworkNode];
    const pubsub = b.libp2p.services.pubsub;
    const txTopic = b.topic('tx');
    const oversized = new Uint8Array(MESSAGE_CAPS.TX + 1);
    oversized.set([1, MessageType.TX]);
    new DataView(oversized.buffer).setUint32(2, Caps.tx + 1, true);
    const vote: NetworkMessage = {
      type: 'VOTE',
      height: 1n,
      round: 0,
      kind: 1,
      blockHash: new Uint8Array(32),
      validator: new Uint8Array(32),
      signature: new Uint8Array(64),
    };
    const bad: [string, Uint8Array][] = [
      ['MESSAGE_TOO_LARGE', oversized],
      ['MESSAGE_UNKNOWN_VERSION', Uint8Array.from([9, MessageType.TX, 0, 0, 0, 0])],
      ['MESSAGE_UNKNOWN_TYPE', Uint8Array.from([1, 0x7e])],
      ['MESSAGE_NOT_ALLOWED', encodeMessage(vote)],
      ['MESSAGE_TRUNCATED', Uint8Array.from([1, MessageType.TX, 200, 0, 0, 0, 1, 2])],
      [
        'MESSAGE_TRAILING_BYTES',
        Uint8Array.from([...encodeMessage({ type: 'TX', tx: Uint8Array.of(5) }), 0]),
      ],
    ];
    // B must know every peer's subscription, or its flood publish skips that peer.
    await waitFor('B sees all tx subscribers', () => pubsub.getSubscribers(txTopic).length === 4);
    const before = await Promise.all([a, c, d].map((n) => counter(n, 'rejected')));
    const deliveredBefore = [a, c, d].map((n) => received.get(n)!.length);
    // Gossip is best effort: under heavy CPU load a stream can be replaced mid-way, so the bad set
    // is re-sent (bounded: 4 rounds) until every neighbour has counted every kind of rejection.
    const counted = async (n: NetworkNode, i: number) => {
      const now = await counter(n, 'rejected');
      return bad.every(([reason]) => (now.get(`tx:${reason}`) ?? 0) > (before[i]!.get(`tx:${reason}`) ?? 0));
    };
    let allCounted = false;
    for (let round = 0; round < 4 && !allCounted; round++) {
      // Raw gossip payloads: a fresh nonce each round (message ids are content hashes), then the message.
      const nonce = new Uint8Array(GOSSIP_NONCE_BYTES).fill(round + 1);
      for (const [, data] of bad) await pubsub.publish(txTopic, Uint8Array.from([...nonce, ...data]));
      const deadline = Date.now() + 5000;
      while (!allCounted && Date.now() < deadline) {
        allCounted = (await Promise.all([a, c, d].map(counted))).every(Boolean);
        if (!allCounted) await new Promise((r) => setTimeout(r, 100));
      }
    }
    const finalCounts = await Promise.all([a, c, d].map((n) => counter(n, 'rejected')));
    expect(allCounted, JSON.stringify(finalCounts.map((m) => [...m]))).toBe(true);
    // None was delivered to the application.
    expect([a, c, d].map((n) => received.get(n)!.length)).toEqual(deliveredBefore);
    // The validator's Reject lowered B's gossipsub score at its neighbours.
    // Failed once under CI load (score still not negative after 5 s): the description says whether
    // A still counts B as a gossipsub peer (a dropped peer with a non-negative score loses its stats).
    await waitFor(
      'negative score for the sender',
      () => a.gossipScore(b.peerId) < 0,
      10_000,
      () =>
        JSON.stringify({
          score: a.gossipScore(b.peerId),
          bIsPubsubPeer: a.libp2p.services.pubsub.getPeers().some((p) => p.toString() === b.peerId),
          connections: a.libp2p.getConnections().filter((c) => c.remotePeer.toString() === b.peerId).length,
        }),
    );

    // Everyone still works: a valid message from C reaches A, D and E.
    await waitFor(
      'C sees all tx subscribers',
      () => c.libp2p.services.pubsub.getSubscribers(c.topic('tx')).length === 4,
    );
    await gossipUntilDelivered(c, Uint8Array.of(42, 42, 42), [a, d]);
    expect(nodes.every((n) => n.libp2p.status === 'started')).toBe(true);
  });

  it('answer requests, and cut off a response or request larger than its cap', async () => {
    const [a, b, c, d] = nodes as [NetworkNode, NetworkNode, NetworkNode, NetworkNode];
    a.handle('block-sync', (req) => {
      if (req.type !== 'BLOCK_SYNC_REQUEST') throw new Error('unexpected');
      return {
        type: 'BLOCK_SYNC_RESPONSE',
        blocks: [
          {
            height: req.fromHeight,
            hash: new Uint8Array(32).fill(1),
            block: Uint8Array.of(7),
            qc: Uint8Array.of(8),
          },
        ],
      };
    });
    const res = await b.request(a.peerId, 'block-sync', {
      type: 'BLOCK_SYNC_REQUEST',
      fromHeight: 300n,
      maxBlocks: 8,
    });
    expect(res).toMatchObject({ type: 'BLOCK_SYNC_RESPONSE', blocks: [{ height: 300n }] });
    // No block-sync handler registered on B: a typed remote error, not a hang.
    await expect(
      a.request(b.peerId, 'block-sync', { type: 'BLOCK_SYNC_REQUEST', fromHeight: 1n, maxBlocks: 1 }),
    ).rejects.toMatchObject({ code: 'REMOTE_ERROR' });
    // The child answers direct messages.
    const echo = await a.request(e.peerId, 'direct', { type: 'DIRECT', kind: 3, body: Uint8Array.of(1, 2) });
    expect(echo).toEqual({ type: 'DIRECT', kind: 3, body: Uint8Array.of(1, 2) });

    // A misbehaving C answers block sync with a frame announcing 64 MiB and streams junk.
    await c.libp2p.handle(
      protocolId('localnet', 'block-sync'),
      async (stream) => {
        // Unsigned varint of 64 MiB (2^26): 0x80 0x80 0x80 0x20.
        stream.send(Uint8Array.of(0x80, 0x80, 0x80, 0x20));
        for (let i = 0; i < 16 && stream.writeStatus === 'writable'; i++) {
          if (!stream.send(new Uint8Array(64 * 1024))) await stream.onDrain().catch(() => undefined);
        }
      },
      { force: true },
    );
    const err = await a
      .request(c.peerId, 'block-sync', { type: 'BLOCK_SYNC_REQUEST', fromHeight: 0n, maxBlocks: 10 })
      .catch((x: unknown) => x);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as NetworkError).code).toBe('FRAME_TOO_LARGE');
    expect((await counter(a, 'rejected')).get('block-sync:FRAME_TOO_LARGE')).toBe(1);

    // An inbound request over the request cap is cut off by the server, which keeps serving.
    const rejectedBefore = (await counter(a, 'rejected')).get('direct:FRAME_TOO_LARGE') ?? 0;
    const stream = await d.libp2p.dialProtocol(peerIdFromString(a.peerId), protocolId('localnet', 'direct'));
    const tooBig = MESSAGE_CAPS.DIRECT + 1;
    stream.send(lp.encode.single(new Uint8Array(tooBig)));
    await waitFor(
      'server-side rejection',
      async () => ((await counter(a, 'rejected')).get('direct:FRAME_TOO_LARGE') ?? 0) > rejectedBefore,
      5000,
    );
    a.handle('direct', (req) => req);
    const ok = await d.request(a.peerId, 'direct', { type: 'DIRECT', kind: 1, body: Uint8Array.of(1) });
    expect(ok.type).toBe('DIRECT');
  });

  it('mark a killed node offline and reconnect to it when it restarts', async () => {
    const b = nodes[1]!;
    const port = e.port;
    const id = e.peerId;
    await e.kill();
    await waitFor(
      'killed node offline',
      () => nodes.every((n) => n.peers.get(id)?.state === 'offline'),
      10_000,
    );
    await e.start(port);
    expect(e.peerId).toBe(id); // same identity file, same peer id
    await waitFor(
      'restarted node connected again',
      () => nodes.every((n) => ['connected', 'slow'].includes(n.peers.get(id)?.state ?? '')),
      15_000,
    );
    // And it works: a request to the restarted node is answered. On a loaded machine the first one
    // can meet the connection the restarted node is still replacing (STREAM_ENDED, a typed refusal the
    // callers retry, as block sync does); it must be answered within a few tries.
    const failures: string[] = [];
    await waitFor(
      'a request to the restarted node answered',
      async () => {
        try {
          const echo = await b.request(id, 'direct', { type: 'DIRECT', kind: 9, body: Uint8Array.of(9) });
          return echo.type === 'DIRECT';
        } catch (err) {
          failures.push((err as { code?: string }).code ?? String(err));
          return false;
        }
      },
      10_000,
      () => `failures: ${failures.join(', ')}`,
    );
    // Whatever failed first failed with a typed transport refusal, never with a protocol error.
    for (const code of failures) expect(['STREAM_ENDED', 'TIMEOUT', 'REQUEST_FAILED']).toContain(code);
  });

  it('survive gossip far past every cap (over gossipsub frame limit) and recover the sender', async () => {
    const [a, b, c, d] = nodes as [NetworkNode, NetworkNode, NetworkNode, NetworkNode];
    await b.libp2p.services.pubsub
      .publish(b.topic('consensus'), new Uint8Array(3 * 1024 * 1024))
      .catch(() => undefined);
    // The receivers may drop the connection to B; nobody crashes, and B is redialled.
    await gossipUntilDelivered(c, Uint8Array.of(43, 43), [a, d]);
    await waitFor('B connected to A again', () =>
      ['connected', 'slow'].includes(a.peers.get(b.peerId)?.state ?? ''),
    );
    expect(nodes.every((n) => n.libp2p.status === 'started')).toBe(true);
  });
});

describe('peer registry', () => {
  /** Runs `body` with node x (its registry configured by `xConfig`) dialled to a default node y. */
  async function withPair(
    xConfig: Partial<NetworkConfig>,
    body: (x: NetworkNode, y: NetworkNode) => Promise<void>,
  ): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'paraloom-net-'));
    const x = await NetworkNode.create(
      { ...FAST, ...xConfig, identityFile: join(dir, 'x.key') },
      { registry: new Registry(), logger: quiet },
    );
    const y = await NetworkNode.create(
      { ...FAST, identityFile: join(dir, 'y.key') },
      { registry: new Registry(), logger: quiet },
    );
    try {
      await x.start();
      await y.start();
      await x.dial(y.multiaddrs[0]!);
      await body(x, y);
    } finally {
      await x.stop();
      await y.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }

  it('does not count a ping refused for a busy ping slot as the peer failing', async () => {
    // One failure would hang up; the timer stays out of the way so only these rounds ping.
    await withPair({ maxPingFailures: 1, pingIntervalMs: 600_000 }, async (x, y) => {
      await waitFor('y known to x', () => x.peers.get(y.peerId)?.state === 'connected');
      const peer = x.libp2p.getConnections()[0]!.remotePeer;
      // Another component's pings to the same peer hold both outbound ping streams (the limit).
      const held = await Promise.all([0, 1].map(() => x.libp2p.dialProtocol(peer, '/ipfs/ping/1.0.0')));
      const refused = await x.libp2p.services.ping.ping(peer).catch((e: Error) => e.name);
      expect(refused).toBe('TooManyOutboundProtocolStreamsError');
      await x.peers.pingAll();
      expect(x.peers.get(y.peerId)?.pingFailures).toBe(0);
      for (const stream of held) stream.abort(new Error('test over'));
      // The slot is free again: the next round measures a round trip.
      await x.peers.pingAll();
      expect(x.peers.get(y.peerId)?.rttMs).toBeGreaterThanOrEqual(0);
      expect(x.peers.get(y.peerId)?.state).toBe('connected');
      expect(x.libp2p.getConnections(peer).length).toBeGreaterThan(0);
    });
  });

  it('marks a peer slow when its ping round trip reaches the threshold', async () => {
    await withPair({ slowPingMs: 0, pingIntervalMs: 200 }, async (x, y) => {
      // Slow by a measured round trip (not by failed pings, which also mark a peer slow).
      await waitFor(
        'slow peer',
        () => x.peers.get(y.peerId)?.state === 'slow' && x.peers.get(y.peerId)?.rttMs !== undefined,
        5000,
      );
      expect(x.peers.get(y.peerId)?.rttMs).toBeGreaterThanOrEqual(0);
      expect(y.peers.get(x.peerId)?.state).toBe('connected');
    });
  });
});

describe('gossip links', () => {
  it('a gossipsub stream reset under a live connection is repaired, not left to a relay', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'paraloom-net-'));
    const nodes: NetworkNode[] = [];
    try {
      for (const name of ['a', 'b', 'c']) {
        const node = await NetworkNode.create(
          { ...FAST, bootstrap: nodes.map((n) => n.multiaddrs[0]!), identityFile: join(dir, `${name}.key`) },
          { registry: new Registry(), logger: quiet },
        );
        await node.start();
        nodes.push(node);
      }
      const [a, b, c] = nodes as [NetworkNode, NetworkNode, NetworkNode];
      const heard: bigint[] = [];
      b.onGossip('heartbeat', (m) => {
        if (m.type === 'HEARTBEAT') heard.push(m.timestampMs);
      });
      let beat = 0n;
      const publish = () =>
        a.publish('heartbeat', {
          type: 'HEARTBEAT',
          validator: new Uint8Array(32),
          peerId: new Uint8Array(38),
          timestampMs: ++beat,
          height: 0n,
          signature: new Uint8Array(64),
        });
      await waitFor('b hears a', async () => {
        await publish();
        await new Promise((r) => setTimeout(r, 100));
        return heard.length > 0;
      });
      // What a reset (a full write buffer, a stream error) does: gossipsub drops a's stream to b,
      // and b drops a, while the TCP connection and its pings carry on.
      const streams = (
        a.libp2p.services.pubsub as unknown as { streamsOutbound: Map<string, { rawStream: Stream }> }
      ).streamsOutbound;
      streams.get(b.peerId)!.rawStream.abort(new Error('injected stream reset'));
      // Without c to relay, b hears a again only once the link is rebuilt.
      await c.stop();
      const from = heard.length;
      await waitFor(
        'b hears a directly again',
        async () => {
          await publish();
          await new Promise((r) => setTimeout(r, 200));
          return heard.length > from;
        },
        15_000,
      );
      const repairs = async (n: NetworkNode) =>
        (await n.metrics.gossipLinkRepairs.get()).values[0]?.value ?? 0;
      expect((await repairs(a)) + (await repairs(b))).toBeGreaterThanOrEqual(1);
    } finally {
      for (const n of nodes) await n.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
