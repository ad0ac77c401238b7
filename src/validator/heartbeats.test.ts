import { generateKeyPair } from '@libp2p/crypto/keys';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { PARALOOM_DEV_PROGRAM_ID, type ValidatorAccount } from '../bridge/index.js';
import type { GossipValidator, NetworkMessage } from '../network/index.js';
import type { ValidatorChainReader } from './chain.js';
import { decodeEndpoints, dialable, encodeEndpoints } from './endpoints.js';
import { peerIdBytes } from './heartbeat.js';
import { HeartbeatService } from './heartbeats.js';
import { generateKeypair, type ValidatorKeypair } from './keypair.js';
import { validatorMetrics } from './metrics.js';
import { ValidatorRoster } from './roster.js';
import { ValidatorSigner } from './signing.js';

const domain = { programId: PARALOOM_DEV_PROGRAM_ID, cluster: 'localnet' } as const;
const newPeer = async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString();

function account(kp: ValidatorKeypair, peerId: string): ValidatorAccount {
  const e = encodeEndpoints({ peerId, multiaddrs: ['/ip4/127.0.0.1/tcp/4001'] });
  return {
    key: kp.address,
    stake: 1_000_000_000n,
    registeredSlot: 1n,
    unbondingUntil: 0n,
    totalEarnings: 0n,
    pendingRewards: 0n,
    totalSlashed: 0n,
    lastSlashSlot: 0n,
    reputation: 10_000,
    slashCount: 0,
    active: true,
    bump: 255,
    peerId: e.peerId,
    multiaddrs: e.multiaddrs,
    relayFees: [],
  };
}

async function setup() {
  const me = generateKeypair();
  const other = generateKeypair();
  const stranger = generateKeypair();
  const [myPeer, otherPeer, strangerPeer] = [await newPeer(), await newPeer(), await newPeer()];
  const accounts = [account(me, myPeer), account(other, otherPeer)];
  const reader = { activeAccounts: async () => accounts } as unknown as ValidatorChainReader;
  const roster = new ValidatorRoster(reader, { minRefreshMs: 0 });
  await roster.refresh();
  let validator: GossipValidator | undefined;
  const heard: string[] = [];
  const published: NetworkMessage[] = [];
  const metrics = validatorMetrics(new Registry());
  let now = 1_700_000_000_000;
  const service = new HeartbeatService({
    network: {
      peerId: myPeer,
      publish: async (_p, msg) => {
        published.push(msg);
        return 1;
      },
      setGossipValidator: (_p, v) => {
        validator = v;
      },
      peers: { heard: (p) => heard.push(p) },
    },
    signer: new ValidatorSigner(me, domain),
    roster,
    metrics,
    intervalMs: 60_000,
    now: () => now,
  });
  await service.start();
  /** A heartbeat signed for `peerId`; `carried` is the peer id the message says (a forger's edit). */
  const beat = (
    kp: ValidatorKeypair,
    peerId: string,
    ts = BigInt(now),
    carried = peerId,
  ): NetworkMessage => ({
    type: 'HEARTBEAT',
    validator: kp.publicKey,
    peerId: peerIdBytes(carried),
    timestampMs: ts,
    height: 0n,
    signature: new ValidatorSigner(kp, domain).signHeartbeat({ peerId, timestampMs: ts, height: 0n }),
  });
  return {
    service,
    metrics,
    heard,
    published,
    judge: (msg: NetworkMessage, relayedBy: string) => validator!(msg, relayedBy),
    beat,
    other,
    otherPeer,
    stranger,
    strangerPeer,
    myPeer,
    tick: (ms: number) => {
      now += ms;
    },
  };
}

describe('validator heartbeats', () => {
  it('accepts a registered validator from its registered peer, feeding the peer registry and the age', async () => {
    const t = await setup();
    expect(t.judge(t.beat(t.other, t.otherPeer), t.otherPeer)).toBe('accept');
    expect(t.heard).toEqual([t.otherPeer]);
    t.tick(1500);
    expect(t.service.ages().get(t.other.address)).toBe(1500);
    // Its own first heartbeat went out at start, signed for its own peer id.
    expect(t.published[0]).toMatchObject({ type: 'HEARTBEAT' });
    await t.service.stop();
  });

  it('ignores unregistered keys, wrong peers and replays; rejects bad signatures; counts each', async () => {
    const t = await setup();
    expect(t.judge(t.beat(t.stranger, t.strangerPeer), t.strangerPeer)).toBe('ignore');
    // Signed for its registered peer but carrying another peer id (a relay passing it off as its own).
    expect(t.judge(t.beat(t.other, t.otherPeer, BigInt(Date.now()), t.strangerPeer), t.strangerPeer)).toBe(
      'reject',
    );
    const forged = { ...t.beat(t.other, t.otherPeer), signature: new Uint8Array(64).fill(1) };
    expect(t.judge(forged as NetworkMessage, t.otherPeer)).toBe('reject');
    // A genuine heartbeat of this validator's key, but from a peer it did not register.
    expect(t.judge(t.beat(t.other, t.strangerPeer), t.strangerPeer)).toBe('ignore');
    // Gossip is unsigned: a copy relayed by any neighbour counts, once.
    const first = t.beat(t.other, t.otherPeer);
    expect(t.judge(first, t.strangerPeer)).toBe('accept');
    expect(t.judge(first, t.otherPeer)).toBe('ignore');
    expect(t.judge(t.beat(t.other, t.otherPeer, BigInt(Date.now()) + 10n ** 9n), t.otherPeer)).toBe('ignore');
    const counts = Object.fromEntries(
      (await t.metrics.heartbeatsReceived.get()).values.map((v) => [v.labels.outcome, v.value]),
    );
    expect(counts).toEqual({ accepted: 1, unregistered: 1, bad_signature: 2, peer_mismatch: 1, stale: 2 });
    expect(t.service.ages().has(t.stranger.address)).toBe(false);
    await t.service.stop();
  });

  it('stores endpoints in the ValidatorAccount layout and reads them back; only dialable addresses', async () => {
    const peerId = await newPeer();
    const addrs = ['/ip4/10.0.0.1/tcp/9400', '/ip6/::1/tcp/9400', '/dns4/v.example.org/tcp/9400'];
    const e = encodeEndpoints({ peerId, multiaddrs: addrs });
    expect(e.peerId.length).toBeLessThanOrEqual(64);
    expect(decodeEndpoints(e.peerId, e.multiaddrs)).toEqual({ peerId, multiaddrs: addrs });
    expect(() => encodeEndpoints({ peerId, multiaddrs: Array(40).fill(addrs[0]) })).toThrow(/256 bytes/);
    expect(['/ip4/0.0.0.0/tcp/9400', '/ip4/127.0.0.1/tcp/0', '/ip4/127.0.0.1/tcp/1'].map(dialable)).toEqual([
      false,
      false,
      true,
    ]);
  });
  it('starts once, stops once: a second start or stop changes nothing, and stop before start is a no-op', async () => {
    const me = generateKeypair();
    const validators: (GossipValidator | undefined)[] = [];
    let sent = 0;
    const reader = { activeAccounts: async () => [] } as unknown as ValidatorChainReader;
    const service = new HeartbeatService({
      network: {
        peerId: await newPeer(),
        publish: async () => {
          sent++;
          return 1;
        },
        setGossipValidator: (_p, v) => validators.push(v),
        peers: { heard: () => undefined },
      },
      signer: new ValidatorSigner(me, domain),
      roster: new ValidatorRoster(reader, { minRefreshMs: 0 }),
      metrics: validatorMetrics(new Registry()),
      intervalMs: 60_000,
    });
    await service.stop();
    expect(validators).toEqual([]);
    await service.start();
    await service.start();
    await new Promise((r) => setImmediate(r));
    expect(validators.map((v) => typeof v)).toEqual(['function']);
    expect(sent).toBe(1);
    await service.stop();
    await service.stop();
    expect(validators.map((v) => typeof v)).toEqual(['function', 'undefined']);
  });
});
