// Public face of the snapshot module: joining by snapshot (issue #29). A node builds a snapshot of
// its state at its tip H (src/snapshot/build.ts); a joiner checks every part against block H's
// certified header (verify.ts) and installs it into an empty data directory (install.ts), then
// syncs blocks after H. Message layouts: docs/protocol.md, "State snapshots".
export {
  BASE_RECORD,
  GENESIS_BLOCK_RECORD,
  type HeldBlock,
  INSTALL_MARKER,
  keepGenesisBlock,
  loadBase,
  loadGenesisBlock,
  type SnapshotBase,
} from './base.js';
export { type BuildOptions, type BuiltSnapshot, buildSnapshot, RefundScan } from './build.js';
export {
  isSnapshotError,
  SnapshotError,
  type SnapshotErrorCode,
  type SnapshotErrorContexts,
} from './errors.js';
export {
  CHUNK_TARGET_BYTES,
  type ChunkEntry,
  ChunkKind,
  type ChunkKindCode,
  decodeChunk,
  decodeManifest,
  encodeChunk,
  encodeManifest,
  MAX_CHUNK_BYTES,
  MAX_CHUNKS,
  MAX_MANIFEST_BYTES,
  type SetBlock,
  SNAPSHOT_VERSION,
  type SnapshotChunk,
  type SnapshotManifest,
} from './format.js';
export { installSnapshot, recoverInterruptedInstall } from './install.js';
export { type SnapshotMetrics, snapshotMetrics } from './metrics.js';
export { type JoinOptions, joinBySnapshot, SnapshotServer, type SnapshotServerOptions } from './net.js';
export { type ChunkSource, type SnapshotTrust, type VerifiedSnapshot, verifySnapshot } from './verify.js';
