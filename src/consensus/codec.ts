/**
 * Little-endian reader/writer for consensus structures (the same byte order as the bridge's vote
 * message). Every read is bounds-checked; decoders call `end()` so trailing bytes are refused.
 */
import { ConsensusError } from './errors.js';

export class Writer {
  private readonly chunks: Uint8Array[] = [];
  private size = 0;

  private push(b: Uint8Array): this {
    this.chunks.push(b);
    this.size += b.length;
    return this;
  }
  u8(v: number): this {
    return this.push(Uint8Array.of(v & 0xff));
  }
  u16(v: number): this {
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, true);
    return this.push(b);
  }
  u32(v: number): this {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    return this.push(b);
  }
  u64(v: bigint): this {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    return this.push(b);
  }
  fixed(b: Uint8Array, len: number, what: string): this {
    if (b.length !== len)
      throw new ConsensusError('ARGUMENT_INVALID', `${what} must be ${len} bytes`, { length: b.length });
    return this.push(b);
  }
  bytes(b: Uint8Array): this {
    return this.push(b);
  }
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const c of this.chunks) {
      out.set(c, o);
      o += c.length;
    }
    return out;
  }
}

export class Reader {
  private offset = 0;
  private readonly view: DataView;

  constructor(
    private readonly buf: Uint8Array,
    private readonly what: string,
  ) {
    this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  private need(n: number): number {
    if (this.offset + n > this.buf.length) {
      throw new ConsensusError('DECODE_FAILED', `${this.what}: truncated`, { offset: this.offset, need: n });
    }
    const at = this.offset;
    this.offset += n;
    return at;
  }
  get remaining(): number {
    return this.buf.length - this.offset;
  }
  u8(): number {
    return this.view.getUint8(this.need(1));
  }
  u16(): number {
    return this.view.getUint16(this.need(2), true);
  }
  u32(): number {
    return this.view.getUint32(this.need(4), true);
  }
  u64(): bigint {
    return this.view.getBigUint64(this.need(8), true);
  }
  fixed(n: number): Uint8Array {
    const at = this.need(n);
    return this.buf.slice(at, at + n);
  }
  rest(): Uint8Array {
    return this.fixed(this.remaining);
  }
  end(): void {
    if (this.offset !== this.buf.length) {
      throw new ConsensusError('DECODE_FAILED', `${this.what}: trailing bytes`, {
        extra: this.buf.length - this.offset,
      });
    }
  }
}
