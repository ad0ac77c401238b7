import { availableParallelism } from 'node:os';
/**
 * From the validated file to what the node runs with: absolute paths, and the cluster's RPC/WS
 * URLs, program id and tag filled in where the file left them empty.
 */
import { isAbsolute, join, resolve } from 'node:path';
import { CLUSTER_PRESETS, type ClusterName, clusterTag } from './clusters.js';
import type { ConfigIssue } from './errors.js';
import type { ConfigFile } from './schema.js';

export type LogLevel = ConfigFile['node']['log_level'];
export type Commitment = ConfigFile['solana']['commitment'];

export interface NodeConfig {
  readonly node: {
    readonly dataDir: string;
    /** RocksDB directory: `<dataDir>/db`. */
    readonly dbDir: string;
    readonly verifierThreads: number;
    readonly logLevel: LogLevel;
    readonly stopTimeoutMs: number;
  };
  readonly network: {
    readonly listen: readonly string[];
    readonly announce: readonly string[];
    readonly bootstrap: readonly string[];
    readonly identityFile: string;
    readonly targetPeers: number;
    readonly maxConnections: number;
    readonly gossipMeshDegree: number;
    readonly pingIntervalMs: number;
    readonly slowPingMs: number;
    readonly pingTimeoutMs: number;
    readonly maxPingFailures: number;
    readonly reconnectBaseMs: number;
    readonly reconnectMaxMs: number;
    readonly reconnectMaxAttempts: number;
    readonly requestTimeoutMs: number;
    readonly discoveryIntervalMs: number;
    readonly allowPrivateAddresses: boolean;
  };
  readonly solana: {
    readonly cluster: ClusterName;
    /** u8 tag of the cluster in signed messages. */
    readonly clusterTag: number;
    readonly rpcUrl: string;
    readonly wsUrl: string;
    /** Base58 program id. */
    readonly programId: string;
    readonly commitment: Commitment;
    readonly rpcTimeoutMs: number;
    readonly chainViewRefreshMs: number;
    readonly expectedProgramVersion: number;
  };
  readonly validator: {
    readonly keyFile: string;
    readonly stakeLamports: bigint;
    readonly coordinatorCandidate: boolean;
    readonly coordinatorPriority: number;
    readonly heartbeatIntervalMs: number;
  };
  readonly health: {
    readonly host: string;
    readonly port: number;
    readonly minPeers: number;
    readonly checkTimeoutMs: number;
  };
  readonly ingress: { readonly host: string; readonly port: number };
  readonly dashboard: { readonly enabled: boolean; readonly host: string; readonly port: number };
  readonly sync: {
    readonly snapshotThresholdBlocks: number;
    readonly snapshotRefreshBlocks: number;
    readonly snapshotRefundGraceSlots: number;
  };
  readonly ledger: {
    /** ledger.spend_root_window_ms (cohort-wide). */
    readonly spendRootWindowMs: number;
  };
  readonly consensus: {
    readonly enabled: boolean;
    readonly minValidators: number;
    readonly waitValidatorsMs: number;
    readonly blockIntervalMs: number;
    readonly epochBlocks: number;
    readonly idleBlockMs: number;
  };
  readonly coordinator: {
    readonly enabled: boolean;
    readonly leaseMs: number;
    readonly anchorEveryBlocks: number;
    readonly anchorEveryMs: number;
    readonly withdrawalAnchorMs: number;
    readonly relay: boolean;
    /** Added to the real settlement cost by `validator set-relay-fee` when no margin or floor is given. */
    readonly relayFeeMarginLamports: bigint;
  };
}

/** `baseDir`: where relative paths start (the config file's directory, or the working directory). */
export function resolveConfig(f: ConfigFile, baseDir: string): { config: NodeConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const abs = (p: string, from: string) => (isAbsolute(p) ? p : resolve(from, p));
  const dataDir = abs(f.node.data_dir, baseDir);
  const preset = CLUSTER_PRESETS[f.solana.cluster];
  const programId = f.solana.program_id || preset.programId;
  if (!programId) {
    issues.push({
      path: 'solana.program_id',
      message: `required on ${f.solana.cluster}: no known deployment of the program there`,
      source: 'file',
    });
  }
  const n = f.network;
  const config: NodeConfig = {
    node: {
      dataDir,
      dbDir: join(dataDir, 'db'),
      logLevel: f.node.log_level,
      verifierThreads:
        f.node.verifier_threads > 0 ? f.node.verifier_threads : Math.min(2, availableParallelism()),
      stopTimeoutMs: f.node.stop_timeout_ms,
    },
    network: {
      listen: n.listen,
      announce: n.announce,
      bootstrap: n.bootstrap,
      identityFile: n.identity_file ? abs(n.identity_file, baseDir) : join(dataDir, 'network-identity.key'),
      targetPeers: n.target_peers,
      maxConnections: n.max_connections,
      gossipMeshDegree: n.gossip_mesh_degree,
      pingIntervalMs: n.ping_interval_ms,
      slowPingMs: n.slow_ping_ms,
      pingTimeoutMs: n.ping_timeout_ms,
      maxPingFailures: n.max_ping_failures,
      reconnectBaseMs: n.reconnect_base_ms,
      reconnectMaxMs: n.reconnect_max_ms,
      reconnectMaxAttempts: n.reconnect_max_attempts,
      requestTimeoutMs: n.request_timeout_ms,
      discoveryIntervalMs: n.discovery_interval_ms,
      allowPrivateAddresses: n.allow_private_addresses,
    },
    solana: {
      cluster: f.solana.cluster,
      clusterTag: clusterTag(f.solana.cluster),
      rpcUrl: f.solana.rpc_url || preset.rpcUrl,
      wsUrl: f.solana.ws_url || preset.wsUrl,
      programId: programId ?? '',
      commitment: f.solana.commitment,
      rpcTimeoutMs: f.solana.rpc_timeout_ms,
      chainViewRefreshMs: f.solana.chain_view_refresh_ms,
      expectedProgramVersion: f.solana.expected_program_version,
    },
    validator: {
      keyFile: f.validator.key_file
        ? abs(f.validator.key_file, baseDir)
        : join(dataDir, 'validator-keypair.json'),
      stakeLamports: f.validator.stake_lamports,
      coordinatorCandidate: f.validator.coordinator_candidate,
      coordinatorPriority: f.validator.coordinator_priority,
      heartbeatIntervalMs: f.validator.heartbeat_interval_ms,
    },
    health: {
      host: f.health.host,
      port: f.health.port,
      minPeers: f.health.min_peers,
      checkTimeoutMs: f.health.check_timeout_ms,
    },
    ingress: { host: f.ingress.host, port: f.ingress.port },
    dashboard: { enabled: f.dashboard.enabled, host: f.dashboard.host, port: f.dashboard.port },
    sync: {
      snapshotThresholdBlocks: f.sync.snapshot_threshold_blocks,
      snapshotRefreshBlocks: f.sync.snapshot_refresh_blocks,
      snapshotRefundGraceSlots: f.sync.snapshot_refund_grace_slots,
    },
    ledger: { spendRootWindowMs: f.ledger.spend_root_window_ms },
    consensus: {
      enabled: f.consensus.enabled,
      minValidators: f.consensus.min_validators,
      waitValidatorsMs: f.consensus.wait_validators_ms,
      blockIntervalMs: f.consensus.block_interval_ms,
      epochBlocks: f.consensus.epoch_blocks,
      idleBlockMs: Math.max(f.consensus.idle_block_ms, f.consensus.block_interval_ms),
    },
    coordinator: {
      enabled: f.coordinator.enabled,
      leaseMs: f.coordinator.lease_ms,
      anchorEveryBlocks: f.coordinator.anchor_every_blocks,
      anchorEveryMs: f.coordinator.anchor_every_ms,
      withdrawalAnchorMs: f.coordinator.withdrawal_anchor_ms,
      relay: f.coordinator.relay,
      relayFeeMarginLamports: BigInt(f.coordinator.relay_fee_margin_lamports),
    },
  };
  return { config, issues };
}
