// Public face of the wallet library: key files, notes, scanning, coin selection, transaction building.

export { type BuiltTransaction, buildTransfer, buildWithdraw, type PathSource } from './builders.js';
export { selectNotes } from './coin-selection.js';
export { WalletError, type WalletErrorCode } from './errors.js';
export { IngressClient, type IngressOutput, type SubmitOutcome } from './ingress-client.js';
export type { PendingDeposit, PendingTransaction } from './note-store.js';
export { type HistoryEntry, type NoteStatus, NoteStore, type OwnedNote } from './note-store.js';
export {
  chooseRelayer,
  type RelayerChoice,
  type RelayerQuote,
  type RelayerQuotes,
} from './relayer-choice.js';
export { type PublishedOutput, scanOutputs } from './scanner.js';
export { type SyncResult, type TransactionEncoder, Wallet } from './wallet.js';
export { createWalletFile, readWalletFile, WALLET_FILE_FORMAT } from './wallet-file.js';
