import { describe, expect, it } from 'vitest';
import { createCodec } from './codec.js';
import { array, bool, fixedBytes, i64, prefixedBytes, struct, u8, u16, u32, u64 } from './combinators.js';
import type { CodecErrorContext, CodecErrorKind } from './errors.js';

class ReadError extends Error {
  constructor(
    readonly kind: CodecErrorKind,
    readonly context: CodecErrorContext,
  ) {
    super(kind);
  }
}
class WriteError extends Error {}

const entry = struct({ id: u16, key: fixedBytes(4) });
const record = createCodec({
  what: 'record',
  readError: (kind, _message, context) => new ReadError(kind, context),
  writeError: (_kind, message) => new WriteError(message),
  ...struct({
    version: u8,
    live: bool,
    height: u64,
    delta: i64,
    round: u32,
    note: prefixedBytes('u16', 8),
    entries: array(entry, { count: 'u8', cap: 3 }),
  }),
});

const sample = {
  version: 1,
  live: true,
  height: 1n << 40n,
  delta: -3n,
  round: 7,
  note: Uint8Array.of(9, 9),
  entries: [
    { id: 1, key: Uint8Array.of(1, 2, 3, 4) },
    { id: 2, key: Uint8Array.of(5, 6, 7, 8) },
  ],
};

function readFailure(bytes: Uint8Array): ReadError {
  try {
    record.decode(bytes);
  } catch (err) {
    if (err instanceof ReadError) return err;
    throw err;
  }
  throw new Error('expected a read error');
}

describe('codecs as values', () => {
  it('round-trips a struct with a bounded array, byte for byte', () => {
    const bytes = record.encode(sample);
    expect(bytes.length).toBe(1 + 1 + 8 + 8 + 4 + 2 + 2 + 1 + 2 * 6);
    expect(Array.from(bytes.subarray(0, 2))).toEqual([1, 1]);
    expect(record.decode(bytes)).toEqual(sample);
    expect(record.encode(record.decode(bytes))).toEqual(bytes);
  });

  it('adds up fixed sizes and drops them when a field has none', () => {
    expect(entry.fixedSize).toBe(6);
    expect(record.fixedSize).toBeUndefined();
    expect(
      createCodec({ what: 'pair', readError: () => new Error('x'), ...struct({ a: u8, b: u64 }) }).fixedSize,
    ).toBe(9);
  });

  it('refuses trailing bytes and a truncated input with the read factory', () => {
    const bytes = record.encode(sample);
    expect(readFailure(Uint8Array.from([...bytes, 0])).kind).toBe('trailing');
    const cut = readFailure(bytes.subarray(0, bytes.length - 1));
    expect(cut.kind).toBe('truncated');
    expect(cut.context.field).toBe('entries');
  });

  it('refuses a bool other than 0 or 1, a count over its cap and one the bytes cannot hold', () => {
    const bytes = record.encode(sample);
    const badBool = Uint8Array.from(bytes);
    badBool[1] = 2;
    expect(readFailure(badBool)).toMatchObject({ kind: 'invalid', context: { field: 'live' } });
    const countAt = bytes.length - 1 - 12;
    const overCap = Uint8Array.from(bytes);
    overCap[countAt] = 4;
    expect(readFailure(overCap)).toMatchObject({ kind: 'invalid', context: { count: 4, cap: 3 } });
    const overBytes = Uint8Array.from(bytes);
    overBytes[countAt] = 3;
    expect(readFailure(overBytes)).toMatchObject({ kind: 'truncated', context: { need: 18, remaining: 12 } });
  });

  it('refuses to encode values that do not fit, with the write factory', () => {
    expect(() => record.encode({ ...sample, note: new Uint8Array(9) })).toThrow(WriteError);
    expect(() => record.encode({ ...sample, round: -1 })).toThrow(WriteError);
    expect(() => record.encode({ ...sample, entries: [...sample.entries, ...sample.entries] })).toThrow(
      /count over its cap/,
    );
    expect(() => record.encode({ ...sample, entries: [{ id: 1, key: new Uint8Array(3) }] })).toThrow(
      /must be 4 bytes/,
    );
  });
});
