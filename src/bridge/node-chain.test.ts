import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../common/index.js';
import { PARALOOM_DEV_PROGRAM_ID } from './constants.js';
import { NodeChain } from './node-chain.js';
import { type DroppingRpcServer, droppingRpcServer } from './testing/index.js';

const servers: DroppingRpcServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A bridge on a cluster that drops its first `drops` requests and has no Paraloom program. */
async function startBridge(drops: number) {
  const cluster = await droppingRpcServer(drops, () => ({ context: { slot: 1 }, value: null }));
  servers.push(cluster);
  const chain = new NodeChain({
    rpcUrl: cluster.url,
    rpcTimeoutMs: 2000,
    programId: PARALOOM_DEV_PROGRAM_ID,
    expectedProgramVersion: 1,
    commitment: 'confirmed',
    cluster: 'localnet',
    refreshMs: 1000,
    registry: new Registry(),
    logger: createLogger('test', 'silent'),
  });
  return { started: chain.start(), received: cluster.received };
}

describe('node chain start-up handshake', () => {
  it('rides out Solana not answering for a moment, then reports what the cluster says', async () => {
    // Each call is sent at most twice (BridgeRpc resends once on a closed connection), so 4 drops
    // fail two handshakes; the third reaches the cluster, which has no Paraloom program.
    const { started, received } = await startBridge(4);
    await expect(started).rejects.toMatchObject({ code: 'BRIDGE_NOT_INITIALIZED' });
    expect(received).toHaveLength(5);
  });

  it('stops with RPC_UNAVAILABLE when Solana stays unreachable', async () => {
    const { started, received } = await startBridge(Number.POSITIVE_INFINITY);
    await expect(started).rejects.toMatchObject({ code: 'RPC_UNAVAILABLE' });
    // Five handshakes, each sent twice.
    expect(received).toHaveLength(10);
  }, 20_000);
});
