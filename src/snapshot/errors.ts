import { defineErrorClass, type ModuleError, type NoContext } from '../common/index.js';

/** Where a snapshot message failed to decode (the codec's context, flattened). */
export type SnapshotMalformedContext = {
  what?: string;
  field?: string;
  offset?: number;
  need?: number;
  remaining?: number;
  length?: number;
  cap?: number;
  count?: number;
  trailing?: number;
  value?: number | string;
};

/** The context each code carries, as its throw sites attach it. */
export interface SnapshotErrorContexts {
  /** A manifest or chunk that does not decode (truncated, a count over its cap, trailing bytes). */
  SNAPSHOT_MALFORMED: SnapshotMalformedContext;
  /** A manifest or chunk larger than its cap, refused from its length alone. */
  SNAPSHOT_OVERSIZE: { length: number; cap: number };
  /** A chunk that is not the one the manifest announced (hash, kind or count), or a chunk missing. */
  CHUNK_MISMATCH: { index: number };
  /** The peer no longer serves the snapshot's chunk (it built a newer one, or stopped). */
  CHUNK_UNAVAILABLE: { index: number; height: string };
  /** Block H's certificate (or a validator-set block's) does not prove it final under the trusted sets. */
  CERTIFICATE_INVALID: { height: string };
  /** The validator-set blocks do not walk the trusted genesis set forward to height H. */
  VALIDATOR_SETS_INVALID: { height?: string };
  /** The recent headers do not chain back from block H by their previous hashes, or stop too early. */
  HEADERS_INVALID: { height?: string };
  /** The commitment tree the leaves rebuild is not the one block H (or a recent header) commits to. */
  TREE_MISMATCH: { leafCount?: string };
  /** The nullifier list does not hash to block H's nullifier count and accumulator. */
  NULLIFIERS_MISMATCH: { count?: string };
  /**
   * A refund block that is not the certified block at its height (header hash, transaction or
   * sections root), out of order, or below the headers the snapshot carries.
   */
  REFUND_BLOCKS_INVALID: { height?: string };
  /** The compute window's sections are missing, out of order, or not the ones their headers commit to. */
  COMPUTE_WINDOW_INVALID: { height?: string };
  /**
   * The spend-root window's entries are not exactly the roots and timestamps the chained headers
   * give for the window before block H (one tampered, missing, extra or out of order).
   */
  SPEND_ROOTS_INVALID: { index?: number; height?: string };
  /** Installing needs an empty data directory (a far-behind one is wiped by the caller first). */
  STATE_NOT_EMPTY: { height?: string };
  /** This node holds no block to build a snapshot at. */
  NOTHING_TO_SERVE: NoContext;
  /** A record this node wrote itself (the snapshot base) does not decode. */
  BASE_CORRUPT: NoContext;
  /** An argument outside its range (a value that does not fit its field). */
  ARGUMENT_INVALID: SnapshotMalformedContext;
}

export type SnapshotErrorCode = keyof SnapshotErrorContexts;

export const SnapshotError = defineErrorClass<SnapshotErrorContexts>('SnapshotError');
export type SnapshotError<C extends SnapshotErrorCode = SnapshotErrorCode> = ModuleError<
  SnapshotErrorContexts,
  C
>;

export function isSnapshotError(err: unknown): err is SnapshotError {
  return err instanceof SnapshotError;
}
