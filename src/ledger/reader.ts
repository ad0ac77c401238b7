import { bytesToBigintLE } from '../common/index.js';
import { FIELD_MODULUS, type Field } from '../privacy/index.js';
import { LedgerError, type MalformedContext } from './errors.js';

/**
 * Bounds-checked little-endian reader over one encoded object. Every read checks the bytes remaining
 * first, so a short or hostile input fails with `malformed` instead of reading past its end.
 */
export class Reader {
  private offset = 0;

  constructor(
    private readonly input: Uint8Array,
    private readonly what: string,
    private readonly malformed: 'TX_MALFORMED' | 'BLOCK_MALFORMED',
  ) {}

  get remaining(): number {
    return this.input.length - this.offset;
  }

  private take(n: number, field: string): Uint8Array {
    if (n > this.remaining) this.fail(`${this.what}: ${field} runs past the end`, { need: n });
    const out = this.input.subarray(this.offset, this.offset + n);
    this.offset += n;
    return out;
  }

  fail(message: string, context: MalformedContext = {}): never {
    throw new LedgerError(this.malformed, message, { offset: this.offset, ...context });
  }

  u8(field: string): number {
    return this.take(1, field)[0]!;
  }

  u32(field: string): number {
    const b = this.take(4, field);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }

  u64(field: string): bigint {
    const b = this.take(8, field);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }

  i64(field: string): bigint {
    const b = this.take(8, field);
    return new DataView(b.buffer, b.byteOffset, 8).getBigInt64(0, true);
  }

  /** A view into the input, for a caller that copies or only hashes it. */
  view(n: number, field: string): Uint8Array {
    return this.take(n, field);
  }

  /** A copy, so decoded objects never alias the caller's buffer. */
  bytes(n: number, field: string): Uint8Array {
    return Uint8Array.from(this.take(n, field));
  }

  /** 32 bytes LE, rejected (never reduced) unless < p: the `n` vs `n + p` double-spend class. */
  field(field: string): Field {
    const v = bytesToBigintLE(this.take(32, field));
    if (v >= FIELD_MODULUS) {
      throw new LedgerError(
        'FIELD_NOT_CANONICAL',
        `${this.what}: ${field} is not a canonical field element`,
        {
          field,
        },
      );
    }
    return v as Field;
  }

  end(): void {
    if (this.remaining !== 0) this.fail(`${this.what}: trailing bytes`, { trailing: this.remaining });
  }
}

/** Little-endian writer into a buffer of known size (every codec here has a computable size). */
export class Writer {
  private offset = 0;
  readonly out: Uint8Array;
  private readonly view: DataView;

  constructor(size: number) {
    this.out = new Uint8Array(size);
    this.view = new DataView(this.out.buffer);
  }

  u8(v: number): this {
    this.view.setUint8(this.offset, v);
    this.offset += 1;
    return this;
  }

  u32(v: number): this {
    this.view.setUint32(this.offset, v, true);
    this.offset += 4;
    return this;
  }

  u64(v: bigint): this {
    this.view.setBigUint64(this.offset, v, true);
    this.offset += 8;
    return this;
  }

  i64(v: bigint): this {
    this.view.setBigInt64(this.offset, v, true);
    this.offset += 8;
    return this;
  }

  raw(b: Uint8Array): this {
    this.out.set(b, this.offset);
    this.offset += b.length;
    return this;
  }

  field(v: Field): this {
    let x: bigint = v;
    for (let i = 0; i < 32; i++) {
      this.out[this.offset + i] = Number(x & 0xffn);
      x >>= 8n;
    }
    this.offset += 32;
    return this;
  }

  done(): Uint8Array {
    if (this.offset !== this.out.length) throw new RangeError('writer: size mismatch');
    return this.out;
  }
}
