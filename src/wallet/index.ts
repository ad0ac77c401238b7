// Public face of the wallet library: key files, notes, scanning, coin selection, transaction building.

export {
  type BuiltTransaction,
  buildMerge,
  buildTransfer,
  buildWithdraw,
  type PathSource,
} from './builders.js';
export { SyncCheckpoint } from './checkpoint.js';
export { applyChunk, type ChunkCounts, REFUND_GAP } from './chunk-scan.js';
export { selectNotes } from './coin-selection.js';
export { DEPOSIT_GAP, type FoundDeposit, findOwnDeposits, type PublicDeposit } from './deposit-recovery.js';
export {
  checkOpening,
  DISCLOSURE_FORMAT,
  type Disclosure,
  type DisclosureJson,
  type DisclosureSource,
  disclosePayment,
  disclosureToJson,
  encodeDisclosure,
  MAX_DISCLOSURE_BYTES,
  parseDisclosure,
  type VerifiedDisclosure,
  validateDisclosure,
  verifyDisclosure,
} from './disclosure.js';
export { WalletError, type WalletErrorCode } from './errors.js';
export { TreeFrontier } from './frontier.js';
export {
  IngressClient,
  type IngressOutput,
  type OutputTransaction,
  type SubmitOutcome,
} from './ingress-client.js';
export { DEFAULT_SCRYPT, type ScryptParams } from './key-store.js';
export { MemoryOutputSource } from './memory-source.js';
export {
  generateWalletMnemonic,
  MNEMONIC_WORDS,
  normalizeMnemonic,
  seedFromMnemonic,
  walletKeysFromSeed,
} from './mnemonic.js';
export type { PendingDeposit, PendingTransaction, SentPayment } from './note-store.js';
export {
  type HistoryEntry,
  type NoteOrigin,
  type NoteStatus,
  NoteStore,
  type OwnedNote,
} from './note-store.js';
export {
  askPassphrase,
  PASSPHRASE_ENV,
  passphraseFromEnv,
  readHidden,
  requirePassphrase,
} from './passphrase.js';
export { type MergeStep, type PaymentPlan, type PlannedNote, planPayment } from './payment-plan.js';
export {
  chooseRelayer,
  type RelayerChoice,
  type RelayerQuote,
  type RelayerQuotes,
} from './relayer-choice.js';
export { birthdayLeafIndex } from './restore.js';
export { type PublishedOutput, scanOutputs } from './scanner.js';
export { writeSecretFile } from './secure-file.js';
export {
  DEFAULT_CHECKPOINT_EVERY,
  type OutputSource,
  type SyncOptions,
  type SyncProgress,
} from './sync.js';
export {
  type MergeEvent,
  type SyncResult,
  type TransactionEncoder,
  Wallet,
  type WalletCreateOptions,
} from './wallet.js';
export {
  createViewOnlyWalletFile,
  createWalletFile,
  readAnyWalletFile,
  readWalletAddress,
  readWalletFile,
  unlockWalletFile,
  WALLET_FILE_FORMAT,
} from './wallet-file.js';
