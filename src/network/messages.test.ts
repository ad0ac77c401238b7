import { describe, expect, it } from 'vitest';
import { GOSSIP_TYPES, gossipTopic, protocolId } from './channels.js';
import { NetworkError } from './errors.js';
import {
  Caps,
  decodeMessage,
  encodeMessage,
  MAX_MESSAGE_BYTES,
  MESSAGE_CAPS,
  MessageType,
  type NetworkMessage,
  VoteKind,
} from './messages.js';

const b = (n: number, fill = 7) => new Uint8Array(n).fill(fill);

const SAMPLES: NetworkMessage[] = [
  { type: 'TX', tx: b(300) },
  { type: 'TXS', txs: [b(652, 1), b(652, 2), b(3, 3)] },
  { type: 'PROPOSAL', height: 12n, round: 3, body: b(1000) },
  {
    type: 'VOTE',
    height: 2n ** 64n - 1n,
    round: 0,
    kind: VoteKind.PRECOMMIT,
    blockHash: b(32, 1),
    validator: b(32, 2),
    signature: b(64, 3),
  },
  { type: 'EVIDENCE', body: b(200) },
  { type: 'COMPUTE', kind: 4, body: b(10) },
  {
    type: 'HEARTBEAT',
    validator: b(32, 4),
    peerId: b(38, 6),
    timestampMs: 1_700_000_000_000n,
    height: 7n,
    signature: b(64, 5),
  },
  { type: 'BLOCK_SYNC_REQUEST', fromHeight: 256n, maxBlocks: 64 },
  {
    type: 'BLOCK_SYNC_RESPONSE',
    blocks: [
      { height: 1n, hash: b(32), block: b(5), qc: b(0) },
      { height: 2n, hash: b(32, 9), block: b(0), qc: b(70) },
    ],
  },
  { type: 'DIRECT', kind: 65535, body: b(3) },
  { type: 'ERROR', code: 2, text: 'bad request ✓' },
  { type: 'ERROR', code: 3, text: '✓'.repeat(256) },
  { type: 'SNAPSHOT_REQUEST', height: 0n, part: 0 },
  { type: 'SNAPSHOT_RESPONSE', height: 300n, part: 7, bytes: b(1000, 4) },
  { type: 'SNAPSHOT_RESPONSE', height: 300n, part: 1, bytes: b(0) },
];

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(NetworkError);
    return (err as NetworkError).code;
  }
  return undefined;
}

describe('network codec', () => {
  it('round-trips every message type with the version and type bytes in front', () => {
    for (const msg of SAMPLES) {
      const bytes = encodeMessage(msg);
      expect(bytes[0]).toBe(1);
      expect(bytes[1]).toBe(MessageType[msg.type]);
      expect(bytes.length).toBeLessThanOrEqual(MESSAGE_CAPS[msg.type]);
      expect(decodeMessage(bytes)).toEqual(msg);
    }
  });

  it('refuses every truncation and any trailing byte with a typed error, never a crash', () => {
    for (const msg of SAMPLES) {
      const bytes = encodeMessage(msg);
      for (let cut = 0; cut < bytes.length; cut++) {
        const code = codeOf(() => decodeMessage(bytes.subarray(0, cut)));
        expect(['MESSAGE_TRUNCATED', 'MESSAGE_INVALID']).toContain(code);
      }
      // A message already at its type cap (a vote) is refused as too large instead.
      const expected =
        bytes.length === MESSAGE_CAPS[msg.type] ? 'MESSAGE_TOO_LARGE' : 'MESSAGE_TRAILING_BYTES';
      expect(codeOf(() => decodeMessage(Uint8Array.from([...bytes, 0])))).toBe(expected);
    }
  });

  it('refuses unknown versions and types, and types not allowed on a channel', () => {
    const tx = encodeMessage({ type: 'TX', tx: b(4) });
    expect(codeOf(() => decodeMessage(Uint8Array.from([2, ...tx.subarray(1)])))).toBe(
      'MESSAGE_UNKNOWN_VERSION',
    );
    expect(codeOf(() => decodeMessage(Uint8Array.from([1, 0x7f, 0, 0])))).toBe('MESSAGE_UNKNOWN_TYPE');
    expect(codeOf(() => decodeMessage(tx, GOSSIP_TYPES.consensus))).toBe('MESSAGE_NOT_ALLOWED');
    expect(decodeMessage(tx, GOSSIP_TYPES.tx).type).toBe('TX');
  });

  it('checks sizes before reading: global cap, type cap, field caps and counts', () => {
    // Larger than the global cap: refused before the envelope is even read.
    expect(codeOf(() => decodeMessage(new Uint8Array(MAX_MESSAGE_BYTES + 1)))).toBe('MESSAGE_TOO_LARGE');
    // A TX message one byte over its type cap.
    const over = new Uint8Array(MESSAGE_CAPS.TX + 1);
    over.set([1, MessageType.TX]);
    expect(codeOf(() => decodeMessage(over))).toBe('MESSAGE_TOO_LARGE');
    // A length field claiming 4 GiB in a small message: refused by the field cap, nothing allocated.
    expect(codeOf(() => decodeMessage(Uint8Array.from([1, MessageType.TX, 0xff, 0xff, 0xff, 0xff])))).toBe(
      'MESSAGE_TOO_LARGE',
    );
    // A length within its cap but beyond the bytes present.
    expect(codeOf(() => decodeMessage(Uint8Array.from([1, MessageType.TX, 10, 0, 0, 0, 1])))).toBe(
      'MESSAGE_TRUNCATED',
    );
    // A block-sync response announcing more blocks than allowed / than bytes present.
    expect(codeOf(() => decodeMessage(Uint8Array.from([1, MessageType.BLOCK_SYNC_RESPONSE, 65, 0])))).toBe(
      'MESSAGE_INVALID',
    );
    expect(codeOf(() => decodeMessage(Uint8Array.from([1, MessageType.BLOCK_SYNC_RESPONSE, 64, 0])))).toBe(
      'MESSAGE_TRUNCATED',
    );
    // A TXS message with no transactions, more than 256, or announcing more than it holds.
    expect(codeOf(() => decodeMessage(Uint8Array.from([1, MessageType.TXS, 0, 0])))).toBe('MESSAGE_INVALID');
    expect(codeOf(() => decodeMessage(Uint8Array.from([1, MessageType.TXS, 1, 1])))).toBe('MESSAGE_INVALID');
    expect(codeOf(() => decodeMessage(Uint8Array.from([1, MessageType.TXS, 2, 0, 1, 0, 0, 0, 7])))).toBe(
      'MESSAGE_TRUNCATED',
    );
    expect(codeOf(() => encodeMessage({ type: 'TXS', txs: [] }))).toBe('MESSAGE_INVALID');
    // Encoding refuses oversized fields too.
    expect(codeOf(() => encodeMessage({ type: 'TX', tx: new Uint8Array(Caps.tx + 1) }))).toBe(
      'MESSAGE_TOO_LARGE',
    );
    expect(codeOf(() => encodeMessage({ type: 'BLOCK_SYNC_REQUEST', fromHeight: 0n, maxBlocks: 0 }))).toBe(
      'MESSAGE_INVALID',
    );
  });

  it('refuses the retired type numbers 0x12..0x15 (state snapshots, note scans) as unknown', () => {
    expect(Object.values(MessageType)).not.toContain(0x12);
    for (const code of [0x12, 0x13, 0x14, 0x15]) {
      expect(codeOf(() => decodeMessage(Uint8Array.from([1, code, 0, 0, 0, 0, 0, 0, 0, 0])))).toBe(
        'MESSAGE_UNKNOWN_TYPE',
      );
    }
  });

  it('refuses a bad vote kind and invalid utf-8 in an error', () => {
    const vote = encodeMessage(SAMPLES[3]!);
    vote[2 + 8 + 4] = 9;
    expect(codeOf(() => decodeMessage(vote))).toBe('MESSAGE_INVALID');
    expect(codeOf(() => decodeMessage(Uint8Array.from([1, MessageType.ERROR, 1, 0, 1, 0, 0xff])))).toBe(
      'MESSAGE_INVALID',
    );
  });

  it('names topics and protocols per cluster and purpose', () => {
    expect(gossipTopic('devnet', 'consensus')).toBe('/paraloom/devnet/consensus/1');
    expect(protocolId('mainnet-beta', 'block-sync')).toBe('/paraloom/mainnet-beta/block-sync/1.0.0');
    expect(() => gossipTopic('Bad/Name', 'tx')).toThrow(NetworkError);
  });
});
