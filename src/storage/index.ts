export { type BatchOp, WriteBatch } from './batch.js';
export { type BlockInput, BlockStore, MAX_BLOCK_BYTES, type StoredBlock } from './block-store.js';
export {
  type AuditEntry,
  type ComputeBlockChanges,
  type ComputeJob,
  type ComputeJobState,
  ComputeStore,
} from './compute-store.js';
export { Database, type DatabaseOptions, SCHEMA_VERSION, type WriteOptions } from './db.js';
export { type DepositCursor, DepositCursorStore } from './deposit-cursor.js';
export { StorageError, type StorageErrorCode } from './errors.js';
export { Prefix } from './keys.js';
export { MetaStore } from './meta-store.js';
export { type StorageMetrics, storageMetrics } from './metrics.js';
export { type BlockEffects, NodeStorage } from './node-storage.js';
export { NullifierStore } from './nullifier-store.js';
export { type SpendRootChanges, type SpendRootEntry, SpendRootStore } from './spend-root-store.js';
export { RocksTreeStorage } from './tree-store.js';
