import type { Address } from '@solana/kit';
import { defineErrorClass, type ModuleError, type NoContext } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface ValidatorErrorContexts {
  /** No key file at the configured path (create one with `paraloom validator keygen`). */
  KEY_FILE_NOT_FOUND: { path: string };
  /** The key file can be read by group or others: the key must be treated as leaked or fixed. */
  KEY_FILE_INSECURE: { path: string; mode: string };
  /** Not a Solana keypair file: a JSON array of 64 bytes whose second half is the first half's public key. */
  KEY_FILE_INVALID: { path?: string; length?: number; size?: number };
  /** The key file exists and overwriting was not asked for. */
  KEY_FILE_EXISTS: { path: string };
  /** Reading or writing the key file failed. */
  KEY_FILE_IO: { path: string };
  /** Bad input to a signing helper (wrong length, bad program id). */
  ARGUMENT_INVALID: { path?: string; length?: number; programId?: string; peerId?: string; value?: string };
  /** The key has no active ValidatorAccount on chain (`paraloom validator register`). */
  NOT_REGISTERED: { validator?: Address };
  /** The libp2p peer id or the multiaddrs do not fit the ValidatorAccount (64 / 256 bytes). */
  ENDPOINTS_INVALID: { peerId?: string; multiaddrs?: readonly string[] };
  /** The validator role used before start(). */
  INVALID_STATE: NoContext;
}

export type ValidatorErrorCode = keyof ValidatorErrorContexts;

export const ValidatorError = defineErrorClass<ValidatorErrorContexts>('ValidatorError');
export type ValidatorError<C extends ValidatorErrorCode = ValidatorErrorCode> = ModuleError<
  ValidatorErrorContexts,
  C
>;
