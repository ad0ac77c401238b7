import { bytesToHex, hexToBytes } from '../common/index.js';
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

class Writer {
  private readonly parts: number[] = [];
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  u64(v: bigint): this {
    for (let i = 0n; i < 8n; i++) this.parts.push(Number((v >> (8n * i)) & 0xffn));
    return this;
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

class Reader {
  private o = 0;
  constructor(private readonly b: Uint8Array) {}
  private take(n: number): Uint8Array {
    if (this.o + n > this.b.length) fail('message truncated', { need: n, at: this.o });
    const out = this.b.subarray(this.o, this.o + n);
    this.o += n;
    return out;
  }
  u8(): number {
    return this.take(1)[0]!;
  }
  u16(): number {
    const b = this.take(2);
    return b[0]! | (b[1]! << 8);
  }
  u32(): number {
    const b = this.take(4);
    return (b[0]! | (b[1]! << 8) | (b[2]! << 16)) + b[3]! * 2 ** 24;
  }
  u64(): bigint {
    const b = this.take(8);
    let v = 0n;
    for (let i = 7; i >= 0; i--) v = (v << 8n) | BigInt(b[i]!);
    return v;
  }
  bytes(n: number): Uint8Array {
    return this.take(n).slice();
  }
  get offset(): number {
    return this.o;
  }
  end(): void {
    if (this.o !== this.b.length) fail('trailing bytes', { trailing: this.b.length - this.o });
  }
}

/** The signed part of a request (everything but the signature). */
export function leaseRequestBody(r: LeaseRequest): Uint8Array {
  if (r.candidate.length !== 32) fail('candidate key must be 32 bytes');
  const snapshot = encodeSnapshot(r.snapshot);
  return new Writer()
    .u8(VERSION)
    .u64(r.term)
    .u64(r.seq)
    .bytes(r.candidate)
    .u16(r.priority)
    .u32(snapshot.length)
    .bytes(snapshot)
    .done();
}

export function decodeLeaseRequest(bytes: Uint8Array): {
  request: LeaseRequest;
  body: Uint8Array;
  signature: Uint8Array;
} {
  if (bytes.length > 64 + 1 + 8 + 8 + 32 + 2 + 4 + MAX_SNAPSHOT_BYTES) fail('request too large');
  const r = new Reader(bytes);
  if (r.u8() !== VERSION) fail('unknown lease request version');
  const term = r.u64();
  const seq = r.u64();
  const candidate = r.bytes(32);
  const priority = r.u16();
  const length = r.u32();
  if (length > MAX_SNAPSHOT_BYTES) fail('snapshot too large', { length });
  const snapshot = decodeSnapshot(r.bytes(length));
  const bodyEnd = r.offset;
  const signature = r.bytes(64);
  r.end();
  return { request: { term, seq, candidate, priority, snapshot }, body: bytes.slice(0, bodyEnd), signature };
}

export function leaseAnswerBody(a: LeaseAnswer): Uint8Array {
  return new Writer()
    .u8(VERSION)
    .u8(a.granted ? 1 : 0)
    .u64(a.term)
    .u64(a.seq)
    .u64(a.highestTerm)
    .bytes(a.granter)
    .bytes(a.candidate)
    .u32(a.candidacy < 0 ? 0xffffffff : a.candidacy)
    .done();
}

export function decodeLeaseAnswer(bytes: Uint8Array): {
  answer: LeaseAnswer;
  body: Uint8Array;
  signature: Uint8Array;
} {
  const r = new Reader(bytes);
  if (r.u8() !== VERSION) fail('unknown lease answer version');
  const granted = r.u8();
  if (granted > 1) fail('granted must be 0 or 1');
  const term = r.u64();
  const seq = r.u64();
  const highestTerm = r.u64();
  const granter = r.bytes(32);
  const candidate = r.bytes(32);
  const raw = r.u32();
  const bodyEnd = r.offset;
  const signature = r.bytes(64);
  r.end();
  return {
    answer: {
      granted: granted === 1,
      term,
      seq,
      highestTerm,
      granter,
      candidate,
      candidacy: raw === 0xffffffff ? -1 : raw,
    },
    body: bytes.slice(0, bodyEnd),
    signature,
  };
}

export const keyHex = (k: Uint8Array): string => bytesToHex(k);
export const keyBytes = (h: string): Uint8Array => hexToBytes(h);
