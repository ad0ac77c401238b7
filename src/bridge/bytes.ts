import { BridgeError } from './errors.js';

/** Little-endian writer for instruction data; every value is range-checked so bad input never encodes. */
export class ByteWriter {
  private readonly parts: number[] = [];

  bytes(b: Uint8Array, expectedLength?: number, name = 'bytes'): this {
    if (expectedLength !== undefined && b.length !== expectedLength) {
      throw new BridgeError('ARGUMENT_INVALID', `${name} must be ${expectedLength} bytes`, {
        length: b.length,
      });
    }
    for (const x of b) this.parts.push(x);
    return this;
  }
  u8(v: number, name = 'u8'): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xff)
      throw new BridgeError('ARGUMENT_INVALID', `${name} is not a u8`);
    this.parts.push(v);
    return this;
  }
  u16(v: number, name = 'u16'): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffff)
      throw new BridgeError('ARGUMENT_INVALID', `${name} is not a u16`);
    this.parts.push(v & 0xff, v >> 8);
    return this;
  }
  u32(v: number, name = 'u32'): this {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
      throw new BridgeError('ARGUMENT_INVALID', `${name} is not a u32`);
    for (let i = 0; i < 4; i++) this.parts.push((v >>> (8 * i)) & 0xff);
    return this;
  }
  u64(v: bigint, name = 'u64'): this {
    if (v < 0n || v >= 1n << 64n)
      throw new BridgeError('ARGUMENT_INVALID', `${name} is not a u64`, { value: `${v}` });
    for (let i = 0n; i < 8n; i++) this.parts.push(Number((v >> (8n * i)) & 0xffn));
    return this;
  }
  i64(v: bigint, name = 'i64'): this {
    if (v < -(1n << 63n) || v >= 1n << 63n)
      throw new BridgeError('ARGUMENT_INVALID', `${name} is not an i64`);
    return this.u64(BigInt.asUintN(64, v), name);
  }
  /** Borsh Vec<u8>: u32 length then bytes. */
  vec(b: Uint8Array): this {
    return this.u32(b.length).bytes(b);
  }
  finish(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** Bounds-checked little-endian reader for account data. */
export class ByteReader {
  private readonly view: DataView;
  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  }
  private need(off: number, n: number): void {
    if (off < 0 || off + n > this.data.length) {
      throw new BridgeError('ACCOUNT_DECODE_FAILED', `${this.what}: truncated at ${off}`, {
        length: this.data.length,
      });
    }
  }
  u8(off: number): number {
    this.need(off, 1);
    return this.view.getUint8(off);
  }
  u16(off: number): number {
    this.need(off, 2);
    return this.view.getUint16(off, true);
  }
  u32(off: number): number {
    this.need(off, 4);
    return this.view.getUint32(off, true);
  }
  u64(off: number): bigint {
    this.need(off, 8);
    return this.view.getBigUint64(off, true);
  }
  bytes(off: number, n: number): Uint8Array {
    this.need(off, n);
    return this.data.slice(off, off + n);
  }
}
