import { type Field, fieldFromBytesCanonical, fieldToBytesLE } from '../privacy/index.js';
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

/** Bounds-checked little-endian reader for stored records. */
export class RecordReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(n: number): void {
    if (this.offset + n > this.bytes.length) {
      throw new StorageError('VALUE_CORRUPT', `stored ${this.what} is truncated`, {
        length: this.bytes.length,
        wanted: this.offset + n,
      });
    }
  }

  u8(): number {
    this.need(1);
    return this.bytes[this.offset++]!;
  }

  u32(): number {
    this.need(4);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  u64(): bigint {
    this.need(8);
    const v = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    return v;
  }

  bytes32(): Uint8Array {
    return this.take(32);
  }

  take(n: number): Uint8Array {
    this.need(n);
    const out = new Uint8Array(this.bytes.subarray(this.offset, this.offset + n));
    this.offset += n;
    return out;
  }

  rest(): Uint8Array {
    return this.take(this.bytes.length - this.offset);
  }

  field(): Field {
    return readField(this.bytes32(), this.what);
  }

  end(): void {
    if (this.offset !== this.bytes.length) {
      throw new StorageError('VALUE_CORRUPT', `stored ${this.what} has trailing bytes`, {
        length: this.bytes.length,
        used: this.offset,
      });
    }
  }
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
