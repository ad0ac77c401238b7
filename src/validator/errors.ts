import { ParaloomError } from '../common/index.js';

export type ValidatorErrorCode =
  /** No key file at the configured path (create one with `paraloom validator keygen`). */
  | 'KEY_FILE_NOT_FOUND'
  /** The key file can be read by group or others: the key must be treated as leaked or fixed. */
  | 'KEY_FILE_INSECURE'
  /** Not a Solana keypair file: a JSON array of 64 bytes whose second half is the first half's public key. */
  | 'KEY_FILE_INVALID'
  /** The key file exists and overwriting was not asked for. */
  | 'KEY_FILE_EXISTS'
  /** Reading or writing the key file failed. */
  | 'KEY_FILE_IO'
  /** Bad input to a signing helper (wrong length, bad program id). */
  | 'ARGUMENT_INVALID'
  /** The key has no active ValidatorAccount on chain (`paraloom validator register`). */
  | 'NOT_REGISTERED'
  /** The libp2p peer id or the multiaddrs do not fit the ValidatorAccount (64 / 256 bytes). */
  | 'ENDPOINTS_INVALID';

export class ValidatorError extends ParaloomError<ValidatorErrorCode> {}
