import type { CodecErrorFactory } from './errors.js';
import { ByteReader } from './reader.js';
import { ByteWriter } from './writer.js';

/**
 * A field's layout as a value (the way `@solana/kit` codecs compose): how to read it from a cursor
 * and write it to a writer. `field` names it in error messages. `fixedSize` is set when every value
 * takes the same number of bytes.
 */
export interface FieldCodec<T> {
  readonly fixedSize?: number;
  read(r: ByteReader, field?: string): T;
  write(w: ByteWriter, value: T, field?: string): void;
}

/** A whole object's codec: a field codec that can also encode to and decode from standalone bytes. */
export interface Codec<T> extends FieldCodec<T> {
  /** Bytes of `value`; the module's error for a value that does not fit its layout. */
  encode(value: T): Uint8Array;
  /** The value in `bytes`, which must hold exactly one encoding (no trailing bytes). */
  decode(bytes: Uint8Array): T;
}

export interface CodecDefinition<T> extends FieldCodec<T> {
  /** Name of the object in error messages ("lease answer"). */
  readonly what: string;
  /** Errors while decoding (malformed input). */
  readonly readError: CodecErrorFactory;
  /** Errors while encoding (a value that does not fit); defaults to `readError`. */
  readonly writeError?: CodecErrorFactory;
  /** Expected size of `value`, when cheaper than growing the buffer. */
  size?(value: T): number;
}

/** Turns a layout plus the module's error factories into an encode/decode codec. */
export function createCodec<T>(definition: CodecDefinition<T>): Codec<T> {
  const { what, readError, fixedSize } = definition;
  const writeError = definition.writeError ?? readError;
  return {
    fixedSize,
    read: (r, field) => definition.read(r, field),
    write: (w, value, field) => definition.write(w, value, field),
    encode(value: T): Uint8Array {
      const w = new ByteWriter(writeError, fixedSize ?? definition.size?.(value) ?? 64, what);
      definition.write(w, value);
      return w.finish();
    },
    decode(bytes: Uint8Array): T {
      const r = new ByteReader(bytes, readError, what);
      const value = definition.read(r);
      r.end();
      return value;
    },
  };
}
