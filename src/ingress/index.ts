// Public face of the ingress module: the validator's HTTP JSON API for wallets.
export type {
  AnchorRecord,
  IngressBackend,
  OutputRecord,
  RelayerQuote,
  SettlementBackend,
  SubmitResult,
  WithdrawalRecord,
} from './backend.js';
export { chainRead } from './chain-read.js';
export type { ComputeIngressBackend } from './compute-routes.js';
export { HttpError, IngressError, type IngressErrorCode } from './errors.js';
export { LedgerIngressBackend } from './ledger-backend.js';
export { INGRESS_LIMITS, RateLimiter } from './rate-limit.js';
export { type IngressOptions, IngressServer, MAX_BATCH_TRANSACTIONS } from './server.js';
