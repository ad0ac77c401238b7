// Public face of the sync module: how a node gets blocks it did not decide itself. It serves final
// blocks with their certificates to peers ('block-sync'), fetches the final block of a height for
// the consensus engine's catch-up, and finds the genesis validator set of a node with an empty
// ledger (block 1 of a running cohort, or the chain registry's set when a cohort starts together).
export {
  BlockSyncServer,
  type BlockSyncServerOptions,
  SYNC_BLOCKS_PER_RESPONSE,
} from './block-sync-server.js';
export { isSyncError, SyncError, type SyncErrorCode } from './errors.js';
export { FinalBlockFetcher, type FinalBlockFetcherOptions } from './final-block-fetcher.js';
export { GENESIS_NO_PEERS_MS, GenesisDiscovery, type GenesisDiscoveryOptions } from './genesis-discovery.js';
