// Public face of the coordinator module: the duties of the node in the coordinator role (anchoring
// final L2 blocks on Solana, relaying users' withdrawals, submitting slashing evidence) and the
// parts every validator runs for them (signing anchors, indexing withdrawals, their status).
export { DIRECT_KINDS } from './anchor-messages.js';
export { type AnchorPlan, MAX_ANCHOR_RANGE, MAX_ANCHOR_WITHDRAWALS, planAnchor } from './anchor-plan.js';
export { type AnchorPolicy, AnchorService, type AnchorServiceOptions } from './anchor-service.js';
export { type AnchorSigningOptions, AnchorSigningService } from './anchor-signing.js';
export { type AnchoredRange, AnchoredRanges, withdrawArgsFor, withdrawArgsOf } from './approvals.js';
export { CoordinatorElection, type CoordinatorRole, type ElectionOptions } from './election.js';
export { CoordinatorError, type CoordinatorErrorCode } from './errors.js';
export { type CoordinatorSnapshot, LEASE_KINDS } from './lease-messages.js';
export { type CoordinatorMetrics, coordinatorMetrics } from './metrics.js';
export { Relayer, type RelayerOptions } from './relayer.js';
export { SettlementDuties, type SettlementDutiesOptions } from './settlement-duties.js';
export { Slasher, type SlasherOptions } from './slasher.js';
export { type FinalBlocks, type IndexedWithdrawal, WithdrawalIndex } from './withdrawal-index.js';
export { type AnchoredRoot, type WithdrawalStatus, WithdrawalStatusReader } from './withdrawal-status.js';
