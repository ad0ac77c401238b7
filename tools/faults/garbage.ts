/**
 * A non-validator peer flooding the cohort with garbage, run on the lab's `outsider` host for a
 * bounded time: raw TCP bytes at every P2P port (no Noise handshake can come of them), and, over a
 * real libp2p connection (its own fresh key, Noise, yamux), random frames on the block-sync and
 * direct protocols and random gossip on every topic. Prints one JSON line of what it sent.
 * Usage: node --import tsx garbage.ts '<json: {targets:[{host,port,peerId}], durationMs, seed, cluster}>'
 */
import { connect } from 'node:net';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { gossipsub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import { tcp } from '@libp2p/tcp';
import { multiaddr } from '@multiformats/multiaddr';
import { createLibp2p } from 'libp2p';
import { seededRandom } from '../../src/common/testing/index.js';
import { GOSSIP_PURPOSES, gossipTopic, PROTOCOL_NAMES, protocolId } from '../../src/network/index.js';

interface Config {
  readonly targets: readonly { host: string; port: number; peerId: string }[];
  readonly durationMs: number;
  readonly seed: number;
  readonly cluster: string;
}

const config = JSON.parse(process.argv[2] ?? '') as Config;
const random = seededRandom(config.seed);
const bytes = (max: number) => {
  const out = new Uint8Array(1 + Math.floor(random() * max));
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(random() * 256);
  return out;
};
const sent = { tcp: 0, streams: 0, gossip: 0, refused: 0 };
const end = Date.now() + config.durationMs;

async function rawTcp(host: string, port: number): Promise<void> {
  await new Promise<void>((resolve) => {
    const s = connect(port, host, () => {
      s.write(bytes(4096));
      s.end();
    });
    s.on('error', () => {
      sent.refused++;
      resolve();
    });
    s.on('close', () => resolve());
    s.setTimeout(1_000, () => s.destroy());
  });
  sent.tcp++;
}

const node = await createLibp2p({
  transports: [tcp()],
  connectionEncrypters: [noise()],
  streamMuxers: [yamux()],
  services: { identify: identify(), pubsub: gossipsub({ allowPublishToZeroTopicPeers: true }) },
});
await node.start();
const topics = GOSSIP_PURPOSES.map((p) => gossipTopic(config.cluster, p));
for (const t of topics) node.services.pubsub.subscribe(t);

while (Date.now() < end) {
  for (const t of config.targets) {
    if (Date.now() >= end) break;
    await rawTcp(t.host, t.port);
    const addr = multiaddr(`/ip4/${t.host}/tcp/${t.port}/p2p/${t.peerId}`);
    for (const name of PROTOCOL_NAMES) {
      try {
        const stream = await node.dialProtocol(addr, protocolId(config.cluster, name), {
          signal: AbortSignal.timeout(2_000),
        });
        stream.send(bytes(2048));
        await stream
          .close({ signal: AbortSignal.timeout(1_000) })
          .catch(() => stream.abort(new Error('done')));
        sent.streams++;
      } catch {
        sent.refused++;
      }
    }
    for (const topic of topics) {
      try {
        await node.services.pubsub.publish(topic, bytes(1024));
        sent.gossip++;
      } catch {
        sent.refused++;
      }
    }
  }
  await new Promise((r) => setTimeout(r, 20));
}
await node.stop();
console.log(JSON.stringify(sent));
process.exit(0);
