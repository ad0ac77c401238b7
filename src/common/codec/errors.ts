/**
 * The one error hook of the byte reader and writer. The codec core knows only what went wrong
 * (a kind); each module maps a kind to its own error class and code, so a truncated block stays a
 * LedgerError BLOCK_MALFORMED and a truncated gossip message a NetworkError MESSAGE_TRUNCATED.
 */
export type CodecErrorKind =
  /** Fewer bytes remain than the field needs. */
  | 'truncated'
  /** A value outside its range: an integer too wide to write, a wrong fixed length, a count over its cap. */
  | 'invalid'
  /** A length prefix (or a value to prefix) over its cap. */
  | 'oversized'
  /** Bytes left after the last field. */
  | 'trailing'
  /** A 32-byte integer at or above its bound (a field element that is not < p). */
  | 'noncanonical';

export interface CodecErrorContext {
  /** The object being read or written ("block", "lease answer"). */
  readonly what: string;
  /** The field at fault. */
  readonly field: string;
  /** Position in the input (reader) or output (writer) where the field starts. */
  readonly offset: number;
  readonly need?: number;
  readonly remaining?: number;
  readonly length?: number;
  readonly cap?: number;
  readonly count?: number;
  readonly trailing?: number;
  /** The offending value, as a string when it is a bigint. */
  readonly value?: number | string;
}

/** Builds the module's error for one failure; the reader and writer throw what it returns. */
export type CodecErrorFactory = (kind: CodecErrorKind, message: string, context: CodecErrorContext) => Error;
