import { concatBytes, u64ToBytesLE } from '../../common/index.js';
import {
  type Field,
  fieldFromBytesCanonical,
  fieldToBytesLE,
  Groth16Proof,
  PROOF_WIRE_BYTES,
} from '../../privacy/index.js';
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

function u32(v: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, v, true);
  return b;
}

/** The parameters the input envelope is bound to (associated data of every wrap). */
export function encodeParams(
  job: Omit<Job, 'input' | 'proof'> & { input: { executors: readonly Uint8Array[] } },
): Uint8Array {
  return concatBytes(
    MAGIC,
    Uint8Array.of(JOB_VERSION),
    u32(job.wasm.length),
    job.wasm,
    u64ToBytesLE(job.fuelLimit),
    u32(job.memoryPages),
    u32(job.outputCap),
    u64ToBytesLE(job.fee),
    job.outputKey,
    fieldToBytesLE(job.ownership.scope),
    u64ToBytesLE(job.ownership.minAmount),
    fieldToBytesLE(job.ownership.root),
    fieldToBytesLE(job.ownership.tag),
    Uint8Array.of(job.input.executors.length),
    ...job.input.executors,
  );
}

/** The body: parameters followed by the input envelope. */
export function encodeBody(job: Omit<Job, 'proof'>): Uint8Array {
  return concatBytes(
    encodeParams(job),
    job.input.ephemeralKey,
    ...job.input.wrappedKeys,
    u32(job.input.ciphertext.length),
    job.input.ciphertext,
  );
}

export function encodeJob(job: Job): Uint8Array {
  const proof = job.proof ? job.proof.toWire() : new Uint8Array(0);
  return concatBytes(encodeBody(job), Uint8Array.of(proof.length), proof);
}

class Reader {
  private offset = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get position(): number {
    return this.offset;
  }
  take(n: number, what: string): Uint8Array {
    if (n < 0 || this.offset + n > this.bytes.length) {
      throw new ComputeError('JOB_MALFORMED', `job truncated reading ${what}`, {
        offset: this.offset,
        need: n,
      });
    }
    const out = this.bytes.slice(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }
  u8(what: string): number {
    return this.take(1, what)[0]!;
  }
  u32(what: string): number {
    const v = this.view.getUint32(this.need(4, what), true);
    return v;
  }
  u64(what: string): bigint {
    return this.view.getBigUint64(this.need(8, what), true);
  }
  field(what: string): Field {
    const bytes = this.take(32, what);
    try {
      return fieldFromBytesCanonical(bytes);
    } catch (e) {
      throw new ComputeError('JOB_MALFORMED', `${what} is not a canonical field element`, {}, { cause: e });
    }
  }
  /** Length prefix checked against a cap before anything of that size is allocated. */
  length(what: string, cap: number): number {
    const n = this.u32(what);
    if (n > cap)
      throw new ComputeError('JOB_LIMIT_EXCEEDED', `${what} is ${n} bytes, the cap is ${cap}`, {
        size: n,
        cap,
      });
    return n;
  }
  end(): void {
    if (this.offset !== this.bytes.length) {
      throw new ComputeError('JOB_MALFORMED', 'trailing bytes after the job', {
        extra: this.bytes.length - this.offset,
      });
    }
  }
  private need(n: number, what: string): number {
    const at = this.offset;
    this.take(n, what);
    return at;
  }
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
  const r = new Reader(bytes);
  const magic = r.take(4, 'magic');
  if (magic.some((b, i) => b !== MAGIC[i])) throw new ComputeError('JOB_MALFORMED', 'not a compute job');
  const version = r.u8('version');
  if (version !== JOB_VERSION) {
    throw new ComputeError('JOB_UNSUPPORTED_VERSION', `job version ${version} is not supported`, { version });
  }
  const wasm = r.take(r.length('module', MAX_WASM_BYTES), 'module');
  const fuelLimit = r.u64('fuel limit');
  const memoryPages = r.u32('memory pages');
  const outputCap = r.u32('output cap');
  const fee = r.u64('fee');
  const outputKey = r.take(32, 'output key');
  const scope = r.field('scope');
  const minAmount = r.u64('min amount');
  const root = r.field('root');
  const tag = r.field('tag');
  const k = r.u8('executor count');
  limit(k >= 1 && k <= MAX_EXECUTORS, `a job needs 1..${MAX_EXECUTORS} executors`, { executors: k });
  const executors = Array.from({ length: k }, (_, i) => r.take(32, `executor ${i}`));
  const ephemeralKey = r.take(32, 'ephemeral key');
  const wrappedKeys = Array.from({ length: k }, (_, i) => r.take(WRAPPED_KEY_BYTES, `wrapped key ${i}`));
  const ciphertext = r.take(r.length('input', MAX_INPUT_BYTES + 16), 'input');
  const proofLength = r.u8('proof length');
  if (proofLength !== 0 && proofLength !== PROOF_WIRE_BYTES) {
    throw new ComputeError('JOB_MALFORMED', `proof must be 0 or ${PROOF_WIRE_BYTES} bytes`, { proofLength });
  }
  let proof: Groth16Proof | undefined;
  if (proofLength > 0) {
    const wire = r.take(proofLength, 'proof');
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
