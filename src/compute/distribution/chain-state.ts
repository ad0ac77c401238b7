import { computeReader, computeWriter } from '../codec.js';
import { ComputeError } from '../errors.js';
import {
  decodeSignedResult,
  encodeSignedResult,
  MAX_SIGNED_RESULT_BYTES as MAX_RESULT_BYTES,
} from '../record.js';
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

export function encodeJobChain(c: JobChain): Uint8Array {
  const w = computeWriter('job chain state', 1024)
    .u8(VERSION, 'version')
    .u8(STATUSES.indexOf(c.status), 'status')
    .u64(c.admittedHeight, 'admitted height')
    .u8(c.attempt, 'attempt')
    .u64(c.attemptHeight, 'attempt height')
    .u8(c.k, 'k')
    .u8(c.ranked.length, 'ranked count');
  for (const key of c.ranked) w.fixed(key, 32, 'ranked');
  w.u8(c.used, 'used').u8(c.current.length, 'current count');
  for (const i of c.current) w.u8(i, 'current');
  w.u16(c.results.length, 'result count');
  for (const r of c.results) w.bytesU32(encodeSignedResult(r), MAX_RESULT_BYTES, 'result');
  return w.finish();
}

export function decodeJobChain(bytes: Uint8Array): JobChain {
  const r = computeReader(bytes, 'job chain state');
  if (r.u8('version') !== VERSION) {
    throw new ComputeError('JOB_UNSUPPORTED_VERSION', 'unknown job chain state');
  }
  const status = STATUSES[r.u8('status')];
  if (!status) r.fail('invalid', 'unknown job chain status', 'status');
  const admittedHeight = r.u64('admitted height');
  const attempt = r.u8('attempt');
  const attemptHeight = r.u64('attempt height');
  const k = r.u8('k');
  const n = r.count(r.u8('ranked count'), 255, 32, 'ranked');
  const ranked = Array.from({ length: n }, () => r.bytes(32, 'ranked'));
  const used = r.u8('used');
  const m = r.count(r.u8('current count'), 255, 1, 'current');
  const current = Array.from({ length: m }, () => r.u8('current'));
  const resultCount = r.count(r.u16('result count'), 0xffff, 4, 'results');
  const results = Array.from({ length: resultCount }, () =>
    decodeSignedResult(r.view(r.length('u32', MAX_RESULT_BYTES, 'result'), 'result')),
  );
  r.end();
  if (used > n || current.some((i) => i >= used) || k > n) {
    throw new ComputeError('JOB_MALFORMED', 'job chain state indices out of range');
  }
  return { status, admittedHeight, attempt, attemptHeight, k, ranked, used, current, results };
}
