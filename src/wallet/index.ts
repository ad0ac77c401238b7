// Public face of the wallet library: key files, notes, scanning, coin selection, transaction building.

export { type BuiltTransaction, buildTransfer, buildWithdraw, type PathSource } from './builders.js';
export { selectNotes } from './coin-selection.js';
export { WalletError, type WalletErrorCode } from './errors.js';
export { IngressClient, type IngressOutput, type SubmitOutcome } from './ingress-client.js';
export { DEFAULT_SCRYPT, type ScryptParams } from './key-store.js';
export {
  generateWalletMnemonic,
  MNEMONIC_WORDS,
  normalizeMnemonic,
  seedFromMnemonic,
  walletKeysFromSeed,
} from './mnemonic.js';
export type { PendingDeposit, PendingTransaction } from './note-store.js';
export { type HistoryEntry, type NoteStatus, NoteStore, type OwnedNote } from './note-store.js';
export {
  askPassphrase,
  PASSPHRASE_ENV,
  passphraseFromEnv,
  readHidden,
  requirePassphrase,
} from './passphrase.js';
export { birthdayLeafIndex } from './restore.js';
export { type PublishedOutput, scanOutputs } from './scanner.js';
export { writeSecretFile } from './secure-file.js';
export { type SyncResult, type TransactionEncoder, Wallet, type WalletCreateOptions } from './wallet.js';
export {
  createWalletFile,
  readWalletAddress,
  readWalletFile,
  unlockWalletFile,
  WALLET_FILE_FORMAT,
} from './wallet-file.js';
