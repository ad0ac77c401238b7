export { ParaloomError, isParaloomError } from './errors.js';
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
