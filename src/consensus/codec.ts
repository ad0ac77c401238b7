import { ByteReader, ByteWriter, type CodecErrorFactory } from '../common/index.js';
import { ConsensusError } from './errors.js';

// Consensus structures (certificates, evidence, proposal bodies, sign state) on the common byte
// reader/writer: malformed input is DECODE_FAILED, a value that does not fit is ARGUMENT_INVALID.

const readError: CodecErrorFactory = (_kind, message, context) =>
  new ConsensusError('DECODE_FAILED', message, { ...context });

const writeError: CodecErrorFactory = (_kind, message, context) =>
  new ConsensusError('ARGUMENT_INVALID', message, { ...context });

export function consensusReader(bytes: Uint8Array, what: string): ByteReader {
  return new ByteReader(bytes, readError, what);
}

export function consensusWriter(what: string, capacity?: number): ByteWriter {
  return new ByteWriter(writeError, capacity, what);
}
