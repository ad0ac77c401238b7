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
export { isParaloomError, ParaloomError } from './errors.js';
export { sha256 } from './hash.js';
export { createLogger, type Logger } from './logger.js';
