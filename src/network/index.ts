// Before anything that may load libp2p: Node 20 lacks Promise.withResolvers.
import './polyfill.js';

export {
  capOf,
  checkCluster,
  dhtProtocol,
  GOSSIP_PURPOSES,
  GOSSIP_TYPES,
  type GossipPurpose,
  gossipCap,
  gossipTopic,
  PROTOCOL_NAMES,
  PROTOCOLS,
  type ProtocolName,
  type ProtocolSpec,
  protocolId,
} from './channels.js';
export {
  NETWORK_DEFAULTS,
  type NetworkConfig,
  type ResolvedNetworkConfig,
  resolveNetworkConfig,
} from './config.js';
export { type DirectHandler, type DirectHost, DirectRouter } from './direct-router.js';
export { NetworkError, type NetworkErrorCode } from './errors.js';
export {
  decodeGossipPayload,
  GOSSIP_NONCE_BYTES,
  gossipMessageId,
  gossipPayload,
} from './gossip-payload.js';
export { loadOrCreateIdentity } from './identity.js';
export {
  Caps,
  decodeMessage,
  encodeMessage,
  MAX_MESSAGE_BYTES,
  MESSAGE_CAPS,
  type MessageOf,
  MessageType,
  type MessageTypeName,
  type NetworkMessage,
  type SyncedBlock,
  VoteKind,
  WIRE_VERSION,
} from './messages.js';
export { type NetworkMetrics, networkMetrics } from './metrics.js';
export {
  type GossipHandler,
  type GossipValidator,
  NetworkNode,
  type NetworkNodeOptions,
  RemoteErrorCode,
  type RequestHandler,
} from './node.js';
export {
  backoffDelay,
  PeerRegistry,
  type PeerState,
  type PeerStateListener,
  type PeerStatus,
} from './peer-registry.js';
