import { type ByteReader, type ByteWriter, codecs, hexToBytes } from '../common/index.js';
import type { AgreementOutcome } from './agreement.js';
import { computeReader, computeWriter, readComputeField } from './codec.js';
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

/** executor [32] | signature [64] | job id [32] | status u8 | abort u32 | fuel u64 | ct_len u32 | ct. */
export function encodeSignedResult(s: SignedResult): Uint8Array {
  const w = computeWriter('result', SIGNED_RESULT_FIXED_BYTES + s.result.outputCiphertext.length);
  writeSignedResult(w, s);
  return w.finish();
}

const SIGNED_RESULT_FIXED_BYTES = 32 + 64 + 32 + 1 + 4 + 8 + 4;
/** Largest encoded signed result (its ciphertext at the cap). */
export const MAX_SIGNED_RESULT_BYTES = SIGNED_RESULT_FIXED_BYTES + MAX_CIPHERTEXT;

function writeSignedResult(w: ByteWriter, s: SignedResult): void {
  const r = s.result;
  w.fixed(s.executor, 32, 'executor')
    .fixed(s.signature, 64, 'signature')
    .raw(jobIdBytes(r.jobId))
    .u8(STATUSES.indexOf(r.status), 'status')
    .u32(r.abortCode >>> 0, 'abort code')
    .u64(r.fuelUsed, 'fuel used')
    .bytesU32(r.outputCiphertext, MAX_CIPHERTEXT, 'output ciphertext');
}

function readSignedResult(r: ByteReader): SignedResult {
  const executor = r.bytes(32, 'executor');
  const signature = r.bytes(64, 'signature');
  const jobId = readComputeField(r, 'result job id');
  const status = STATUSES[r.u8('status')];
  if (!status) r.fail('invalid', 'unknown result status', 'status');
  const abortCode = r.u32('abort code');
  const fuelUsed = r.u64('fuel used');
  const outputCiphertext = r.bytesU32(MAX_CIPHERTEXT, 'output ciphertext');
  // The commitment and output hash are recomputed, never read: a record cannot claim its own.
  const partial = { jobId, status, abortCode, fuelUsed, outputCiphertext };
  return rebuild(executor, signature, partial);
}

export function decodeSignedResult(bytes: Uint8Array): SignedResult {
  const r = computeReader(bytes, 'result');
  const s = readSignedResult(r);
  r.end();
  return s;
}

/** The record stored when a job is final: version | result | agreeing | disagreeing (u8 count, keys). */
export interface FinalRecord {
  readonly result: SignedResult;
  readonly agreeing: readonly Uint8Array[];
  readonly disagreeing: readonly Uint8Array[];
}

const executorKeys = codecs.array(codecs.fixedBytes(32), { count: 'u8', cap: 255 });

export function encodeFinalRecord(outcome: AgreementOutcome): Uint8Array {
  if (!outcome.final) throw new ComputeError('RESULT_WRONG_JOB', 'the job has no final result yet');
  const keys = (hexes: readonly string[]) => hexes.map((h) => hexToBytes(h));
  const w = computeWriter('result record', 512 + outcome.final.result.outputCiphertext.length);
  w.u8(RECORD_VERSION, 'version');
  writeSignedResult(w, outcome.final);
  executorKeys.write(w, keys(outcome.agreeing), 'agreeing');
  executorKeys.write(w, keys(outcome.disagreeing), 'disagreeing');
  return w.finish();
}

export function decodeFinalRecord(bytes: Uint8Array): FinalRecord {
  const r = computeReader(bytes, 'result record');
  if (r.u8('version') !== RECORD_VERSION) {
    throw new ComputeError('JOB_UNSUPPORTED_VERSION', 'unknown result record');
  }
  const result = readSignedResult(r);
  const agreeing = executorKeys.read(r, 'agreeing');
  const disagreeing = executorKeys.read(r, 'disagreeing');
  r.end();
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
