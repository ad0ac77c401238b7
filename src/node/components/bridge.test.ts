import { afterEach, describe, expect, it } from 'vitest';
import { type DroppingRpcServer, droppingRpcServer } from '../../bridge/testing/index.js';
import { createLogger } from '../../common/index.js';
import { parseConfig } from '../../config/index.js';
import { Readiness, Registry } from '../../health/index.js';
import { BridgeComponent } from './bridge.js';

const servers: DroppingRpcServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A bridge on a cluster that drops its first `drops` requests and has no Paraloom program. */
async function startBridge(drops: number) {
  const cluster = await droppingRpcServer(drops, () => ({ context: { slot: 1 }, value: null }));
  servers.push(cluster);
  const config = parseConfig(`[solana]\nrpc_url = "${cluster.url}"\nrpc_timeout_ms = 2000\n`, {
    baseDir: '/tmp',
  });
  const bridge = new BridgeComponent({
    config,
    registry: new Registry(),
    readiness: new Readiness(),
    logger: createLogger('test', 'silent'),
  });
  return { started: bridge.start(), received: cluster.received };
}

describe('bridge component start-up handshake', () => {
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
