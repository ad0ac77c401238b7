import { describe, expect, it } from 'vitest';
import { createLogger } from '../common/index.js';
import { encodeMessage, type NetworkMessage } from '../network/index.js';
import { TxGossip } from './tx-gossip.js';

const tick = () => new Promise((r) => setImmediate(r));

function setup() {
  const sent: NetworkMessage[] = [];
  const gossip = new TxGossip(
    {
      publish: async (_purpose, msg) => {
        sent.push(msg);
        return 3;
      },
    },
    createLogger('test', 'silent'),
  );
  return { gossip, sent };
}

describe('TxGossip', () => {
  it('sends a lone transaction as TX and what one turn admitted as one TXS', async () => {
    const { gossip, sent } = setup();
    gossip.add(Uint8Array.of(1));
    await tick();
    expect(sent).toEqual([{ type: 'TX', tx: Uint8Array.of(1) }]);
    for (let i = 0; i < 5; i++) gossip.add(Uint8Array.of(10 + i));
    await tick();
    expect(sent[1]).toEqual({ type: 'TXS', txs: [10, 11, 12, 13, 14].map((b) => Uint8Array.of(b)) });
    expect(sent).toHaveLength(2);
  });

  it('splits at 256 transactions and at the message size cap', async () => {
    const { gossip, sent } = setup();
    for (let i = 0; i < 600; i++) gossip.add(new Uint8Array(652));
    await tick();
    expect(sent.map((m) => (m.type === 'TXS' ? m.txs.length : 1))).toEqual([256, 256, 88]);
    sent.length = 0;
    for (let i = 0; i < 40; i++) gossip.add(new Uint8Array(60_000));
    await tick();
    const sizes = sent.map((m) => (m.type === 'TXS' ? m.txs.length : 1));
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(40);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(17);
    // Every chunk fits the TXS cap.
    for (const m of sent) expect(() => encodeMessage(m)).not.toThrow();
  });

  it('drops what is queued when cleared', async () => {
    const { gossip, sent } = setup();
    gossip.add(Uint8Array.of(1));
    gossip.clear();
    await tick();
    expect(sent).toEqual([]);
  });
});
