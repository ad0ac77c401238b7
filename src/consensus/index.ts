// Public face of the consensus module: the Tendermint engine (Algorithm 1 of "The latest gossip on
// BFT consensus") as a pure replica and as a component over gossip; leader selection, quorums,
// quorum certificates, equivocation evidence, reputation, proposal pacing, and the validator sets
// agreed through blocks (the ledger extension carrying them). No other block semantics: the
// application (src/ledger) builds, validates and commits blocks through ConsensusApplication.
export { AgreedValidatorSets, type AgreedValidatorSetsOptions } from './agreed-sets.js';
export { signerAuthenticator, verifyDomainVote } from './auth.js';
export {
  type CertificateSignature,
  certificateFromVotes,
  certificateVotes,
  decodeCertificate,
  encodeCertificate,
  type QuorumCertificate,
  verifyCertificate,
} from './certificate.js';
export type { Effect, RoundOutcome } from './effects.js';
export {
  type ConsensusApplication,
  ConsensusEngine,
  type ConsensusEngineOptions,
  type ConsensusNetwork,
  type Decision,
} from './engine.js';
export {
  ACTIVATION_DELAY,
  activationHeight,
  carriesValidatorSet,
  decodeValidatorSet,
  encodeValidatorSet,
  MAX_SET_SIZE,
  type ScheduledSet,
  sameValidatorSet,
  ValidatorSetHistory,
} from './epochs.js';
export { ConsensusError, type ConsensusErrorCode, isConsensusError } from './errors.js';
export {
  decodeEvidence,
  type Equivocation,
  EVIDENCE_BYTES,
  encodeEvidence,
  equivocation,
  evidenceId,
  verifyEvidence,
} from './evidence.js';
export { EvidenceStore } from './evidence-store.js';
export { HeightMachine } from './height-machine.js';
export { type KeyValue, MemoryKv } from './kv.js';
export { leaderSeed, selectLeader } from './leader.js';
export { type ConsensusMetrics, consensusMetrics } from './metrics.js';
export { type PacingOptions, pacedApplication, type WorkAwareApplication } from './pacing.js';
export {
  type IgnoredReason,
  Replica,
  type ReplicaEffect,
  type ReplicaInput,
  type ReplicaOptions,
} from './replica.js';
export { REPUTATION_DELTAS, type ReputationEntry, ReputationTracker } from './reputation.js';
export { ConsensusService, type ConsensusServiceOptions } from './service.js';
export { DEFAULT_TIMEOUTS, type StepTimeout, type Timeouts, timeoutFor } from './timeouts.js';
export {
  type ConsensusMessage,
  NIL_HASH,
  type Proposal,
  proposalVote,
  type Step,
  type Vote,
  type VoteAuthenticator,
  type VoteType,
} from './types.js';
export { DEFAULT_HEAD_FRACTION, type Member, type ValidatorInfo, ValidatorSet } from './validator-set.js';
export {
  registryValidators,
  VALIDATOR_SET_SECTION,
  type ValidatorRegistry,
  ValidatorSetExtension,
  type ValidatorSetExtensionOptions,
} from './validator-set-extension.js';
export { decodeProposalBody, encodeProposalBody, fromNetworkMessage, toNetworkMessage } from './wire.js';
