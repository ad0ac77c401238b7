import { ParaloomError } from '../common/index.js';

export type WalletErrorCode =
  | 'WALLET_FILE_EXISTS'
  | 'WALLET_FILE_MISSING'
  | 'WALLET_FILE_INSECURE'
  | 'WALLET_FILE_INVALID'
  | 'NOTE_STORE_INVALID'
  | 'INSUFFICIENT_FUNDS'
  | 'NEEDS_CONSOLIDATION'
  | 'AMOUNT_INVALID'
  | 'ROOT_MISMATCH'
  | 'NOTE_UNKNOWN'
  | 'INGRESS_UNAVAILABLE'
  | 'INGRESS_REJECTED'
  /** A batch submission of no transactions, or of more than the ingress takes in one request. */
  | 'BATCH_SIZE_INVALID'
  /** A Solana address (recipient, relayer) that does not parse. */
  | 'ADDRESS_INVALID'
  /** Nothing is anchored on Solana yet, so no withdrawal can be proven. */
  | 'NO_ANCHORED_ROOT'
  /** The notes a withdrawal needs are newer than the last anchored root. */
  | 'NOT_YET_ANCHORED';

export class WalletError extends ParaloomError<WalletErrorCode> {}
