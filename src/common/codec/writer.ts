import type { CodecErrorContext, CodecErrorFactory, CodecErrorKind } from './errors.js';

const U64_END = 1n << 64n;
const I64_MIN = -(1n << 63n);
const I64_END = 1n << 63n;
const U256_END = 1n << 256n;
const MASK_64 = (1n << 64n) - 1n;

/**
 * Growable little-endian writer (BE where a method says so). Every value is range-checked, so bad
 * input never encodes: an integer that does not fit, a fixed field of the wrong length or a
 * prefixed field over its cap throws the module's error instead of wrapping or truncating.
 * Give `capacity` when the size is known: the buffer is then filled in place and returned as is.
 */
export class ByteWriter {
  private buf: Uint8Array;
  private data: DataView;
  private pos = 0;

  constructor(
    private readonly onError: CodecErrorFactory,
    capacity = 64,
    readonly what = 'value',
  ) {
    this.buf = new Uint8Array(capacity);
    this.data = new DataView(this.buf.buffer);
  }

  get length(): number {
    return this.pos;
  }

  /** Throws the module's error of `kind` at the current offset. */
  fail(
    kind: CodecErrorKind,
    message: string,
    field: string,
    extra: Omit<CodecErrorContext, 'what' | 'field' | 'offset'> = {},
  ): never {
    throw this.onError(kind, message, { what: this.what, field, offset: this.pos, ...extra });
  }

  /** Makes room for `n` more bytes and returns where they go. */
  // Callers take the offset first and only then touch this.buf / this.data, which claim may replace.
  private claim(n: number): number {
    const at = this.pos;
    const end = at + n;
    if (end > this.buf.length) {
      const grown = new Uint8Array(Math.max(end, this.buf.length * 2));
      grown.set(this.buf.subarray(0, at));
      this.buf = grown;
      this.data = new DataView(grown.buffer);
    }
    this.pos = end;
    return at;
  }

  private checkInt(v: number, max: number, field: string, type: string): void {
    if (!Number.isInteger(v) || v < 0 || v > max) {
      this.fail('invalid', `${this.what}: ${field} is not a ${type}`, field, { value: v });
    }
  }

  u8(v: number, field = 'u8'): this {
    this.checkInt(v, 0xff, field, 'u8');
    const at = this.claim(1);
    this.buf[at] = v;
    return this;
  }

  u16(v: number, field = 'u16'): this {
    this.checkInt(v, 0xffff, field, 'u16');
    const at = this.claim(2);
    this.data.setUint16(at, v, true);
    return this;
  }

  u32(v: number, field = 'u32'): this {
    this.checkInt(v, 0xffff_ffff, field, 'u32');
    const at = this.claim(4);
    this.data.setUint32(at, v, true);
    return this;
  }

  u32BE(v: number, field = 'u32'): this {
    this.checkInt(v, 0xffff_ffff, field, 'u32');
    const at = this.claim(4);
    this.data.setUint32(at, v, false);
    return this;
  }

  u64(v: bigint, field = 'u64'): this {
    if (v < 0n || v >= U64_END)
      this.fail('invalid', `${this.what}: ${field} is not a u64`, field, { value: `${v}` });
    const at = this.claim(8);
    this.data.setBigUint64(at, v, true);
    return this;
  }

  u64BE(v: bigint, field = 'u64'): this {
    if (v < 0n || v >= U64_END)
      this.fail('invalid', `${this.what}: ${field} is not a u64`, field, { value: `${v}` });
    const at = this.claim(8);
    this.data.setBigUint64(at, v, false);
    return this;
  }

  i64(v: bigint, field = 'i64'): this {
    if (v < I64_MIN || v >= I64_END) {
      this.fail('invalid', `${this.what}: ${field} is not an i64`, field, { value: `${v}` });
    }
    const at = this.claim(8);
    this.data.setBigInt64(at, v, true);
    return this;
  }

  /** An unsigned integer below 2^256 as 32 bytes little-endian (field elements). */
  u256(v: bigint, field = 'u256'): this {
    if (v < 0n || v >= U256_END) {
      this.fail('invalid', `${this.what}: ${field} is not a u256`, field, { value: `${v}` });
    }
    const at = this.claim(32);
    const d = this.data;
    d.setBigUint64(at, v & MASK_64, true);
    d.setBigUint64(at + 8, (v >> 64n) & MASK_64, true);
    d.setBigUint64(at + 16, (v >> 128n) & MASK_64, true);
    d.setBigUint64(at + 24, v >> 192n, true);
    return this;
  }

  /** Bytes as they are, no prefix. */
  raw(b: Uint8Array): this {
    const at = this.claim(b.length);
    this.buf.set(b, at);
    return this;
  }

  /** Exactly `n` bytes: anything else is refused. */
  fixed(b: Uint8Array, n: number, field = 'bytes'): this {
    if (b.length !== n) {
      this.fail('invalid', `${this.what}: ${field} must be ${n} bytes`, field, { length: b.length });
    }
    return this.raw(b);
  }

  /** u16 length then the bytes; longer than `cap` is refused. */
  bytesU16(b: Uint8Array, cap: number, field = 'bytes'): this {
    this.checkCap(b, Math.min(cap, 0xffff), field);
    return this.u16(b.length, field).raw(b);
  }

  /** u32 length then the bytes (Borsh `Vec<u8>`); longer than `cap` is refused. */
  bytesU32(b: Uint8Array, cap: number, field = 'bytes'): this {
    this.checkCap(b, Math.min(cap, 0xffff_ffff), field);
    return this.u32(b.length, field).raw(b);
  }

  private checkCap(b: Uint8Array, cap: number, field: string): void {
    if (b.length > cap) {
      this.fail('oversized', `${this.what}: ${field} longer than its cap`, field, { length: b.length, cap });
    }
  }

  /** The bytes written: the buffer itself when it was filled exactly, else a copy of the written part. */
  finish(): Uint8Array {
    return this.pos === this.buf.length ? this.buf : this.buf.slice(0, this.pos);
  }
}
