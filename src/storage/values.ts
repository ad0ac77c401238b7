import { ByteReader, type CodecErrorFactory } from '../common/index.js';
import { FIELD_MODULUS, type Field, fieldFromBytesCanonical, fieldToBytesLE } from '../privacy/index.js';
import { StorageError, type StorageErrorContexts } from './errors.js';

/** Parses a stored 32-byte field element; a non-canonical or mis-sized value is corruption. */
export function readField(
  bytes: Uint8Array,
  what: string,
  context: StorageErrorContexts['VALUE_CORRUPT'] = {},
): Field {
  try {
    return fieldFromBytesCanonical(bytes);
  } catch (err) {
    throw new StorageError('VALUE_CORRUPT', `stored ${what} is not a canonical field element`, context, {
      cause: err,
    });
  }
}

export function writeField(value: Field): Uint8Array {
  return fieldToBytesLE(value);
}

const corrupt: CodecErrorFactory = (_kind, message, context) =>
  new StorageError('VALUE_CORRUPT', `stored ${message}`, { ...context });

/** A reader over one stored record: whatever does not decode (short, long, out of range) is corruption. */
export function recordReader(bytes: Uint8Array, what: string): ByteReader {
  return new ByteReader(bytes, corrupt, what);
}

/** A stored field element: 32 bytes LE, canonical (< p). */
export function readRecordField(r: ByteReader, name = 'field element'): Field {
  return r.u256Below(FIELD_MODULUS, name) as Field;
}

export function u64LE(value: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, value, true);
  return out;
}

export function u32LE(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

/** A plain Uint8Array view of a Buffer (what the stores return: callers compare bytes, not Buffers). */
export function plain(bytes: Uint8Array): Uint8Array;
export function plain(bytes: Uint8Array | undefined): Uint8Array | undefined;
export function plain(bytes: Uint8Array | undefined): Uint8Array | undefined {
  return bytes === undefined ? undefined : new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
