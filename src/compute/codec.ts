import { ByteReader, ByteWriter, type CodecErrorFactory } from '../common/index.js';
import { FIELD_MODULUS, type Field } from '../privacy/index.js';
import { ComputeError } from './errors.js';

// Compute's binding of the common byte reader/writer (jobs, signed results, final records, job
// chain state): a length over its cap is JOB_LIMIT_EXCEEDED, anything else malformed JOB_MALFORMED.

const codecError: CodecErrorFactory = (kind, message, context) =>
  new ComputeError(kind === 'oversized' ? 'JOB_LIMIT_EXCEEDED' : 'JOB_MALFORMED', message, { ...context });

export function computeReader(bytes: Uint8Array, what: string): ByteReader {
  return new ByteReader(bytes, codecError, what);
}

export function computeWriter(what: string, capacity?: number): ByteWriter {
  return new ByteWriter(codecError, capacity, what);
}

/** 32 bytes LE, canonical (< p): never reduced. */
export function readComputeField(r: ByteReader, name: string): Field {
  return r.u256Below(FIELD_MODULUS, name) as Field;
}
