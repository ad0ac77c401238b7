// Public face of the bridge module: the Paraloom program's addresses, instruction builders, account
// decoders, signed-message formats, Ed25519 quorum instructions and typed program errors; and the
// node's side of Solana: the RPC layer, version handshake, deposit listener and submitters.

export {
  type AnchorEntry,
  type Approval,
  type BridgeState,
  decodeApproval,
  decodeBridgeState,
  decodeValidatorAccount,
  decodeValidatorRegistry,
  decodeVerifyingKeyAccount,
  isAccountOfType,
  type RelayFee,
  relayFeeFloor,
  type ValidatorAccount,
  type ValidatorRegistry,
  type VerifyingKeyAccount,
} from './accounts.js';
export { approvalsPaidBy } from './approval-accounts.js';
export {
  type ChainReading,
  ChainView,
  type ChainViewEvents,
  type ChainViewMetrics,
  type ChainViewOptions,
  chainViewMetrics,
} from './chain-view.js';
export {
  ACCOUNT_NAMES,
  type AccountName,
  ANCHOR_RING,
  accountDiscriminator,
  CLUSTER_IDS,
  type ClusterName,
  DEPOSIT_RING,
  ED25519_PROGRAM_ID,
  EVENT_NAMES,
  type EventName,
  eventDiscriminator,
  INSTRUCTION_NAMES,
  INSTRUCTIONS_SYSVAR_ID,
  type InstructionName,
  instructionDiscriminator,
  LAMPORTS_PER_SIGNATURE,
  LAMPORTS_PER_SOL,
  MAX_ACTIVE_VALIDATORS,
  MAX_APPROVAL_DEPTH,
  MAX_RELAY_FEES,
  MAX_VALIDATORS,
  PARALOOM_DEV_PROGRAM_ID,
  PROGRAM_VERSION,
  SIZES,
  SYSTEM_PROGRAM_ID,
  UPGRADEABLE_LOADER_ID,
} from './constants.js';
export * from './deploy/index.js';
export {
  type Deposit,
  type DepositCursorPort,
  DepositListener,
  type DepositListenerOptions,
  type ListenerCursor,
} from './deposits/listener.js';
export { depositOpenings, type FoundDepositOpening } from './deposits/scan.js';
export { buildEd25519Instruction, type Ed25519Entry } from './ed25519.js';
export {
  BridgeError,
  type BridgeErrorCode,
  bridgeErrorFromProgramCode,
  PROGRAM_ERROR_BASE,
  PROGRAM_ERROR_CODES,
  type ProgramErrorCode,
  programCodeOf,
} from './errors.js';
export {
  type DepositEventData,
  type DepositOpening,
  decodeDepositEvent,
  depositInstructionOpening,
  programDataFor,
} from './events.js';
export { type FinalizedNullifiers, readFinalizedNullifiers } from './finalized-nullifiers.js';
export {
  bridgeGenesisTransactions,
  devVerifyingKeyBody,
  LOCALNET_DEV_ADMIN_SEED,
  LOCALNET_INITIALIZE_PARAMS,
  loadParaloomProgram,
  PARALOOM_SO_PATH,
  programDataAddress,
} from './genesis.js';
export {
  type ApprovalPath,
  anchorRootInstruction,
  claimRewardsInstruction,
  closeApprovalInstruction,
  type DepositArgs,
  depositInstruction,
  finalizeVerifyingKeyInstruction,
  type InitializeParams,
  initializeInstruction,
  pauseInstruction,
  registerValidatorInstruction,
  type SlashArgs,
  setRelayFeeInstruction,
  slashInstruction,
  unpauseInstruction,
  unregisterValidatorInstruction,
  updateValidatorEndpointsInstruction,
  type WithdrawArgs,
  withdrawInstruction,
  withdrawUnbondedInstruction,
  writeVerifyingKeyInstructions,
} from './instructions.js';
export {
  ANCHOR_BODY_BYTES,
  type AnchorFields,
  anchorDigest,
  anchorFieldsLayout,
  encodeAnchorFields,
  encodeVoteMessage,
  VOTE_TYPES,
  type VoteFields,
  type VoteType,
  voteSlotKey,
} from './messages.js';
export { NodeChain, type NodeChainOptions } from './node-chain.js';
export {
  deriveProgramAddresses,
  findApprovalPda,
  findBridgeStatePda,
  findNullifierPda,
  findSlashRecordPda,
  findValidatorPda,
  findValidatorRegistryPda,
  findVaultPda,
  findVerifyingKeyPda,
  type ProgramAddresses,
} from './pda.js';
export { type RelayCost, relayCost } from './relay-cost.js';
export { BridgeRpc, type BridgeRpcOptions } from './rpc/client.js';
export { type BridgeMetrics, bridgeMetrics } from './rpc/metrics.js';
export {
  type AnchorOutcome,
  AnchorSubmitter,
  type AnchorSubmitterOptions,
} from './submit/anchor-submitter.js';
export { type SenderOptions, type SendOptions, type Sent, TransactionSender } from './submit/sender.js';
export {
  type WithdrawOutcome,
  WithdrawSubmitter,
  type WithdrawSubmitterOptions,
} from './submit/withdraw-submitter.js';
export { checkProgramVersion } from './version.js';
export { WithdrawalsTree, withdrawalLeaf } from './withdrawals-tree.js';
