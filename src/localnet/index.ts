// Public face of the localnet module: an embedded Solana (LiteSVM behind Solana JSON-RPC).
export {
  type AccountView,
  type ChainOptions,
  type Commitment,
  LocalChain,
  type TransactionRecord,
} from './chain.js';
export { LocalnetError, type LocalnetErrorCode } from './errors.js';
export { Localnet, type LocalnetOptions, type LocalnetProgram } from './localnet.js';
export {
  initializeParaloom,
  type ParaloomInitOptions,
  paraloomProgram,
  shapeLoadedProgram,
} from './paraloom-genesis.js';
export { SOLANA_CORE_VERSION } from './rpc-methods.js';
