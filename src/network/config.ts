import { checkCluster } from './channels.js';
import { NetworkError } from './errors.js';

/** Network settings of one node (the config module maps its TOML keys onto this). */
export interface NetworkConfig {
  /** Cluster name in topic and protocol ids: localnet, devnet, mainnet-beta, or a custom one. */
  readonly cluster: string;
  /** Listen multiaddrs. Default `/ip4/0.0.0.0/tcp/9400`. */
  readonly listen?: readonly string[];
  /** Addresses to announce instead of the listen addresses (behind NAT). */
  readonly announce?: readonly string[];
  /** Bootstrap peers: multiaddrs ending in `/p2p/<peer id>`. */
  readonly bootstrap?: readonly string[];
  /** Path of the identity key file (created with mode 0600 if missing). */
  readonly identityFile: string;
  /** Dial newly discovered peers while connected to fewer than this. Default 16. */
  readonly targetPeers?: number;
  /** Hard connection limit. Default 64. */
  readonly maxConnections?: number;
  /**
   * Gossipsub mesh degree D (0 = no relay mesh: publishers flood every connected subscriber and
   * peers not connected to them learn of a message by IHAVE at the next heartbeat). Default 0.
   */
  readonly gossipMeshDegree?: number;
  /** Ping every connected peer this often. Default 10 000 ms. */
  readonly pingIntervalMs?: number;
  /** A peer whose ping round trip is at or above this is `slow`. Default 500 ms. */
  readonly slowPingMs?: number;
  /** A ping not answered within this counts as failed. Default 5 000 ms. */
  readonly pingTimeoutMs?: number;
  /** Close a connection after this many failed pings in a row. Default 3. */
  readonly maxPingFailures?: number;
  /** Reconnect backoff: first delay, doubling up to the maximum (with jitter). Defaults 1 s, 60 s. */
  readonly reconnectBaseMs?: number;
  readonly reconnectMaxMs?: number;
  /** Give up on a lost peer that is not a bootstrap/pinned peer after this many attempts. Default 10. */
  readonly reconnectMaxAttempts?: number;
  /** Deadline of one request-response exchange. Default 10 000 ms. */
  readonly requestTimeoutMs?: number;
  /** Interval of the DHT self-lookup that finds new peers. Default 60 000 ms. */
  readonly discoveryIntervalMs?: number;
  /** Keep private/loopback addresses in DHT answers (LAN and localnet cohorts). Default true. */
  readonly allowPrivateAddresses?: boolean;
}

export type ResolvedNetworkConfig = Required<Omit<NetworkConfig, 'announce'>> & {
  announce: readonly string[];
};

export const NETWORK_DEFAULTS = {
  listen: ['/ip4/0.0.0.0/tcp/9400'],
  bootstrap: [],
  targetPeers: 16,
  maxConnections: 64,
  gossipMeshDegree: 0,
  pingIntervalMs: 10_000,
  slowPingMs: 500,
  pingTimeoutMs: 5_000,
  maxPingFailures: 3,
  reconnectBaseMs: 1_000,
  reconnectMaxMs: 60_000,
  reconnectMaxAttempts: 10,
  requestTimeoutMs: 10_000,
  discoveryIntervalMs: 60_000,
  allowPrivateAddresses: true,
} as const;

export function resolveNetworkConfig(config: NetworkConfig): ResolvedNetworkConfig {
  checkCluster(config.cluster);
  if (!config.identityFile) throw new NetworkError('CONFIG_INVALID', 'identityFile is required');
  const resolved: ResolvedNetworkConfig = {
    ...NETWORK_DEFAULTS,
    ...stripUndefined(config),
    announce: config.announce ?? [],
  } as ResolvedNetworkConfig;
  for (const k of [
    'targetPeers',
    'maxConnections',
    'pingIntervalMs',
    'pingTimeoutMs',
    'maxPingFailures',
    'reconnectBaseMs',
    'reconnectMaxMs',
    'reconnectMaxAttempts',
    'requestTimeoutMs',
    'discoveryIntervalMs',
  ] as const) {
    const v = resolved[k];
    if (!Number.isInteger(v) || v < 1)
      throw new NetworkError('CONFIG_INVALID', `${k} must be a positive integer`, { key: k, value: v });
  }
  if (!Number.isInteger(resolved.gossipMeshDegree) || resolved.gossipMeshDegree < 0) {
    throw new NetworkError('CONFIG_INVALID', 'gossipMeshDegree must be an integer >= 0');
  }
  if (!Number.isFinite(resolved.slowPingMs) || resolved.slowPingMs < 0) {
    throw new NetworkError('CONFIG_INVALID', 'slowPingMs must be >= 0');
  }
  return resolved;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
