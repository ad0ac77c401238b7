import { describe, expect, expectTypeOf, it } from 'vitest';
import { GOSSIP_TYPES } from './channels.js';
import { resolveNetworkConfig } from './config.js';
import { NetworkError } from './errors.js';
import { decodeGossipPayload, GOSSIP_NONCE_BYTES } from './gossip-payload.js';
import { decodeMessage } from './messages.js';

function networkErrorOf(f: () => unknown): NetworkError {
  try {
    f();
  } catch (e) {
    if (e instanceof NetworkError) return e;
    throw e;
  }
  throw new Error('expected a NetworkError');
}

describe('NetworkError contexts', () => {
  it('MESSAGE_TRUNCATED names the field, the bytes it needs and the bytes left, wherever it is thrown', () => {
    const cases = [
      {
        e: networkErrorOf(() => decodeMessage(Uint8Array.of(1))),
        field: 'envelope',
        needed: 2,
        remaining: 1,
      },
      {
        e: networkErrorOf(() => decodeGossipPayload(new Uint8Array(3), GOSSIP_TYPES.tx)),
        field: 'nonce',
        needed: GOSSIP_NONCE_BYTES,
        remaining: 3,
      },
    ];
    for (const { e, field, needed, remaining } of cases) {
      if (e.code !== 'MESSAGE_TRUNCATED') throw e;
      expectTypeOf(e.context.needed).toEqualTypeOf<number>();
      expect(e.context).toEqual({ field, needed, remaining });
    }
  });

  it('CONFIG_INVALID names the key and the value that is not a positive integer', () => {
    const e = networkErrorOf(() =>
      resolveNetworkConfig({ cluster: 'testnet', identityFile: '/nonexistent/key', targetPeers: 0 }),
    );
    expect(e.code).toBe('CONFIG_INVALID');
    expect(e.context).toEqual({ key: 'targetPeers', value: 0 });
  });

  it('types a throw site by its code (checked by tsc)', () => {
    // @ts-expect-error MESSAGE_TRUNCATED needs `remaining`
    const short = new NetworkError('MESSAGE_TRUNCATED', 'm', { field: 'f', needed: 2 });
    // @ts-expect-error TIMEOUT carries the deadline, not a field name
    const timeout = new NetworkError('TIMEOUT', 'm', { field: 'f' });
    expect([short.code, timeout.code]).toEqual(['MESSAGE_TRUNCATED', 'TIMEOUT']);
    const ended = new NetworkError('STREAM_ENDED', 'stream ended inside a frame');
    expectTypeOf(ended.code).toEqualTypeOf<'STREAM_ENDED'>();
    expect(ended.context).toEqual({});
  });
});
