import { ByteReader, ByteWriter, type CodecErrorFactory } from '../common/index.js';
import { BridgeError } from './errors.js';

// The bridge's binding of the common byte reader/writer: a value that does not fit its field is
// ARGUMENT_INVALID (it never encodes); event or instruction bytes that do not decode are
// EVENT_DECODE_FAILED.

const argumentInvalid: CodecErrorFactory = (_kind, message, context) =>
  new BridgeError('ARGUMENT_INVALID', message, { ...context });

const eventMalformed: CodecErrorFactory = (_kind, message, context) =>
  new BridgeError('EVENT_DECODE_FAILED', message, { ...context });

export function bridgeWriter(what: string, capacity?: number): ByteWriter {
  return new ByteWriter(argumentInvalid, capacity, what);
}

export function eventReader(data: Uint8Array, what: string): ByteReader {
  return new ByteReader(data, eventMalformed, what);
}
