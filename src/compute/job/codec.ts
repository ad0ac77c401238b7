import type { ByteWriter } from '../../common/index.js';
import { Groth16Proof, PROOF_WIRE_BYTES } from '../../privacy/index.js';
import { computeReader, computeWriter, readComputeField } from '../codec.js';
import { ComputeError, type ComputeErrorContexts } from '../errors.js';
import {
  MAX_EXECUTORS,
  MAX_FUEL,
  MAX_INPUT_BYTES,
  MAX_JOB_BYTES,
  MAX_MEMORY_PAGES,
  MAX_OUTPUT_BYTES,
  MAX_WASM_BYTES,
} from '../limits.js';
import { JOB_VERSION, type Job } from './job.js';

// Wire layout v1 (docs/protocol.md §Compute jobs). Integers little-endian; field elements 32 bytes
// little-endian and canonical. The body is everything before the proof; the job id hashes it.
const MAGIC = new TextEncoder().encode('PLMJ');
export const WRAPPED_KEY_BYTES = 48;

/** The parameters the input envelope is bound to (associated data of every wrap). */
export function encodeParams(
  job: Omit<Job, 'input' | 'proof'> & { input: { executors: readonly Uint8Array[] } },
): Uint8Array {
  const w = computeWriter('job', 128 + job.wasm.length + 32 * job.input.executors.length);
  writeParams(w, job);
  return w.finish();
}

function writeParams(
  w: ByteWriter,
  job: Omit<Job, 'input' | 'proof'> & { input: { executors: readonly Uint8Array[] } },
): void {
  w.raw(MAGIC)
    .u8(JOB_VERSION, 'version')
    .bytesU32(job.wasm, MAX_WASM_BYTES, 'module')
    .u64(job.fuelLimit, 'fuel limit')
    .u32(job.memoryPages, 'memory pages')
    .u32(job.outputCap, 'output cap')
    .u64(job.fee, 'fee')
    .fixed(job.outputKey, 32, 'output key')
    .u256(job.ownership.scope, 'scope')
    .u64(job.ownership.minAmount, 'min amount')
    .u256(job.ownership.root, 'root')
    .u256(job.ownership.tag, 'tag')
    .u8(job.input.executors.length, 'executor count');
  for (const e of job.input.executors) w.fixed(e, 32, 'executor');
}

function writeBody(w: ByteWriter, job: Omit<Job, 'proof'>): void {
  writeParams(w, job);
  w.fixed(job.input.ephemeralKey, 32, 'ephemeral key');
  for (const k of job.input.wrappedKeys) w.fixed(k, WRAPPED_KEY_BYTES, 'wrapped key');
  w.bytesU32(job.input.ciphertext, MAX_INPUT_BYTES + 16, 'input');
}

function bodySize(job: Omit<Job, 'proof'>): number {
  return 256 + job.wasm.length + 96 * job.input.executors.length + job.input.ciphertext.length;
}

/** The body: parameters followed by the input envelope. */
export function encodeBody(job: Omit<Job, 'proof'>): Uint8Array {
  const w = computeWriter('job', bodySize(job));
  writeBody(w, job);
  return w.finish();
}

export function encodeJob(job: Job): Uint8Array {
  const proof = job.proof ? job.proof.toWire() : new Uint8Array(0);
  const w = computeWriter('job', bodySize(job) + 1 + proof.length);
  writeBody(w, job);
  w.u8(proof.length, 'proof length').raw(proof);
  return w.finish();
}

function limit(ok: boolean, message: string, context: ComputeErrorContexts['JOB_LIMIT_EXCEEDED']): void {
  if (!ok) throw new ComputeError('JOB_LIMIT_EXCEEDED', message, context);
}

/** Checks every limit a job declares; shared by the decoder and the builder. */
export function checkJobLimits(job: Omit<Job, 'proof'>): void {
  limit(job.wasm.length <= MAX_WASM_BYTES, 'module too large', { size: job.wasm.length });
  limit(job.fuelLimit > 0n && job.fuelLimit <= MAX_FUEL, 'fuel limit out of range', {
    fuel: String(job.fuelLimit),
  });
  limit(job.memoryPages >= 1 && job.memoryPages <= MAX_MEMORY_PAGES, 'memory limit out of range', {
    pages: job.memoryPages,
  });
  limit(job.outputCap <= MAX_OUTPUT_BYTES, 'output cap too large', { outputCap: job.outputCap });
  limit(job.fee < 1n << 64n && job.fee >= 0n, 'fee out of range', {});
  limit(job.ownership.minAmount < 1n << 64n && job.ownership.minAmount >= 0n, 'min amount out of range', {});
  const k = job.input.executors.length;
  limit(k >= 1 && k <= MAX_EXECUTORS, `a job needs 1..${MAX_EXECUTORS} executors`, { executors: k });
  limit(job.input.wrappedKeys.length === k, 'one wrapped key per executor', {});
  limit(job.input.ciphertext.length <= MAX_INPUT_BYTES + 16, 'input too large', {});
  if (job.outputKey.length !== 32) throw new ComputeError('JOB_MALFORMED', 'output key must be 32 bytes');
}

export function decodeJob(bytes: Uint8Array): Job {
  if (bytes.length > MAX_JOB_BYTES) {
    throw new ComputeError('JOB_LIMIT_EXCEEDED', `job is ${bytes.length} bytes, the cap is ${MAX_JOB_BYTES}`);
  }
  const r = computeReader(bytes, 'job');
  const magic = r.view(4, 'magic');
  if (magic.some((b, i) => b !== MAGIC[i])) throw new ComputeError('JOB_MALFORMED', 'not a compute job');
  const version = r.u8('version');
  if (version !== JOB_VERSION) {
    throw new ComputeError('JOB_UNSUPPORTED_VERSION', `job version ${version} is not supported`, { version });
  }
  const wasm = r.bytesU32(MAX_WASM_BYTES, 'module');
  const fuelLimit = r.u64('fuel limit');
  const memoryPages = r.u32('memory pages');
  const outputCap = r.u32('output cap');
  const fee = r.u64('fee');
  const outputKey = r.bytes(32, 'output key');
  const scope = readComputeField(r, 'scope');
  const minAmount = r.u64('min amount');
  const root = readComputeField(r, 'root');
  const tag = readComputeField(r, 'tag');
  const k = r.u8('executor count');
  limit(k >= 1 && k <= MAX_EXECUTORS, `a job needs 1..${MAX_EXECUTORS} executors`, { executors: k });
  const executors = Array.from({ length: k }, () => r.bytes(32, 'executor'));
  const ephemeralKey = r.bytes(32, 'ephemeral key');
  const wrappedKeys = Array.from({ length: k }, () => r.bytes(WRAPPED_KEY_BYTES, 'wrapped key'));
  const ciphertext = r.bytesU32(MAX_INPUT_BYTES + 16, 'input');
  const proofLength = r.u8('proof length');
  if (proofLength !== 0 && proofLength !== PROOF_WIRE_BYTES) {
    throw new ComputeError('JOB_MALFORMED', `proof must be 0 or ${PROOF_WIRE_BYTES} bytes`, { proofLength });
  }
  let proof: Groth16Proof | undefined;
  if (proofLength > 0) {
    const wire = r.bytes(proofLength, 'proof');
    try {
      proof = Groth16Proof.fromWire(wire);
    } catch (e) {
      throw new ComputeError('OWNERSHIP_INVALID', 'ownership proof does not decode', {}, { cause: e });
    }
  }
  r.end();
  const job: Job = {
    wasm,
    fuelLimit,
    memoryPages,
    outputCap,
    fee,
    outputKey,
    ownership: { root, scope, minAmount, tag },
    input: { executors, ephemeralKey, wrappedKeys, ciphertext },
    proof,
  };
  checkJobLimits(job);
  return job;
}
