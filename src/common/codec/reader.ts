import type { CodecErrorContext, CodecErrorFactory, CodecErrorKind } from './errors.js';

/**
 * Bounds-checked cursor over one encoded object, little-endian unless a method says BE. Every read
 * checks the bytes remaining first, and every length or count prefix is checked against its cap
 * and the bytes remaining before anything of that size is sliced or allocated.
 *
 * `view` returns a window into the input (for a caller that hashes or copies it); `bytes` and the
 * prefixed readers return copies, so decoded objects never alias (or keep alive) a frame buffer.
 */
export class ByteReader {
  private pos = 0;
  private readonly data: DataView;

  constructor(
    readonly input: Uint8Array,
    private readonly onError: CodecErrorFactory,
    readonly what = 'value',
  ) {
    this.data = new DataView(input.buffer, input.byteOffset, input.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  get remaining(): number {
    return this.input.length - this.pos;
  }

  /** Moves the cursor to `offset` (fixed-offset layouts such as on-chain accounts); past the end is truncated. */
  seek(offset: number, field = 'offset'): this {
    if (!Number.isInteger(offset) || offset < 0 || offset > this.input.length) {
      this.fail('truncated', `${this.what}: ${field} ${offset} is outside the input`, field, {
        length: this.input.length,
      });
    }
    this.pos = offset;
    return this;
  }

  /** Throws the module's error of `kind` at the current offset. */
  fail(
    kind: CodecErrorKind,
    message: string,
    field = this.what,
    extra: Omit<CodecErrorContext, 'what' | 'field' | 'offset'> = {},
  ): never {
    throw this.onError(kind, message, { what: this.what, field, offset: this.pos, ...extra });
  }

  /** Advances past `n` bytes and returns where they start. */
  private take(n: number, field: string): number {
    if (n > this.input.length - this.pos) {
      this.fail('truncated', `${this.what}: ${field} runs past the end`, field, {
        need: n,
        remaining: this.remaining,
      });
    }
    const at = this.pos;
    this.pos += n;
    return at;
  }

  u8(field = 'u8'): number {
    return this.input[this.take(1, field)]!;
  }

  u16(field = 'u16'): number {
    return this.data.getUint16(this.take(2, field), true);
  }

  u32(field = 'u32'): number {
    return this.data.getUint32(this.take(4, field), true);
  }

  u64(field = 'u64'): bigint {
    return this.data.getBigUint64(this.take(8, field), true);
  }

  i64(field = 'i64'): bigint {
    return this.data.getBigInt64(this.take(8, field), true);
  }

  u32BE(field = 'u32'): number {
    return this.data.getUint32(this.take(4, field), false);
  }

  u64BE(field = 'u64'): bigint {
    return this.data.getBigUint64(this.take(8, field), false);
  }

  /** 32 bytes little-endian as an unsigned integer. */
  u256(field = 'u256'): bigint {
    const at = this.take(32, field);
    const d = this.data;
    return (
      d.getBigUint64(at, true) +
      ((d.getBigUint64(at + 8, true) +
        ((d.getBigUint64(at + 16, true) + (d.getBigUint64(at + 24, true) << 64n)) << 64n)) <<
        64n)
    );
  }

  /**
   * 32 bytes little-endian, refused (never reduced) unless < `bound`: with a field modulus, the
   * `n` vs `n + p` double-spend class.
   */
  u256Below(bound: bigint, field = 'u256'): bigint {
    const start = this.pos;
    const v = this.u256(field);
    if (v >= bound) {
      this.pos = start;
      this.fail('noncanonical', `${this.what}: ${field} is not a canonical field element`, field);
    }
    return v;
  }

  /** A window into the input (no copy). */
  view(n: number, field = 'bytes'): Uint8Array {
    const at = this.take(n, field);
    return this.input.subarray(at, at + n);
  }

  /** A copy of the next `n` bytes, a plain Uint8Array even over a Buffer (whose slice is a view). */
  bytes(n: number, field = 'bytes'): Uint8Array {
    const at = this.take(n, field);
    return new Uint8Array(this.input.subarray(at, at + n));
  }

  /** A copy of everything left. */
  rest(field = 'rest'): Uint8Array {
    return this.bytes(this.remaining, field);
  }

  /** A u16 or u32 length prefix, checked against `cap` and then against the bytes remaining. */
  length(prefix: 'u16' | 'u32', cap: number, field = 'bytes'): number {
    const n = prefix === 'u16' ? this.u16(field) : this.u32(field);
    if (n > cap) {
      this.fail('oversized', `${this.what}: ${field} longer than its cap`, field, { length: n, cap });
    }
    if (n > this.remaining) {
      this.fail('truncated', `${this.what}: ${field} runs past the end`, field, {
        need: n,
        remaining: this.remaining,
      });
    }
    return n;
  }

  /** u16 length (<= cap) then that many bytes, copied. */
  bytesU16(cap: number, field = 'bytes'): Uint8Array {
    return this.bytes(this.length('u16', cap, field), field);
  }

  /** u32 length (<= cap) then that many bytes, copied. */
  bytesU32(cap: number, field = 'bytes'): Uint8Array {
    return this.bytes(this.length('u32', cap, field), field);
  }

  /**
   * A count of entries already read, each at least `minEntryBytes` long: over `cap` is invalid, and
   * entries that cannot fit the bytes remaining are truncated, both before any array is built.
   */
  count(n: number, cap: number, minEntryBytes: number, field = 'count'): number {
    if (n > cap) {
      this.fail('invalid', `${this.what}: ${field} count over its cap`, field, { count: n, cap });
    }
    if (n * minEntryBytes > this.remaining) {
      this.fail('truncated', `${this.what}: ${field} cannot fit the bytes remaining`, field, {
        count: n,
        need: n * minEntryBytes,
        remaining: this.remaining,
      });
    }
    return n;
  }

  /** Refuses trailing bytes: every object has exactly one encoding. */
  end(): void {
    if (this.pos !== this.input.length) {
      this.fail('trailing', `${this.what}: trailing bytes`, this.what, { trailing: this.remaining });
    }
  }
}
