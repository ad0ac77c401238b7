import { describe, expect, it } from 'vitest';
import { GOSSIP_TYPES } from './channels.js';
import { NetworkError } from './errors.js';
import { decodeGossipPayload, gossipMessageId, gossipPayload } from './gossip-payload.js';
import { encodeMessage } from './messages.js';

const codeOf = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof NetworkError ? err.code : String(err);
  }
  return 'no error';
};

describe('gossip payload', () => {
  const tx = encodeMessage({ type: 'TX', tx: Uint8Array.of(1, 2, 3) });

  it('carries one message under a nonce; the same message under another nonce has another id', () => {
    const a = gossipPayload(1n, tx);
    const b = gossipPayload(2n, tx);
    expect(decodeGossipPayload(a, GOSSIP_TYPES.tx)).toEqual({ type: 'TX', tx: Uint8Array.of(1, 2, 3) });
    expect(gossipMessageId(a)).toEqual(gossipMessageId(gossipPayload(1n, tx)));
    expect(gossipMessageId(a)).not.toEqual(gossipMessageId(b));
  });

  it('refuses a payload shorter than its nonce, and a message not allowed on the topic', () => {
    expect(codeOf(() => decodeGossipPayload(new Uint8Array(7), GOSSIP_TYPES.tx))).toBe('MESSAGE_TRUNCATED');
    // A message without the nonce in front: its first bytes are taken as the nonce.
    expect(codeOf(() => decodeGossipPayload(tx, GOSSIP_TYPES.tx))).not.toBe('no error');
    expect(codeOf(() => decodeGossipPayload(gossipPayload(1n, tx), GOSSIP_TYPES.consensus))).toBe(
      'MESSAGE_NOT_ALLOWED',
    );
  });
});
