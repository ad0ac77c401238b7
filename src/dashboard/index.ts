// Public face of the dashboard module: the network dashboard's HTTP server (built front-end, read-only
// JSON API under /api/v1, server-sent events), its view of a running node, and the Solana reads it
// refreshes on a timer.
export { type Asset, DASHBOARD_DIST, loadAssets } from './assets.js';
export { addressOf, blockDetail, blockSummary, fieldHex } from './blocks.js';
export {
  type ChainSnapshot,
  type ChainSource,
  type ChainTx,
  ChainWatcher,
  type ChainWatcherOptions,
  EMPTY_CHAIN,
  type ProgramEvent,
  programEvents,
  slashKey,
} from './chain.js';
export { DashboardError, type DashboardErrorCode } from './errors.js';
export { type LedgerView, NodeDashboardBackend, type NodeDashboardSources } from './node-backend.js';
export { coordinatorRoleFromMetrics, NodeDashboard, type NodeDashboardOptions } from './node-dashboard.js';
export { DASHBOARD_DEFAULT_PORT, DashboardServer, type DashboardServerOptions } from './server.js';
export type * from './views.js';
