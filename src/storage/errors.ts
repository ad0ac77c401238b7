import { defineErrorClass, type ModuleError } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface StorageErrorContexts {
  /** Another process (or this one) holds the database's lock. */
  DB_LOCKED: { location: string };
  /** The database cannot be opened. */
  DB_OPEN_FAILED: { location: string };
  /** The database is used before open() or after close(). */
  DB_NOT_OPEN: { location: string };
  /** A synced write failed earlier: the on-disk state is unknown and the database refuses writes. */
  DB_FAILED: { location: string; first: string };
  /** The database was written by a newer schema than this software knows. */
  SCHEMA_TOO_NEW: { location: string; version: number; supported: number };
  /** The schema version record is missing (with data present) or malformed. */
  SCHEMA_INVALID: { location?: string; length?: number; version?: number; supported?: number };
  /** A RocksDB write failed. */
  WRITE_FAILED: { location: string };
  /** A RocksDB read failed. */
  READ_FAILED: { location: string };
  /** A stored value that does not decode (length, version, non-canonical field). */
  VALUE_CORRUPT: {
    length?: number;
    wanted?: number;
    used?: number;
    hash?: string;
    height?: string;
    version?: number;
    id?: string;
    code?: number;
    expected?: number;
    index?: number;
    leafCount?: string;
    n?: number;
    level?: number;
  };
  /** Bad argument to a store (integer range, length, height, name). */
  INVALID_ARGUMENT: {
    value?: number | string;
    level?: number;
    length?: number;
    height?: string;
    size?: number;
    applied?: string;
    consumed?: string;
    stored?: string;
    name?: string;
    leafCount?: number;
  };
  /** The nullifier is already in the set: the note is spent. */
  NULLIFIER_EXISTS: { nullifier: string };
  /** A block stored above the next height. */
  BLOCK_HEIGHT_GAP: { height: string; tip: string };
  /** A different block stored at a height that has one. */
  BLOCK_CONFLICT: { height: string; tip: string };
  /** A compute job stored twice, or written concurrently. */
  JOB_EXISTS: { id: string };
  /** No queued compute job with this id. */
  JOB_UNKNOWN: { id: string };
}

export type StorageErrorCode = keyof StorageErrorContexts;

export const StorageError = defineErrorClass<StorageErrorContexts>('StorageError');
export type StorageError<C extends StorageErrorCode = StorageErrorCode> = ModuleError<
  StorageErrorContexts,
  C
>;
