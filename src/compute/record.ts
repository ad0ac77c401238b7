import { concatBytes, u64ToBytesLE } from '../common/index.js';
import { fieldFromBytesCanonical } from '../privacy/index.js';
import type { AgreementOutcome } from './agreement.js';
import { ComputeError } from './errors.js';
import { jobIdBytes } from './job/job-id.js';
import { MAX_OUTPUT_BYTES } from './limits.js';
import { type ExecutionResult, outputHash, resultCommitment, type SignedResult } from './result.js';
import type { RunStatus } from './sandbox/protocol.js';

// Byte codecs for what the compute layer stores and sends (docs/protocol.md §Compute jobs):
// a signed result, the final record of a job, and audit-log entries. Little-endian integers.

const RECORD_VERSION = 1;
const STATUSES: readonly RunStatus[] = ['ok', 'out_of_fuel', 'trap', 'abort', 'bad_output'];
const MAX_CIPHERTEXT = 32 + MAX_OUTPUT_BYTES + 16;

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v >>> 0, true);
  return b;
}

/** executor [32] | signature [64] | job id [32] | status u8 | abort u32 | fuel u64 | ct_len u32 | ct. */
export function encodeSignedResult(s: SignedResult): Uint8Array {
  const r = s.result;
  return concatBytes(
    s.executor,
    s.signature,
    jobIdBytes(r.jobId),
    Uint8Array.of(STATUSES.indexOf(r.status)),
    u32(r.abortCode),
    u64ToBytesLE(r.fuelUsed),
    u32(r.outputCiphertext.length),
    r.outputCiphertext,
  );
}

class Cursor {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}
  take(n: number): Uint8Array {
    if (this.offset + n > this.bytes.length) throw new ComputeError('JOB_MALFORMED', 'record truncated');
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  u8(): number {
    return this.take(1)[0]!;
  }
  u32(): number {
    const b = this.take(4);
    return new DataView(b.buffer).getUint32(0, true);
  }
  u64(): bigint {
    const b = this.take(8);
    return new DataView(b.buffer).getBigUint64(0, true);
  }
}

function readSignedResult(c: Cursor): SignedResult {
  const executor = c.take(32);
  const signature = c.take(64);
  let jobId: ReturnType<typeof fieldFromBytesCanonical>;
  try {
    jobId = fieldFromBytesCanonical(c.take(32));
  } catch (e) {
    throw new ComputeError(
      'JOB_MALFORMED',
      'result job id is not a canonical field element',
      {},
      { cause: e },
    );
  }
  const status = STATUSES[c.u8()];
  if (!status) throw new ComputeError('JOB_MALFORMED', 'unknown result status');
  const abortCode = c.u32();
  const fuelUsed = c.u64();
  const length = c.u32();
  if (length > MAX_CIPHERTEXT) throw new ComputeError('JOB_LIMIT_EXCEEDED', 'output ciphertext too large');
  const outputCiphertext = c.take(length);
  // The commitment and output hash are recomputed, never read: a record cannot claim its own.
  const partial = { jobId, status, abortCode, fuelUsed, outputCiphertext };
  return rebuild(executor, signature, partial);
}

export function decodeSignedResult(bytes: Uint8Array): SignedResult {
  const c = new Cursor(bytes);
  const s = readSignedResult(c);
  if (c.offset !== bytes.length) throw new ComputeError('JOB_MALFORMED', 'trailing bytes after the result');
  return s;
}

/** The record stored when a job is final: version | result | agreeing | disagreeing (u8 count, keys). */
export interface FinalRecord {
  readonly result: SignedResult;
  readonly agreeing: readonly Uint8Array[];
  readonly disagreeing: readonly Uint8Array[];
}

export function encodeFinalRecord(outcome: AgreementOutcome): Uint8Array {
  if (!outcome.final) throw new ComputeError('RESULT_WRONG_JOB', 'the job has no final result yet');
  const keys = (hexes: readonly string[]) =>
    concatBytes(Uint8Array.of(hexes.length), ...hexes.map((h) => Uint8Array.from(Buffer.from(h, 'hex'))));
  return concatBytes(
    Uint8Array.of(RECORD_VERSION),
    encodeSignedResult(outcome.final),
    keys(outcome.agreeing),
    keys(outcome.disagreeing),
  );
}

export function decodeFinalRecord(bytes: Uint8Array): FinalRecord {
  const c = new Cursor(bytes);
  if (c.u8() !== RECORD_VERSION) throw new ComputeError('JOB_UNSUPPORTED_VERSION', 'unknown result record');
  const result = readSignedResult(c);
  const keys = () => Array.from({ length: c.u8() }, () => c.take(32));
  const agreeing = keys();
  const disagreeing = keys();
  if (c.offset !== bytes.length) throw new ComputeError('JOB_MALFORMED', 'trailing bytes after the record');
  return { result, agreeing, disagreeing };
}

function rebuild(
  executor: Uint8Array,
  signature: Uint8Array,
  partial: Omit<ExecutionResult, 'outputHash'>,
): SignedResult {
  const result: ExecutionResult = { ...partial, outputHash: outputHash(partial.outputCiphertext) };
  return { executor, signature, commitment: resultCommitment(result), result };
}
