// Public face of the compute module: job format and codec, module validation and fuel metering,
// the worker sandbox, execution, result commitments and agreement, the ownership proof, and the
// validator's compute service (pools, gossip, execution queue, metrics).

export { type AdmissionContext, type AdmittedJob, admitJob, checkAssignment } from './admission.js';
export {
  type AgreementInput,
  type AgreementOutcome,
  agreementThreshold,
  type RejectedResult,
  tallyResults,
} from './agreement.js';
export {
  type AssignmentParams,
  assignExecutors,
  assignmentSeed,
  COMPUTE_K,
  executorsPerAttempt,
  executorX25519,
  executorX25519Secret,
  rankExecutors,
  rankedCount,
} from './distribution/assignment.js';
export { type ActiveJob, type BlockPlan, planBlock } from './distribution/block-apply.js';
export {
  COMPUTE_SECTIONS_BUDGET,
  ComputeChain,
  type ComputeChainOptions,
  fieldFromHex,
  JOB_POOL_TTL_BLOCKS,
  MAX_JOBS_PER_BLOCK,
  RESULT_LINGER_BLOCKS,
} from './distribution/chain.js';
export {
  currentExecutors,
  decodeJobChain,
  encodeJobChain,
  everAssigned,
  type JobChain,
  type JobChainStatus,
} from './distribution/chain-state.js';
export {
  decodeJobEntry,
  encodeJobEntry,
  JOBS_SECTION_KIND,
  type JobEntry,
  RESULTS_SECTION_KIND,
} from './distribution/entries.js';
export { JobPool, type PendingJob, ResultPool } from './distribution/pools.js';
export { jobStatusView } from './distribution/status.js';
export { COMPUTE_RETRY_BLOCKS, judgeResult, retryIfDue, tallyChain } from './distribution/transitions.js';
export {
  computeWindowStart,
  MAX_JOB_LIFETIME_BLOCKS,
  replayComputeWindow,
  type WindowBlock,
} from './distribution/window.js';
export { ComputeError, type ComputeErrorCode } from './errors.js';
export { type Execution, type ExecutorKeys, executeJob, executorEncryptionKey } from './executor.js';
export { corruptedResult } from './fault.js';
export { buildJob, type UnprovenJob, withProof } from './job/build.js';
export { decodeJob, encodeJob } from './job/codec.js';
export { openOutput } from './job/envelope.js';
export { type InputEnvelope, JOB_VERSION, type Job, type JobOwnership, type JobSpec } from './job/job.js';
export { jobId, jobIdBytes, jobIdHex } from './job/job-id.js';
export { AUDIT_ADMITTED, AUDIT_FAILED, AUDIT_FINALIZED, AUDIT_RETRIED, ComputeJournal } from './journal.js';
export {
  DEFAULT_WALL_CLOCK_MS,
  MAX_CALL_DEPTH,
  MAX_EXECUTORS,
  MAX_FUEL,
  MAX_INPUT_BYTES,
  MAX_JOB_BYTES,
  MAX_MEMORY_PAGES,
  MAX_OUTPUT_BYTES,
  MAX_WASM_BYTES,
} from './limits.js';
export { encodeInput, type JobManifest, type LocalRunReport, loadJobDir, runLocalJob } from './local-run.js';
export {
  type OwnershipProof,
  type OwnershipRequest,
  ownershipWitnessInput,
  proveOwnership,
} from './ownership/prover.js';
export {
  OWNERSHIP_DOMAIN,
  OWNERSHIP_PUBLIC_INPUT_NAMES,
  type OwnershipStatement,
  ownershipPublicInputs,
  ownershipTag,
} from './ownership/statement.js';
export { loadOwnershipVerifier, OWNERSHIP_DEV_KEYS_DIR, OwnershipVerifier } from './ownership/verifier.js';
export {
  decodeFinalRecord,
  decodeSignedResult,
  encodeFinalRecord,
  encodeSignedResult,
  type FinalRecord,
} from './record.js';
export {
  checkSignedResult,
  type ExecutionResult,
  outputHash,
  resultCommitment,
  type SignedResult,
  signResult,
} from './result.js';
export type { RunOutcome, RunStatus } from './sandbox/protocol.js';
export { Sandbox, type SandboxOptions } from './sandbox/sandbox.js';
export {
  ExecutionQueue,
  type ExecutionQueueOptions,
  MAX_EXECUTION_QUEUE,
} from './service/execution-queue.js';
export { type ComputeMetrics, computeMetrics } from './service/metrics.js';
export {
  COMPUTE_KIND_JOB,
  COMPUTE_KIND_RESULT,
  ComputeService,
  type ComputeServiceOptions,
  REPUBLISH_MS,
} from './service/service.js';
export { PreparedModuleCache } from './wasm/cache.js';
export { ENTRY_EXPORTS, HOST_API, type HostFunction } from './wasm/host-api.js';
export { type ModuleLimits, prepareModule } from './wasm/prepare.js';
export { watToWasm } from './wasm/wat.js';
