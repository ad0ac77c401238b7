// Public face of the ledger module: the L2's shielded transaction and block codecs, the mempool
// with its batched proof verification, deterministic block execution, and LedgerApp, which
// consensus drives (buildProposal / validateProposal / commit); the transaction relay between
// validators and the feed of finalized deposits from the program.

export { LedgerApp, type LedgerAppOptions, type RefundChain, type ValidateResult } from './app.js';
export {
  BLOCK_HEADER_BYTES,
  BLOCK_VERSION,
  type Block,
  type BlockHeader,
  blockHash,
  decodeBlock,
  decodeBlockHeaderOf,
  encodeBlock,
  encodeBlockHeader,
  type KnownTransaction,
  MAX_BLOCK_DEPOSITS,
  MAX_BLOCK_TRANSACTIONS,
  MAX_L2_BLOCK_BYTES,
} from './block.js';
export { DepositFeed, type DepositFeedOptions } from './deposit-feed.js';
export { DepositQueue, nextAccumulator, type PendingDeposit } from './deposits.js';
export { LedgerError, type LedgerErrorCode } from './errors.js';
export {
  type BlockEffects,
  type BlockRefusal,
  computeEffects,
  executeBlock,
  type VoteChecks,
} from './execute.js';
export { type FinalBlock, type FinalBlockListener, FinalBlockStream } from './final-blocks.js';
export {
  type AdmitResult,
  Mempool,
  type MempoolContext,
  type MempoolOptions,
  type TxOrigin,
} from './mempool.js';
export { type LedgerMetrics, ledgerMetrics } from './metrics.js';
export {
  NULLIFIER_ACCUMULATOR_ZERO,
  nextNullifierAccumulator,
} from './nullifier-accumulator.js';
export { RefundWatch } from './refund-watch.js';
export {
  checkRefundsSettleable,
  decodeRefundEntry,
  encodeRefundEntry,
  MAX_BLOCK_REFUNDS,
  REFUND_ENTRY_BYTES,
  REFUND_ENTRY_VERSION,
  REFUNDS_SECTION_KIND,
  type RefundEntry,
  type ResolvedRefund,
  refundEntriesOf,
  refundOf,
  refundTag,
  resolveRefunds,
} from './refunds.js';
export {
  BLOCK_REFUSALS,
  type BlockRefusalCode,
  REJECT_REASONS,
  Refusal,
  type RejectReason,
} from './rejections.js';
export {
  type BlockSection,
  decodeSections,
  encodeSections,
  type LedgerExtension,
  MAX_SECTION_ENTRIES,
  MAX_SECTIONS,
  MAX_SECTIONS_BYTES,
  sectionEntries,
  sectionsRoot,
} from './sections.js';
export { DEFAULT_SPEND_ROOT_WINDOW_MS, SpendRootWindow } from './spend-roots.js';
export { GENESIS_TIP, LedgerState, type LedgerStateOptions, type LedgerTip } from './state.js';
export {
  type DecodedTransaction,
  decodedFromTransaction,
  decodeTransaction,
  encodeTransaction,
  extDataHashOf,
  isWithdrawal,
  type ShieldedTransaction,
  TX_BYTES,
  TX_VERSION,
  transactionId,
} from './transaction.js';
export { TxRelay, type TxRelayOptions } from './tx-relay.js';
export { transactionRoot } from './tx-root.js';
