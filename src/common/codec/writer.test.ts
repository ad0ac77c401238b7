import { describe, expect, it } from 'vitest';
import type { CodecErrorContext, CodecErrorFactory, CodecErrorKind } from './errors.js';
import { ByteReader } from './reader.js';
import { ByteWriter } from './writer.js';

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

function failure(f: () => unknown): TestError {
  try {
    f();
  } catch (err) {
    if (err instanceof TestError) return err;
    throw err;
  }
  throw new Error('expected a codec error');
}

describe('ByteWriter', () => {
  it('writes every integer width in the byte order the reader reads', () => {
    const field = (1n << 254n) + 12345n;
    const bytes = new ByteWriter(onError, 1)
      .u8(0xab)
      .u16(0xbeef)
      .u32(0xdeadbeef)
      .u64((1n << 64n) - 1n)
      .i64(-5n)
      .u32BE(7)
      .u64BE(9n)
      .u256(field)
      .finish();
    expect(bytes.length).toBe(1 + 2 + 4 + 8 + 8 + 4 + 8 + 32);
    expect(Array.from(bytes.subarray(0, 7))).toEqual([0xab, 0xef, 0xbe, 0xef, 0xbe, 0xad, 0xde]);
    expect(Array.from(bytes.subarray(23, 27))).toEqual([0, 0, 0, 7]);
    const r = new ByteReader(bytes, onError);
    expect([r.u8(), r.u16(), r.u32(), r.u64(), r.i64(), r.u32BE(), r.u64BE(), r.u256()]).toEqual([
      0xab,
      0xbeef,
      0xdeadbeef,
      (1n << 64n) - 1n,
      -5n,
      7,
      9n,
      field,
    ]);
    r.end();
  });

  it('returns its buffer as is when the capacity was exact, else an exact copy', () => {
    const exact = new ByteWriter(onError, 4);
    const out = exact.u32(1).finish();
    expect(out.buffer.byteLength).toBe(4);
    const grown = new ByteWriter(onError, 2).u8(1).u8(2).u8(3).finish();
    expect(grown).toEqual(Uint8Array.of(1, 2, 3));
    expect(new ByteWriter(onError, 16).u8(1).finish().length).toBe(1);
    expect(new ByteWriter(onError, 0).raw(Uint8Array.of(5, 6)).finish()).toEqual(Uint8Array.of(5, 6));
  });

  it('refuses integers that do not fit instead of wrapping them', () => {
    const w = new ByteWriter(onError, 8, 'vote');
    for (const f of [
      () => w.u8(256),
      () => w.u8(-1),
      () => w.u16(0x10000),
      () => w.u32(2 ** 32),
      () => w.u32(1.5),
      () => w.u64(1n << 64n),
      () => w.u64(-1n),
      () => w.i64(1n << 63n),
      () => w.u256(1n << 256n),
    ]) {
      expect(failure(f).kind).toBe('invalid');
    }
    const e = failure(() => w.u8(300, 'kind'));
    expect(e.context).toMatchObject({ what: 'vote', field: 'kind', value: 300 });
    expect(w.length).toBe(0);
  });

  it('refuses a fixed field of the wrong length and a prefixed one over its cap', () => {
    const w = new ByteWriter(onError);
    expect(failure(() => w.fixed(new Uint8Array(31), 32, 'hash')).context).toMatchObject({
      field: 'hash',
      length: 31,
    });
    const big = failure(() => w.bytesU16(new Uint8Array(9), 8, 'peer'));
    expect(big.kind).toBe('oversized');
    expect(big.context).toMatchObject({ length: 9, cap: 8 });
    expect(failure(() => w.bytesU32(new Uint8Array(3), 2)).kind).toBe('oversized');
    expect(w.bytesU16(Uint8Array.of(1, 2), 2).bytesU32(Uint8Array.of(3), 1).finish()).toEqual(
      Uint8Array.of(2, 0, 1, 2, 1, 0, 0, 0, 3),
    );
  });
});
