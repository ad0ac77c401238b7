import { CLUSTER_IDS, type ClusterName, PARALOOM_DEV_PROGRAM_ID } from '../bridge/index.js';

export type { ClusterName };
export const CLUSTER_NAMES = Object.keys(CLUSTER_IDS) as [ClusterName, ...ClusterName[]];

export interface ClusterPreset {
  readonly rpcUrl: string;
  readonly wsUrl: string;
  /** Program id of the known deployment on this cluster, if there is one. */
  readonly programId: string | undefined;
}

/**
 * What `solana.cluster` implies when `rpc_url`, `ws_url` or `program_id` are left empty. The
 * localnet (`paraloom localnet`) serves HTTP and WebSocket on one port. No public deployment of the
 * program exists yet, so on public clusters `program_id` must be set.
 */
export const CLUSTER_PRESETS: Readonly<Record<ClusterName, ClusterPreset>> = {
  localnet: {
    rpcUrl: 'http://127.0.0.1:8899',
    wsUrl: 'ws://127.0.0.1:8899',
    programId: PARALOOM_DEV_PROGRAM_ID,
  },
  devnet: {
    rpcUrl: 'https://api.devnet.solana.com',
    wsUrl: 'wss://api.devnet.solana.com',
    programId: undefined,
  },
  testnet: {
    rpcUrl: 'https://api.testnet.solana.com',
    wsUrl: 'wss://api.testnet.solana.com',
    programId: undefined,
  },
  'mainnet-beta': {
    rpcUrl: 'https://api.mainnet-beta.solana.com',
    wsUrl: 'wss://api.mainnet-beta.solana.com',
    programId: undefined,
  },
};

/** The u8 cluster tag inside signed messages (domain separation between clusters). */
export function clusterTag(cluster: ClusterName): number {
  return CLUSTER_IDS[cluster];
}
