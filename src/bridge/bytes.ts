import {
  type CodecErrorFactory,
  ByteReader as CommonByteReader,
  ByteWriter as CommonByteWriter,
} from '../common/index.js';
import { BridgeError } from './errors.js';

// The offset-addressed account reader and the chaining instruction writer that accounts.ts and
// instructions.ts use, as thin adapters over common's reader/writer (which do the bounds and range
// checks). They go with those two files when the generated program client replaces them.

const argumentInvalid: CodecErrorFactory = (_kind, message, context) =>
  new BridgeError('ARGUMENT_INVALID', message, { ...context });

const accountMalformed: CodecErrorFactory = (_kind, message, context) =>
  new BridgeError('ACCOUNT_DECODE_FAILED', message, { ...context });

/** Little-endian writer for instruction data; every value is range-checked so bad input never encodes. */
export class ByteWriter {
  private readonly w = new CommonByteWriter(argumentInvalid, 256, 'instruction data');

  bytes(b: Uint8Array, expectedLength?: number, name = 'bytes'): this {
    if (expectedLength === undefined) this.w.raw(b);
    else this.w.fixed(b, expectedLength, name);
    return this;
  }
  u8(v: number, name = 'u8'): this {
    this.w.u8(v, name);
    return this;
  }
  u16(v: number, name = 'u16'): this {
    this.w.u16(v, name);
    return this;
  }
  u32(v: number, name = 'u32'): this {
    this.w.u32(v, name);
    return this;
  }
  u64(v: bigint, name = 'u64'): this {
    this.w.u64(v, name);
    return this;
  }
  i64(v: bigint, name = 'i64'): this {
    this.w.i64(v, name);
    return this;
  }
  /** Borsh Vec<u8>: u32 length then bytes. */
  vec(b: Uint8Array): this {
    this.w.bytesU32(b, 0xffff_ffff, 'vec');
    return this;
  }
  finish(): Uint8Array {
    return this.w.finish();
  }
}

/** Bounds-checked little-endian reader for account data at fixed offsets. */
export class ByteReader {
  private readonly r: CommonByteReader;
  constructor(data: Uint8Array, what: string) {
    this.r = new CommonByteReader(data, accountMalformed, what);
  }
  u8(off: number): number {
    return this.r.seek(off).u8();
  }
  u16(off: number): number {
    return this.r.seek(off).u16();
  }
  u32(off: number): number {
    return this.r.seek(off).u32();
  }
  u64(off: number): bigint {
    return this.r.seek(off).u64();
  }
  bytes(off: number, n: number): Uint8Array {
    return this.r.seek(off).bytes(n);
  }
}
