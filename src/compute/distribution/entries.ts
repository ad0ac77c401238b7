import { concatBytes } from '../../common/index.js';
import { ComputeError } from '../errors.js';
import { MAX_EXECUTORS } from '../limits.js';

// Block section entries (docs/protocol.md §Compute jobs, "Block sections").
//   kind 2, a job:    version u8 = 1 | n u8 | n x ranked executor Ed25519 key [32] | job wire form
//   kind 3, a result: the signed result codec (record.ts encodeSignedResult)
// The job entry names its executors' Ed25519 keys so applying it (and replaying it after a crash,
// before the validator set is known) needs nothing but the block; `check` verifies them against
// the validator set and the envelope.

export const JOBS_SECTION_KIND = 2;
export const RESULTS_SECTION_KIND = 3;
const JOB_ENTRY_VERSION = 1;

export interface JobEntry {
  readonly ranked: readonly Uint8Array[];
  readonly jobBytes: Uint8Array;
}

export function encodeJobEntry(e: JobEntry): Uint8Array {
  return concatBytes(Uint8Array.of(JOB_ENTRY_VERSION, e.ranked.length), ...e.ranked, e.jobBytes);
}

export function decodeJobEntry(bytes: Uint8Array): JobEntry {
  if (bytes.length < 2 || bytes[0] !== JOB_ENTRY_VERSION) {
    throw new ComputeError('JOB_MALFORMED', 'not a compute job entry');
  }
  const n = bytes[1]!;
  if (n < 1 || n > MAX_EXECUTORS || bytes.length < 2 + 32 * n) {
    throw new ComputeError('JOB_MALFORMED', 'job entry executor list out of range', { n });
  }
  const ranked = Array.from({ length: n }, (_, i) => bytes.slice(2 + 32 * i, 2 + 32 * (i + 1)));
  return { ranked, jobBytes: bytes.slice(2 + 32 * n) };
}
