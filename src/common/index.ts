export {
  bigintToBytesBE,
  bigintToBytesLE,
  bytesEqual,
  bytesToBigintBE,
  bytesToBigintLE,
  bytesToHex,
  concatBytes,
  hexToBytes,
  i64ToBytesLE,
  u64ToBytesLE,
} from './bytes.js';
export * as codecs from './codec/combinators.js';
export {
  ByteReader,
  ByteWriter,
  type Codec,
  type CodecDefinition,
  type CodecErrorContext,
  type CodecErrorFactory,
  type CodecErrorKind,
  createCodec,
  type FieldCodec,
} from './codec/index.js';
export {
  defineErrorClass,
  type ErrorCauseOptions,
  type ErrorContextMap,
  isParaloomError,
  type ModuleError,
  type ModuleErrorClass,
  type NoContext,
  ParaloomError,
} from './errors.js';
export { sha256 } from './hash.js';
export type { Lifecycle } from './lifecycle.js';
export { createLogger, type Logger } from './logger.js';
