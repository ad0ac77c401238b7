import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/index.js';
import type { GossipHandler, NetworkMessage } from '../network/index.js';
import type { AdmitResult, TxOrigin } from './mempool.js';
import { TxRelay } from './tx-relay.js';

const tick = () => new Promise((r) => setImmediate(r));

/** One gossip topic in process: what the relay publishes, and a way to deliver peers' messages. */
function setup(submitFails = false) {
  const published: NetworkMessage[] = [];
  const handlers = new Set<GossipHandler>();
  const submitted: [number, TxOrigin][] = [];
  const relay = new TxRelay({
    network: {
      publish: async (purpose, msg) => {
        expect(purpose).toBe('tx');
        published.push(msg);
        return 1;
      },
      onGossip: (purpose, handler) => {
        expect(purpose).toBe('tx');
        handlers.add(handler);
        return () => handlers.delete(handler);
      },
    },
    submit: async (tx, origin) => {
      submitted.push([tx[0]!, origin]);
      if (submitFails) throw new Error('mempool closed');
      return { ok: true } as unknown as AdmitResult;
    },
    logger: createLogger('test', 'silent'),
  });
  const deliver = (msg: NetworkMessage) => {
    for (const h of handlers) h(msg, 'peer');
  };
  return { relay, published, submitted, deliver, handlers };
}

describe('TxRelay', () => {
  it('offers gossiped TX and TXS to the mempool as gossip, and ignores other messages', async () => {
    const { relay, submitted, deliver } = setup();
    await relay.start();
    deliver({ type: 'TX', tx: Uint8Array.of(1) });
    deliver({ type: 'TXS', txs: [Uint8Array.of(2), Uint8Array.of(3)] });
    deliver({ type: 'BLOCK_SYNC_REQUEST', fromHeight: 1n, maxBlocks: 1 });
    expect(submitted).toEqual([
      [1, 'gossip'],
      [2, 'gossip'],
      [3, 'gossip'],
    ]);
  });

  it('publishes what the ingress admitted, never a gossiped copy', async () => {
    const { relay, published } = setup();
    await relay.start();
    relay.admitted(Uint8Array.of(7), 'gossip');
    relay.admitted(Uint8Array.of(8), 'local');
    await tick();
    expect(published).toEqual([{ type: 'TX', tx: Uint8Array.of(8) }]);
  });

  it('a refused gossiped transaction is logged, not thrown; stop unsubscribes and drops the queue', async () => {
    const { relay, published, deliver, handlers, submitted } = setup(true);
    await relay.start();
    deliver({ type: 'TX', tx: Uint8Array.of(1) });
    await tick();
    expect(submitted).toHaveLength(1);
    relay.admitted(Uint8Array.of(9), 'local');
    await relay.stop();
    await tick();
    expect(handlers.size).toBe(0);
    expect(published).toEqual([]);
  });
});
