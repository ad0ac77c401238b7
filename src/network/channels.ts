/**
 * Gossip topics and request-response protocols: names per cluster, the message types each one
 * carries, and their size caps.
 */
import { NetworkError } from './errors.js';
import { MESSAGE_CAPS, type MessageTypeName } from './messages.js';

export type GossipPurpose = 'tx' | 'consensus' | 'evidence' | 'compute' | 'heartbeat';
export const GOSSIP_PURPOSES: readonly GossipPurpose[] = [
  'tx',
  'consensus',
  'evidence',
  'compute',
  'heartbeat',
];

export const GOSSIP_TYPES: Readonly<Record<GossipPurpose, ReadonlySet<MessageTypeName>>> = {
  tx: new Set(['TX', 'TXS']),
  consensus: new Set(['PROPOSAL', 'VOTE']),
  evidence: new Set(['EVIDENCE']),
  compute: new Set(['COMPUTE']),
  // Its own topic, so the validator role's gossip validator does not share the consensus topic's.
  heartbeat: new Set(['HEARTBEAT']),
};

/** Largest message a topic accepts. */
export function gossipCap(purpose: GossipPurpose): number {
  return Math.max(...[...GOSSIP_TYPES[purpose]].map((t) => MESSAGE_CAPS[t]));
}

export type ProtocolName = 'block-sync' | 'direct' | 'snapshot';
export const PROTOCOL_NAMES: readonly ProtocolName[] = ['block-sync', 'direct', 'snapshot'];

export interface ProtocolSpec {
  readonly request: ReadonlySet<MessageTypeName>;
  /** ERROR is always allowed as a response. */
  readonly response: ReadonlySet<MessageTypeName>;
}

export const PROTOCOLS: Readonly<Record<ProtocolName, ProtocolSpec>> = {
  'block-sync': {
    request: new Set(['BLOCK_SYNC_REQUEST']),
    response: new Set(['BLOCK_SYNC_RESPONSE', 'ERROR']),
  },
  direct: { request: new Set(['DIRECT']), response: new Set(['DIRECT', 'ERROR']) },
  snapshot: {
    request: new Set(['SNAPSHOT_REQUEST']),
    response: new Set(['SNAPSHOT_RESPONSE', 'ERROR']),
  },
};

export function capOf(types: ReadonlySet<MessageTypeName>): number {
  return Math.max(...[...types].map((t) => MESSAGE_CAPS[t]));
}

const CLUSTER_RE = /^[a-z0-9][a-z0-9-]{0,31}$/;

export function checkCluster(cluster: string): void {
  if (!CLUSTER_RE.test(cluster)) {
    throw new NetworkError('CONFIG_INVALID', 'cluster name must match [a-z0-9][a-z0-9-]{0,31}', { cluster });
  }
}

/** `/paraloom/<cluster>/<purpose>/1` */
export function gossipTopic(cluster: string, purpose: GossipPurpose): string {
  checkCluster(cluster);
  return `/paraloom/${cluster}/${purpose}/1`;
}

/** `/paraloom/<cluster>/<name>/1.0.0` */
export function protocolId(cluster: string, name: ProtocolName): string {
  checkCluster(cluster);
  return `/paraloom/${cluster}/${name}/1.0.0`;
}

/** `/paraloom/<cluster>/kad/1.0.0`: a DHT per cluster, so clusters never mix routing tables. */
export function dhtProtocol(cluster: string): string {
  checkCluster(cluster);
  return `/paraloom/${cluster}/kad/1.0.0`;
}
