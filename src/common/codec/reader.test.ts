import { describe, expect, it } from 'vitest';
import type { CodecErrorContext, CodecErrorFactory, CodecErrorKind } from './errors.js';
import { ByteReader } from './reader.js';

class TestError extends Error {
  constructor(
    readonly kind: CodecErrorKind,
    message: string,
    readonly context: CodecErrorContext,
  ) {
    super(message);
  }
}
const onError: CodecErrorFactory = (kind, message, context) => new TestError(kind, message, context);
const reader = (bytes: number[] | Uint8Array) => new ByteReader(Uint8Array.from(bytes), onError, 'thing');

function failure(f: () => unknown): TestError {
  try {
    f();
  } catch (err) {
    if (err instanceof TestError) return err;
    throw err;
  }
  throw new Error('expected a codec error');
}

describe('ByteReader', () => {
  it('reads little-endian integers and big-endian ones where asked', () => {
    const r = reader([
      0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00,
      0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 2,
    ]);
    expect(r.u8()).toBe(1);
    expect(r.u16()).toBe(0x0302);
    expect(r.u32()).toBe(0x07060504);
    expect(r.i64()).toBe(-1n);
    expect(r.u32BE()).toBe(0x100);
    expect(r.u64BE()).toBe(2n);
    r.end();
  });

  it('reads an i64 as a signed value', () => {
    expect(reader([0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]).i64()).toBe(-2n);
    expect(reader([0, 0, 0, 0, 0, 0, 0, 0x80]).i64()).toBe(-(1n << 63n));
  });

  it('reads a 32-byte little-endian integer and refuses one at or above its bound', () => {
    const bytes = new Uint8Array(32);
    bytes[0] = 7;
    bytes[31] = 0x80;
    expect(reader(bytes).u256()).toBe((1n << 255n) + 7n);
    expect(reader(bytes).u256Below((1n << 255n) + 8n)).toBe((1n << 255n) + 7n);
    const r = reader(bytes);
    const e = failure(() => r.u256Below((1n << 255n) + 7n, 'root'));
    expect(e.kind).toBe('noncanonical');
    expect(e.context).toMatchObject({ what: 'thing', field: 'root', offset: 0 });
  });

  it('refuses a read past the end with truncated, naming the field, and does not move', () => {
    const r = reader([1, 2, 3]);
    r.u8();
    const e = failure(() => r.u32('height'));
    expect(e.kind).toBe('truncated');
    expect(e.message).toContain('height');
    expect(e.context).toMatchObject({ field: 'height', offset: 1, need: 4, remaining: 2 });
    expect(r.offset).toBe(1);
    expect(r.u16()).toBe(0x0302);
  });

  it('copies with bytes and rest, and views with view', () => {
    const input = Uint8Array.of(1, 2, 3, 4);
    const r = new ByteReader(input, onError);
    const view = r.view(1);
    const copy = r.bytes(1);
    const rest = r.rest();
    input[0] = 9;
    input[1] = 9;
    input[2] = 9;
    expect(view[0]).toBe(9);
    expect(copy[0]).toBe(2);
    expect(rest).toEqual(Uint8Array.of(3, 4));
    expect(r.remaining).toBe(0);
  });

  it('copies out of a Buffer into a plain Uint8Array that does not share its memory', () => {
    const input = Buffer.from([1, 2, 3]);
    const out = new ByteReader(input, onError).bytes(3);
    expect(Buffer.isBuffer(out)).toBe(false);
    input[0] = 9;
    expect(out).toEqual(Uint8Array.of(1, 2, 3));
  });

  it('checks a length prefix against its cap before the bytes remaining', () => {
    // u32 length 2^32 - 1 with no bytes behind it: over the cap, and never allocated.
    const e = failure(() => reader([0xff, 0xff, 0xff, 0xff]).bytesU32(1024, 'body'));
    expect(e.kind).toBe('oversized');
    expect(e.context).toMatchObject({ field: 'body', length: 0xffffffff, cap: 1024 });
    const short = failure(() => reader([5, 0, 1, 2]).bytesU16(16, 'peer'));
    expect(short.kind).toBe('truncated');
    expect(short.context).toMatchObject({ need: 5, remaining: 2 });
    expect(reader([2, 0, 7, 8]).bytesU16(2)).toEqual(Uint8Array.of(7, 8));
    expect(reader([1, 0, 0, 0, 7]).bytesU32(1)).toEqual(Uint8Array.of(7));
  });

  it('checks a count against its cap and the bytes its entries need', () => {
    expect(failure(() => reader([]).count(9, 8, 1, 'blocks')).kind).toBe('invalid');
    const e = failure(() => reader([0, 0, 0]).count(2, 8, 2, 'blocks'));
    expect(e.kind).toBe('truncated');
    expect(e.context).toMatchObject({ count: 2, need: 4, remaining: 3 });
    expect(reader([0, 0, 0, 0]).count(2, 8, 2)).toBe(2);
  });

  it('seeks to a fixed offset, and refuses one outside the input', () => {
    const r = reader([1, 2, 3, 4]);
    expect(r.seek(2).u16()).toBe(0x0403);
    expect(r.seek(0).u8()).toBe(1);
    expect(r.seek(4).remaining).toBe(0);
    expect(failure(() => r.seek(5, 'stake')).context).toMatchObject({ field: 'stake', length: 4 });
    expect(failure(() => r.seek(-1)).kind).toBe('truncated');
  });

  it('refuses trailing bytes at the end', () => {
    const r = reader([1, 2]);
    r.u8();
    const e = failure(() => r.end());
    expect(e.kind).toBe('trailing');
    expect(e.context).toMatchObject({ trailing: 1 });
    r.u8();
    expect(() => r.end()).not.toThrow();
  });

  it('reads within a subarray without seeing the bytes around it', () => {
    const outer = Uint8Array.of(0xaa, 1, 0, 0, 0, 0xbb);
    const r = new ByteReader(outer.subarray(1, 5), onError);
    expect(r.u32()).toBe(1);
    r.end();
    expect(failure(() => new ByteReader(outer.subarray(1, 4), onError).u32()).kind).toBe('truncated');
  });

  it('throws what the factory builds, with the module its own error class', () => {
    class ModuleError extends Error {}
    const r = new ByteReader(new Uint8Array(0), (kind, message) => new ModuleError(`${kind}: ${message}`));
    expect(() => r.u8('kind')).toThrow(ModuleError);
    expect(() => r.u8('kind')).toThrow(/^truncated: value: kind runs past the end$/);
  });
});
