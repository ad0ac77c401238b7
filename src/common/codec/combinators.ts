import type { FieldCodec } from './codec.js';

// Small field codecs to compose layouts from; a hot decoder (blocks, transactions) calls the
// reader directly instead, to avoid a closure call per field.

export const u8: FieldCodec<number> = {
  fixedSize: 1,
  read: (r, field) => r.u8(field),
  write: (w, v, field) => void w.u8(v, field),
};

export const u16: FieldCodec<number> = {
  fixedSize: 2,
  read: (r, field) => r.u16(field),
  write: (w, v, field) => void w.u16(v, field),
};

export const u32: FieldCodec<number> = {
  fixedSize: 4,
  read: (r, field) => r.u32(field),
  write: (w, v, field) => void w.u32(v, field),
};

export const u64: FieldCodec<bigint> = {
  fixedSize: 8,
  read: (r, field) => r.u64(field),
  write: (w, v, field) => void w.u64(v, field),
};

export const i64: FieldCodec<bigint> = {
  fixedSize: 8,
  read: (r, field) => r.i64(field),
  write: (w, v, field) => void w.i64(v, field),
};

/** A u8 that is 0 or 1. */
export const bool: FieldCodec<boolean> = {
  fixedSize: 1,
  read(r, field = 'bool') {
    const v = r.u8(field);
    if (v > 1) r.fail('invalid', `${r.what}: ${field} must be 0 or 1`, field, { value: v });
    return v === 1;
  },
  write: (w, v, field) => void w.u8(v ? 1 : 0, field),
};

/** Exactly `n` bytes, copied on read. */
export function fixedBytes(n: number): FieldCodec<Uint8Array> {
  return {
    fixedSize: n,
    read: (r, field) => r.bytes(n, field),
    write: (w, v, field) => void w.fixed(v, n, field),
  };
}

/** A u16 or u32 length (<= `cap`) then that many bytes. */
export function prefixedBytes(prefix: 'u16' | 'u32', cap: number): FieldCodec<Uint8Array> {
  return prefix === 'u16'
    ? { read: (r, field) => r.bytesU16(cap, field), write: (w, v, field) => void w.bytesU16(v, cap, field) }
    : { read: (r, field) => r.bytesU32(cap, field), write: (w, v, field) => void w.bytesU32(v, cap, field) };
}

type Fields<T> = { readonly [K in keyof T]: FieldCodec<T[K]> };

/** Fields one after another, in the order the layout object lists them. */
export function struct<T extends object>(fields: Fields<T>): FieldCodec<T> {
  const entries = Object.entries(fields) as [keyof T & string, FieldCodec<unknown>][];
  let fixedSize: number | undefined = 0;
  for (const [, c] of entries)
    fixedSize = c.fixedSize === undefined ? undefined : (fixedSize ?? 0) + c.fixedSize;
  return {
    fixedSize,
    read(r) {
      const out: Record<string, unknown> = {};
      for (const [name, c] of entries) out[name] = c.read(r, name);
      return out as T;
    },
    write(w, value) {
      for (const [name, c] of entries) c.write(w, value[name], name);
    },
  };
}

/**
 * A count prefix then that many items. The count is checked against `cap` and, with each item at
 * least `minItemBytes` long (its fixed size by default), against the bytes remaining before the
 * array is built.
 */
export function array<T>(
  item: FieldCodec<T>,
  options: { readonly count: 'u8' | 'u16' | 'u32'; readonly cap: number; readonly minItemBytes?: number },
): FieldCodec<readonly T[]> {
  const { count, cap } = options;
  const minItemBytes = options.minItemBytes ?? item.fixedSize ?? 0;
  return {
    read(r, field = 'items') {
      const raw = count === 'u8' ? r.u8(field) : count === 'u16' ? r.u16(field) : r.u32(field);
      const n = r.count(raw, cap, minItemBytes, field);
      const out: T[] = [];
      for (let i = 0; i < n; i++) out.push(item.read(r, field));
      return out;
    },
    write(w, values, field = 'items') {
      if (values.length > cap) {
        w.fail('invalid', `${w.what}: ${field} count over its cap`, field, { count: values.length, cap });
      }
      if (count === 'u8') w.u8(values.length, field);
      else if (count === 'u16') w.u16(values.length, field);
      else w.u32(values.length, field);
      for (const v of values) item.write(w, v, field);
    },
  };
}
