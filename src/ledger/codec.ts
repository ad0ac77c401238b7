import { ByteReader, ByteWriter, type CodecErrorFactory } from '../common/index.js';
import { FIELD_MODULUS, type Field } from '../privacy/index.js';
import { LedgerError, type LedgerErrorCode } from './errors.js';

// The ledger's binding of the common byte reader/writer: which LedgerError code each failure gets.

/** A reader whose failures are `malformed`, except a non-canonical field element (its own code). */
export function ledgerReader(
  bytes: Uint8Array,
  what: string,
  malformed: 'BLOCK_MALFORMED' | 'TX_MALFORMED',
): ByteReader {
  return new ByteReader(bytes, readErrors[malformed], what);
}

/** A writer of a known size; a value that does not fit its field is ARGUMENT_INVALID. */
export function ledgerWriter(size: number, what: string): ByteWriter {
  return new ByteWriter(writeError, size, what);
}

function readErrorAs(malformed: LedgerErrorCode): CodecErrorFactory {
  return (kind, message, context) =>
    new LedgerError(kind === 'noncanonical' ? 'FIELD_NOT_CANONICAL' : malformed, message, { ...context });
}

const readErrors = {
  BLOCK_MALFORMED: readErrorAs('BLOCK_MALFORMED'),
  TX_MALFORMED: readErrorAs('TX_MALFORMED'),
} as const;

const writeError: CodecErrorFactory = (_kind, message, context) =>
  new LedgerError('ARGUMENT_INVALID', message, { ...context });

/** 32 bytes LE, rejected (never reduced) unless < p: the `n` vs `n + p` double-spend class. */
export function readField(r: ByteReader, name: string): Field {
  return r.u256Below(FIELD_MODULUS, name) as Field;
}
