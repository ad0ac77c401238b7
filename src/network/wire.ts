/**
 * Bounds-checked primitives of the network codec (hand-written fixed layouts, @solana/kit style).
 * Integers are little-endian. Every variable-length field has a u16 or u32 length prefix that is
 * checked against its own cap AND the bytes that remain before anything is sliced or allocated.
 */
import { NetworkError } from './errors.js';

export class WireReader {
  private offset = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.bytes.length - this.offset;
  }

  private need(n: number, field: string): void {
    if (n > this.remaining) {
      throw new NetworkError('MESSAGE_TRUNCATED', `message truncated in ${field}`, {
        field,
        needed: n,
        remaining: this.remaining,
      });
    }
  }

  u8(field: string): number {
    this.need(1, field);
    return this.bytes[this.offset++]!;
  }

  u16(field: string): number {
    this.need(2, field);
    const v = this.view.getUint16(this.offset, true);
    this.offset += 2;
    return v;
  }

  u32(field: string): number {
    this.need(4, field);
    const v = this.view.getUint32(this.offset, true);
    this.offset += 4;
    return v;
  }

  u64(field: string): bigint {
    this.need(8, field);
    const v = this.view.getBigUint64(this.offset, true);
    this.offset += 8;
    return v;
  }

  fixed(n: number, field: string): Uint8Array {
    this.need(n, field);
    // A copy into a plain Uint8Array: decoded fields never alias (or keep alive) the frame buffer.
    const out = new Uint8Array(this.bytes.subarray(this.offset, this.offset + n));
    this.offset += n;
    return out;
  }

  /** u16 length + bytes, length <= cap. */
  bytes16(cap: number, field: string): Uint8Array {
    const n = this.u16(field);
    return this.capped(n, cap, field);
  }

  /** u32 length + bytes, length <= cap. */
  bytes32(cap: number, field: string): Uint8Array {
    const n = this.u32(field);
    return this.capped(n, cap, field);
  }

  /** A count of entries, each at least `minEntryBytes` long, checked before any array is built. */
  count(n: number, cap: number, minEntryBytes: number, field: string): number {
    if (n > cap)
      throw new NetworkError('MESSAGE_INVALID', `${field} count over its cap`, { field, count: n, cap });
    this.need(n * minEntryBytes, field);
    return n;
  }

  private capped(n: number, cap: number, field: string): Uint8Array {
    if (n > cap)
      throw new NetworkError('MESSAGE_TOO_LARGE', `${field} longer than its cap`, { field, length: n, cap });
    return this.fixed(n, field);
  }

  end(): void {
    if (this.remaining !== 0) {
      throw new NetworkError('MESSAGE_TRAILING_BYTES', 'trailing bytes after message', {
        trailing: this.remaining,
      });
    }
  }
}

export class WireWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  private push(p: Uint8Array): this {
    this.parts.push(p);
    this.size += p.length;
    return this;
  }

  u8(v: number): this {
    checkInt(v, 0xff, 'u8');
    return this.push(Uint8Array.of(v));
  }

  u16(v: number): this {
    checkInt(v, 0xffff, 'u16');
    const b = new Uint8Array(2);
    new DataView(b.buffer).setUint16(0, v, true);
    return this.push(b);
  }

  u32(v: number): this {
    checkInt(v, 0xffff_ffff, 'u32');
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, v, true);
    return this.push(b);
  }

  u64(v: bigint): this {
    if (v < 0n || v >= 1n << 64n) throw new NetworkError('MESSAGE_INVALID', 'not a u64', { value: `${v}` });
    const b = new Uint8Array(8);
    new DataView(b.buffer).setBigUint64(0, v, true);
    return this.push(b);
  }

  fixed(bytes: Uint8Array, n: number, field: string): this {
    if (bytes.length !== n)
      throw new NetworkError('MESSAGE_INVALID', `${field} must be ${n} bytes`, { field });
    return this.push(bytes);
  }

  bytes16(bytes: Uint8Array, cap: number, field: string): this {
    if (bytes.length > cap)
      throw new NetworkError('MESSAGE_TOO_LARGE', `${field} longer than its cap`, { field, cap });
    return this.u16(bytes.length).push(bytes);
  }

  bytes32(bytes: Uint8Array, cap: number, field: string): this {
    if (bytes.length > cap)
      throw new NetworkError('MESSAGE_TOO_LARGE', `${field} longer than its cap`, { field, cap });
    return this.u32(bytes.length).push(bytes);
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let o = 0;
    for (const p of this.parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}

function checkInt(v: number, max: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > max)
    throw new NetworkError('MESSAGE_INVALID', `not a ${what}`, { value: v });
}
