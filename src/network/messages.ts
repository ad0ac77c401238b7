/**
 * Every message that crosses the network, in one versioned binary codec:
 *
 *   envelope = version u8 (= 1) | type u8 | payload (layout per type, docs/protocol.md "Network messages")
 *
 * Decoding checks the whole message against the global cap and its type's cap before reading any
 * field, then every length field against its own cap and the remaining bytes, and refuses trailing
 * bytes. Type numbers 0x12..0x15 (state snapshots, note scans) are retired: never reuse them.
 */
import { ByteReader, ByteWriter, type CodecErrorFactory, type CodecErrorKind } from '../common/index.js';
import { NetworkError, type NetworkErrorCode } from './errors.js';

export const WIRE_VERSION = 1;

const KiB = 1024;
const MiB = 1024 * KiB;

/** No message of any type is larger than this (checked before the type byte is looked at). */
export const MAX_MESSAGE_BYTES = 8 * MiB;

export const MessageType = {
  TX: 0x01,
  PROPOSAL: 0x02,
  VOTE: 0x03,
  EVIDENCE: 0x04,
  COMPUTE: 0x05,
  HEARTBEAT: 0x06,
  TXS: 0x07,
  BLOCK_SYNC_REQUEST: 0x10,
  BLOCK_SYNC_RESPONSE: 0x11,
  DIRECT: 0x16,
  ERROR: 0x17,
  SNAPSHOT_REQUEST: 0x18,
  SNAPSHOT_RESPONSE: 0x19,
} as const;
export type MessageTypeName = keyof typeof MessageType;

/** Field caps (bytes or entries). */
export const Caps = {
  tx: 64 * KiB,
  /** Transactions in one TXS message, and the message's total size. */
  txBatch: 256,
  txBatchBytes: 1 * MiB,
  proposal: 1 * MiB,
  evidence: 4 * KiB,
  compute: 256 * KiB,
  syncMaxBlocks: 64,
  syncBlock: 1 * MiB,
  syncQc: 64 * KiB,
  direct: 64 * KiB,
  errorText: 256,
  /** One part of a state snapshot: its manifest (at most ~1.7 MB) or a chunk (at most 1 MiB + 6). */
  snapshotPart: 2 * MiB,
  /** A libp2p peer id's multihash bytes (38 for an Ed25519 identity). */
  peerId: 64,
} as const;

/** Whole-message caps per type (envelope included). */
export const MESSAGE_CAPS: Readonly<Record<MessageTypeName, number>> = {
  TX: 2 + 4 + Caps.tx,
  PROPOSAL: 2 + 8 + 4 + 4 + Caps.proposal,
  VOTE: 2 + 141,
  EVIDENCE: 2 + 4 + Caps.evidence,
  COMPUTE: 2 + 1 + 4 + Caps.compute,
  HEARTBEAT: 2 + 32 + 2 + Caps.peerId + 8 + 8 + 64,
  TXS: Caps.txBatchBytes,
  BLOCK_SYNC_REQUEST: 2 + 8 + 2,
  BLOCK_SYNC_RESPONSE: MAX_MESSAGE_BYTES,
  DIRECT: 2 + 2 + 4 + Caps.direct,
  ERROR: 2 + 2 + 2 + Caps.errorText * 4,
  SNAPSHOT_REQUEST: 2 + 8 + 4,
  SNAPSHOT_RESPONSE: 2 + 8 + 4 + 4 + Caps.snapshotPart,
};

export const VoteKind = { PREVOTE: 1, PRECOMMIT: 2 } as const;

export interface SyncedBlock {
  readonly height: bigint;
  readonly hash: Uint8Array;
  readonly block: Uint8Array;
  readonly qc: Uint8Array;
}

export type NetworkMessage =
  | { readonly type: 'TX'; readonly tx: Uint8Array }
  /** Several transactions in one gossip message (what one node admitted together). */
  | { readonly type: 'TXS'; readonly txs: readonly Uint8Array[] }
  | { readonly type: 'PROPOSAL'; readonly height: bigint; readonly round: number; readonly body: Uint8Array }
  | {
      readonly type: 'VOTE';
      readonly height: bigint;
      readonly round: number;
      readonly kind: number;
      readonly blockHash: Uint8Array;
      readonly validator: Uint8Array;
      readonly signature: Uint8Array;
    }
  | { readonly type: 'EVIDENCE'; readonly body: Uint8Array }
  | { readonly type: 'COMPUTE'; readonly kind: number; readonly body: Uint8Array }
  | {
      /** A validator's liveness beacon; the signature covers more than these fields (src/validator). */
      readonly type: 'HEARTBEAT';
      readonly validator: Uint8Array;
      /** The publishing node's libp2p peer id, multihash bytes (signed with the rest). */
      readonly peerId: Uint8Array;
      readonly timestampMs: bigint;
      readonly height: bigint;
      readonly signature: Uint8Array;
    }
  | { readonly type: 'BLOCK_SYNC_REQUEST'; readonly fromHeight: bigint; readonly maxBlocks: number }
  | { readonly type: 'BLOCK_SYNC_RESPONSE'; readonly blocks: readonly SyncedBlock[] }
  | { readonly type: 'DIRECT'; readonly kind: number; readonly body: Uint8Array }
  | { readonly type: 'ERROR'; readonly code: number; readonly text: string }
  /**
   * A part of the server's state snapshot (src/snapshot): `part` 0 is the manifest, `part` i + 1 its
   * chunk i; `height` 0 asks for the manifest of whatever snapshot the server offers now.
   */
  | { readonly type: 'SNAPSHOT_REQUEST'; readonly height: bigint; readonly part: number }
  /** The part asked for, of the snapshot at `height`; empty bytes: not held (any more). */
  | {
      readonly type: 'SNAPSHOT_RESPONSE';
      readonly height: bigint;
      readonly part: number;
      readonly bytes: Uint8Array;
    };

export type MessageOf<T extends MessageTypeName> = Extract<NetworkMessage, { type: T }>;

const TYPE_BY_CODE = new Map<number, MessageTypeName>(
  (Object.entries(MessageType) as [MessageTypeName, number][]).map(([name, code]) => [code, name]),
);

const READ_CODES: Readonly<Record<CodecErrorKind, NetworkErrorCode>> = {
  truncated: 'MESSAGE_TRUNCATED',
  oversized: 'MESSAGE_TOO_LARGE',
  trailing: 'MESSAGE_TRAILING_BYTES',
  invalid: 'MESSAGE_INVALID',
  noncanonical: 'MESSAGE_INVALID',
};
const readError: CodecErrorFactory = (kind, message, context) =>
  new NetworkError(READ_CODES[kind], message, { ...context });
const writeError: CodecErrorFactory = (kind, message, context) =>
  new NetworkError(kind === 'oversized' ? 'MESSAGE_TOO_LARGE' : 'MESSAGE_INVALID', message, { ...context });

export function encodeMessage(msg: NetworkMessage): Uint8Array {
  const w = new ByteWriter(writeError, 256, msg.type).u8(WIRE_VERSION).u8(MessageType[msg.type]);
  switch (msg.type) {
    case 'TX':
      w.bytesU32(msg.tx, Caps.tx, 'tx');
      break;
    case 'TXS':
      checkRange(msg.txs.length, 1, Caps.txBatch, 'txs');
      w.u16(msg.txs.length);
      for (const tx of msg.txs) w.bytesU32(tx, Caps.tx, 'tx');
      break;
    case 'PROPOSAL':
      w.u64(msg.height).u32(msg.round).bytesU32(msg.body, Caps.proposal, 'proposal');
      break;
    case 'VOTE':
      checkVoteKind(msg.kind);
      w.u64(msg.height)
        .u32(msg.round)
        .u8(msg.kind)
        .fixed(msg.blockHash, 32, 'blockHash')
        .fixed(msg.validator, 32, 'validator')
        .fixed(msg.signature, 64, 'signature');
      break;
    case 'EVIDENCE':
      w.bytesU32(msg.body, Caps.evidence, 'evidence');
      break;
    case 'COMPUTE':
      w.u8(msg.kind).bytesU32(msg.body, Caps.compute, 'compute');
      break;
    case 'HEARTBEAT':
      w.fixed(msg.validator, 32, 'validator')
        .bytesU16(msg.peerId, Caps.peerId, 'peerId')
        .u64(msg.timestampMs)
        .u64(msg.height)
        .fixed(msg.signature, 64, 'signature');
      break;
    case 'BLOCK_SYNC_REQUEST':
      checkRange(msg.maxBlocks, 1, Caps.syncMaxBlocks, 'maxBlocks');
      w.u64(msg.fromHeight).u16(msg.maxBlocks);
      break;
    case 'BLOCK_SYNC_RESPONSE':
      checkRange(msg.blocks.length, 0, Caps.syncMaxBlocks, 'blocks');
      w.u16(msg.blocks.length);
      for (const b of msg.blocks) {
        w.u64(b.height)
          .fixed(b.hash, 32, 'hash')
          .bytesU32(b.block, Caps.syncBlock, 'block')
          .bytesU32(b.qc, Caps.syncQc, 'qc');
      }
      break;
    case 'DIRECT':
      w.u16(msg.kind).bytesU32(msg.body, Caps.direct, 'direct');
      break;
    case 'SNAPSHOT_REQUEST':
      w.u64(msg.height).u32(msg.part);
      break;
    case 'SNAPSHOT_RESPONSE':
      w.u64(msg.height).u32(msg.part).bytesU32(msg.bytes, Caps.snapshotPart, 'snapshot part');
      break;
    case 'ERROR':
      w.u16(msg.code).bytesU16(
        new TextEncoder().encode(msg.text.slice(0, Caps.errorText)),
        Caps.errorText * 4,
        'text',
      );
      break;
  }
  const out = w.finish();
  if (out.length > MESSAGE_CAPS[msg.type]) {
    throw new NetworkError('MESSAGE_TOO_LARGE', 'encoded message over its cap', {
      type: msg.type,
      size: out.length,
    });
  }
  return out;
}

/**
 * Decodes one message. `allowed` restricts the accepted types (a topic or protocol accepts only
 * its own); anything else is MESSAGE_NOT_ALLOWED.
 */
export function decodeMessage(bytes: Uint8Array, allowed?: ReadonlySet<MessageTypeName>): NetworkMessage {
  if (bytes.length > MAX_MESSAGE_BYTES) {
    throw new NetworkError('MESSAGE_TOO_LARGE', 'message over the global cap', { size: bytes.length });
  }
  if (bytes.length < 2) {
    throw new NetworkError('MESSAGE_TRUNCATED', 'message shorter than its envelope', {
      field: 'envelope',
      needed: 2,
      remaining: bytes.length,
    });
  }
  if (bytes[0] !== WIRE_VERSION) {
    throw new NetworkError('MESSAGE_UNKNOWN_VERSION', 'unknown wire version', { version: bytes[0] });
  }
  const type = TYPE_BY_CODE.get(bytes[1]!);
  if (!type) throw new NetworkError('MESSAGE_UNKNOWN_TYPE', 'unknown message type', { code: bytes[1] });
  if (allowed && !allowed.has(type)) {
    throw new NetworkError('MESSAGE_NOT_ALLOWED', 'message type not allowed here', { type });
  }
  if (bytes.length > MESSAGE_CAPS[type]) {
    throw new NetworkError('MESSAGE_TOO_LARGE', 'message over its type cap', {
      type,
      size: bytes.length,
      cap: MESSAGE_CAPS[type],
    });
  }
  const r = new ByteReader(bytes.subarray(2), readError, type);
  const msg = decodePayload(type, r);
  r.end();
  return msg;
}

function decodePayload(type: MessageTypeName, r: ByteReader): NetworkMessage {
  switch (type) {
    case 'TX':
      return { type, tx: r.bytesU32(Caps.tx, 'tx') };
    case 'TXS': {
      const count = r.u16('count');
      checkRange(count, 1, Caps.txBatch, 'txs');
      const n = r.count(count, Caps.txBatch, 4, 'txs');
      const txs: Uint8Array[] = [];
      for (let i = 0; i < n; i++) txs.push(r.bytesU32(Caps.tx, 'tx'));
      return { type, txs };
    }
    case 'PROPOSAL':
      return {
        type,
        height: r.u64('height'),
        round: r.u32('round'),
        body: r.bytesU32(Caps.proposal, 'proposal'),
      };
    case 'VOTE': {
      const height = r.u64('height');
      const round = r.u32('round');
      const kind = r.u8('kind');
      checkVoteKind(kind);
      return {
        type,
        height,
        round,
        kind,
        blockHash: r.bytes(32, 'blockHash'),
        validator: r.bytes(32, 'validator'),
        signature: r.bytes(64, 'signature'),
      };
    }
    case 'EVIDENCE':
      return { type, body: r.bytesU32(Caps.evidence, 'evidence') };
    case 'COMPUTE':
      return { type, kind: r.u8('kind'), body: r.bytesU32(Caps.compute, 'compute') };
    case 'HEARTBEAT':
      return {
        type,
        validator: r.bytes(32, 'validator'),
        peerId: r.bytesU16(Caps.peerId, 'peerId'),
        timestampMs: r.u64('timestampMs'),
        height: r.u64('height'),
        signature: r.bytes(64, 'signature'),
      };
    case 'BLOCK_SYNC_REQUEST': {
      const fromHeight = r.u64('fromHeight');
      const maxBlocks = r.u16('maxBlocks');
      checkRange(maxBlocks, 1, Caps.syncMaxBlocks, 'maxBlocks');
      return { type, fromHeight, maxBlocks };
    }
    case 'BLOCK_SYNC_RESPONSE': {
      const n = r.count(r.u16('count'), Caps.syncMaxBlocks, 8 + 32 + 4 + 4, 'blocks');
      const blocks: SyncedBlock[] = [];
      for (let i = 0; i < n; i++) {
        blocks.push({
          height: r.u64('height'),
          hash: r.bytes(32, 'hash'),
          block: r.bytesU32(Caps.syncBlock, 'block'),
          qc: r.bytesU32(Caps.syncQc, 'qc'),
        });
      }
      return { type, blocks };
    }
    case 'DIRECT':
      return { type, kind: r.u16('kind'), body: r.bytesU32(Caps.direct, 'direct') };
    case 'SNAPSHOT_REQUEST':
      return { type, height: r.u64('height'), part: r.u32('part') };
    case 'SNAPSHOT_RESPONSE':
      return {
        type,
        height: r.u64('height'),
        part: r.u32('part'),
        bytes: r.bytesU32(Caps.snapshotPart, 'snapshot part'),
      };
    case 'ERROR': {
      const code = r.u16('code');
      const raw = r.bytesU16(Caps.errorText * 4, 'text');
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
      } catch (err) {
        throw new NetworkError('MESSAGE_INVALID', 'error text is not utf-8', {}, { cause: err });
      }
      return { type, code, text };
    }
  }
}

function checkVoteKind(kind: number): void {
  if (kind !== VoteKind.PREVOTE && kind !== VoteKind.PRECOMMIT) {
    throw new NetworkError('MESSAGE_INVALID', 'unknown vote kind', { kind });
  }
}

function checkRange(v: number, min: number, max: number, field: string): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new NetworkError('MESSAGE_INVALID', `${field} out of range`, { field, value: v, min, max });
  }
}
