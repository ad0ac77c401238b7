import { concatBytes, u64ToBytesLE } from '../../common/index.js';
import { ComputeError } from '../errors.js';
import { decodeSignedResult, encodeSignedResult } from '../record.js';
import type { SignedResult } from '../result.js';

// A job's state on the chain, derived from block contents only (so every validator holds the same
// bytes), stored under the job id (docs/protocol.md §Compute jobs, "Chain state"):
//   version u8 = 1 | state u8 (0 admitted, 1 final, 2 failed) | admitted_height u64 | attempt u8 |
//   attempt_height u64 | k u8 | n u8 | n x ranked executor Ed25519 [32] | used u8 |
//   m u8 | m x current executor index u8 | r u16 | r x (len u32 | signed result)
// `used`: ranked[0..used) have been assigned in some attempt (the first k, then backups in order).

const VERSION = 1;
export type JobChainStatus = 'admitted' | 'final' | 'failed';
const STATUSES: readonly JobChainStatus[] = ['admitted', 'final', 'failed'];

export interface JobChain {
  readonly status: JobChainStatus;
  readonly admittedHeight: bigint;
  readonly attempt: number;
  /** Height of the block that started the current attempt (admission for attempt 0). */
  readonly attemptHeight: bigint;
  readonly k: number;
  readonly ranked: readonly Uint8Array[];
  readonly used: number;
  readonly current: readonly number[];
  /** Results recorded in blocks, in block order. */
  readonly results: readonly SignedResult[];
}

export function newJobChain(ranked: readonly Uint8Array[], k: number, height: bigint): JobChain {
  return {
    status: 'admitted',
    admittedHeight: height,
    attempt: 0,
    attemptHeight: height,
    k,
    ranked,
    used: k,
    current: Array.from({ length: k }, (_, i) => i),
    results: [],
  };
}

/** Ed25519 keys of the current attempt's executors. */
export function currentExecutors(chain: JobChain): Uint8Array[] {
  return chain.current.map((i) => chain.ranked[i]!);
}

/** Every executor some attempt assigned (results of earlier attempts still count). */
export function everAssigned(chain: JobChain): Uint8Array[] {
  return chain.ranked.slice(0, chain.used);
}

function u16(v: number): Uint8Array {
  const b = new Uint8Array(2);
  new DataView(b.buffer).setUint16(0, v, true);
  return b;
}
function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

export function encodeJobChain(c: JobChain): Uint8Array {
  return concatBytes(
    Uint8Array.of(VERSION, STATUSES.indexOf(c.status)),
    u64ToBytesLE(c.admittedHeight),
    Uint8Array.of(c.attempt),
    u64ToBytesLE(c.attemptHeight),
    Uint8Array.of(c.k, c.ranked.length),
    ...c.ranked,
    Uint8Array.of(c.used, c.current.length, ...c.current),
    u16(c.results.length),
    ...c.results.flatMap((r) => {
      const bytes = encodeSignedResult(r);
      return [u32(bytes.length), bytes];
    }),
  );
}

export function decodeJobChain(bytes: Uint8Array): JobChain {
  let at = 0;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (n: number) => {
    if (at + n > bytes.length) throw new ComputeError('JOB_MALFORMED', 'job chain state truncated');
    const start = at;
    at += n;
    return start;
  };
  const u8 = () => bytes[need(1)]!;
  const u64 = () => view.getBigUint64(need(8), true);
  if (u8() !== VERSION) throw new ComputeError('JOB_UNSUPPORTED_VERSION', 'unknown job chain state');
  const status = STATUSES[u8()];
  if (!status) throw new ComputeError('JOB_MALFORMED', 'unknown job chain status');
  const admittedHeight = u64();
  const attempt = u8();
  const attemptHeight = u64();
  const k = u8();
  const n = u8();
  const ranked = Array.from({ length: n }, () => bytes.slice(need(32), at));
  const used = u8();
  const m = u8();
  const current = Array.from({ length: m }, () => u8());
  const r = view.getUint16(need(2), true);
  const results = Array.from({ length: r }, () => {
    const len = view.getUint32(need(4), true);
    return decodeSignedResult(bytes.subarray(need(len), at));
  });
  if (at !== bytes.length) throw new ComputeError('JOB_MALFORMED', 'trailing bytes after job chain state');
  if (used > n || current.some((i) => i >= used) || k > n) {
    throw new ComputeError('JOB_MALFORMED', 'job chain state indices out of range');
  }
  return { status, admittedHeight, attempt, attemptHeight, k, ranked, used, current, results };
}
