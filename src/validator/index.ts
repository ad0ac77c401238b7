// Public face of the validator module (off-chain part): the validator's Solana keypair file, the
// Ed25519 signing helpers consensus uses for votes and anchor approvals, its account on chain
// (register, unregister, withdraw-unbonded, the active set) and the signed heartbeat.
export {
  isActive,
  ValidatorChain,
  type ValidatorChainOptions,
  ValidatorChainReader,
} from './chain.js';
export {
  decodeEndpoints,
  dialable,
  type Endpoints,
  encodeEndpoints,
  MAX_MULTIADDR_BYTES,
  MAX_PEER_ID_BYTES,
} from './endpoints.js';
export { ValidatorError, type ValidatorErrorCode } from './errors.js';
export {
  HEARTBEAT_DOMAIN,
  type HeartbeatFields,
  heartbeatMessage,
  peerIdBytes,
  verifyHeartbeat,
} from './heartbeat.js';
export { type HeartbeatNetwork, HeartbeatService, type HeartbeatServiceOptions } from './heartbeats.js';
export { readKeypairFile, writeKeypairFile } from './key-file.js';
export { generateKeypair, keypairFromSecretKey, keypairFromSeed, type ValidatorKeypair } from './keypair.js';
export {
  HEARTBEAT_OUTCOMES,
  type HeartbeatOutcome,
  type ValidatorMetrics,
  validatorMetrics,
} from './metrics.js';
export { type Registration, ValidatorRole, type ValidatorRoleOptions } from './role.js';
export { type RosterEntry, type RosterOptions, ValidatorRoster } from './roster.js';
export {
  anchorMessage,
  coordinationMessage,
  type SignedAnchor,
  type SignedVote,
  type SigningDomain,
  ValidatorSigner,
  verifyAnchor,
  verifyCoordination,
  verifyVote,
  voteMessage,
} from './signing.js';
