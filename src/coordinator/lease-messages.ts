import { ByteReader, bytesToHex, type Codec, codecs, createCodec, hexToBytes } from '../common/index.js';
import { malformedMessage } from './codec.js';
import { CoordinatorError, type CoordinatorErrorContexts } from './errors.js';

/** DIRECT kinds of the coordinator election (docs/protocol.md, "Coordinator election"). */
export const LEASE_KINDS = { request: 0x0201, answer: 0x0202 } as const;
const VERSION = 1;
/** Largest replicated snapshot in one heartbeat. */
export const MAX_SNAPSHOT_BYTES = 16 * 1024;

/** What the primary replicates to passives with every heartbeat (JSON, at most 16 KiB). */
export interface CoordinatorSnapshot {
  /** Last height the primary saw anchored. */
  readonly anchoredHeight: bigint;
  /** Recent settlements it made: L2 transaction id -> Solana signature. */
  readonly relayed: readonly (readonly [string, string])[];
  /** Candidates known to the primary, best priority first: who stands next. */
  readonly successors: readonly (readonly [string, number])[];
}

/**
 * A candidate's (or primary's) lease request, which is also the primary's heartbeat:
 * version u8 | term u64 | seq u64 | candidate [32] | priority u16 | snapshot length u32 | snapshot |
 * signature [64] over everything before it (validator coordination signature).
 */
export interface LeaseRequest {
  readonly term: bigint;
  readonly seq: bigint;
  readonly candidate: Uint8Array;
  readonly priority: number;
  readonly snapshot: CoordinatorSnapshot;
}

/**
 * A validator's answer: version u8 | granted u8 | term u64 | seq u64 | highest term u64 | granter [32] |
 * candidate [32] | granter's own candidacy i32 (-1: not a candidate) | signature [64].
 */
export interface LeaseAnswer {
  readonly granted: boolean;
  readonly term: bigint;
  readonly seq: bigint;
  readonly highestTerm: bigint;
  readonly granter: Uint8Array;
  readonly candidate: Uint8Array;
  readonly candidacy: number;
}

const enc = new TextEncoder();
const dec = new TextDecoder('utf-8', { fatal: true });

function fail(message: string, context: CoordinatorErrorContexts['MESSAGE_MALFORMED'] = {}): never {
  throw new CoordinatorError('MESSAGE_MALFORMED', message, context);
}

export function encodeSnapshot(s: CoordinatorSnapshot): Uint8Array {
  const bytes = enc.encode(
    JSON.stringify({
      anchoredHeight: s.anchoredHeight.toString(),
      relayed: s.relayed,
      successors: s.successors,
    }),
  );
  if (bytes.length > MAX_SNAPSHOT_BYTES) fail('snapshot too large', { length: bytes.length });
  return bytes;
}

export function decodeSnapshot(bytes: Uint8Array): CoordinatorSnapshot {
  if (bytes.length > MAX_SNAPSHOT_BYTES) fail('snapshot too large', { length: bytes.length });
  let raw: unknown;
  try {
    raw = JSON.parse(dec.decode(bytes));
  } catch {
    fail('snapshot is not JSON');
  }
  const o = raw as { anchoredHeight?: unknown; relayed?: unknown; successors?: unknown };
  const pairs = (v: unknown, second: 'string' | 'number') =>
    Array.isArray(v) &&
    v.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string' && typeof p[1] === second);
  if (typeof o.anchoredHeight !== 'string' || !/^\d{1,20}$/.test(o.anchoredHeight))
    fail('bad anchoredHeight');
  if (!pairs(o.relayed, 'string') || !pairs(o.successors, 'number')) fail('bad snapshot lists');
  return {
    anchoredHeight: BigInt(o.anchoredHeight),
    relayed: o.relayed as [string, string][],
    successors: o.successors as [string, number][],
  };
}

const REQUEST_BODY_BYTES = 1 + 8 + 8 + 32 + 2 + 4;
/** A granter's candidacy when it is not a candidate. */
const NO_CANDIDACY = 0xffff_ffff;

/** The signed part of a request: everything but the signature. */
const leaseRequestBodyCodec = createCodec<LeaseRequest>({
  what: 'lease request',
  readError: malformedMessage,
  size: () => REQUEST_BODY_BYTES + 1024,
  read(r) {
    if (r.u8('version') !== VERSION) r.fail('invalid', 'unknown lease request version', 'version');
    const term = r.u64('term');
    const seq = r.u64('seq');
    const candidate = r.bytes(32, 'candidate');
    const priority = r.u16('priority');
    const snapshot = decodeSnapshot(r.bytesU32(MAX_SNAPSHOT_BYTES, 'snapshot'));
    return { term, seq, candidate, priority, snapshot };
  },
  write(w, q) {
    w.u8(VERSION)
      .u64(q.term, 'term')
      .u64(q.seq, 'seq')
      .fixed(q.candidate, 32, 'candidate')
      .u16(q.priority, 'priority')
      .bytesU32(encodeSnapshot(q.snapshot), MAX_SNAPSHOT_BYTES, 'snapshot');
  },
});

const leaseAnswerBodyCodec = createCodec<LeaseAnswer>({
  what: 'lease answer',
  readError: malformedMessage,
  fixedSize: 1 + 1 + 8 + 8 + 8 + 32 + 32 + 4,
  read(r) {
    if (r.u8('version') !== VERSION) r.fail('invalid', 'unknown lease answer version', 'version');
    const granted = codecs.bool.read(r, 'granted');
    const term = r.u64('term');
    const seq = r.u64('seq');
    const highestTerm = r.u64('highest term');
    const granter = r.bytes(32, 'granter');
    const candidate = r.bytes(32, 'candidate');
    const raw = r.u32('candidacy');
    return {
      granted,
      term,
      seq,
      highestTerm,
      granter,
      candidate,
      candidacy: raw === NO_CANDIDACY ? -1 : raw,
    };
  },
  write(w, a) {
    w.u8(VERSION)
      .u8(a.granted ? 1 : 0)
      .u64(a.term, 'term')
      .u64(a.seq, 'seq')
      .u64(a.highestTerm, 'highest term')
      .fixed(a.granter, 32, 'granter')
      .fixed(a.candidate, 32, 'candidate')
      .u32(a.candidacy < 0 ? NO_CANDIDACY : a.candidacy, 'candidacy');
  },
});

/** A signed message: body | signature [64], nothing after it. */
function decodeSigned<T>(
  codec: Codec<T>,
  what: string,
  bytes: Uint8Array,
): { value: T; body: Uint8Array; signature: Uint8Array } {
  const r = new ByteReader(bytes, malformedMessage, what);
  const value = codec.read(r);
  const body = bytes.slice(0, r.offset);
  const signature = r.bytes(64, 'signature');
  r.end();
  return { value, body, signature };
}

export function leaseRequestBody(r: LeaseRequest): Uint8Array {
  return leaseRequestBodyCodec.encode(r);
}

export function decodeLeaseRequest(bytes: Uint8Array): {
  request: LeaseRequest;
  body: Uint8Array;
  signature: Uint8Array;
} {
  if (bytes.length > REQUEST_BODY_BYTES + MAX_SNAPSHOT_BYTES + 64) fail('request too large');
  const { value, body, signature } = decodeSigned(leaseRequestBodyCodec, 'lease request', bytes);
  return { request: value, body, signature };
}

export function leaseAnswerBody(a: LeaseAnswer): Uint8Array {
  return leaseAnswerBodyCodec.encode(a);
}

export function decodeLeaseAnswer(bytes: Uint8Array): {
  answer: LeaseAnswer;
  body: Uint8Array;
  signature: Uint8Array;
} {
  const { value, body, signature } = decodeSigned(leaseAnswerBodyCodec, 'lease answer', bytes);
  return { answer: value, body, signature };
}

export const keyHex = (k: Uint8Array): string => bytesToHex(k);
export const keyBytes = (h: string): Uint8Array => hexToBytes(h);
