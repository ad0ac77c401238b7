import { ParaloomError } from '../common/index.js';

export type StorageErrorCode =
  | 'DB_LOCKED'
  | 'DB_OPEN_FAILED'
  | 'DB_NOT_OPEN'
  | 'DB_FAILED'
  | 'SCHEMA_TOO_NEW'
  | 'SCHEMA_INVALID'
  | 'WRITE_FAILED'
  | 'READ_FAILED'
  | 'VALUE_CORRUPT'
  | 'INVALID_ARGUMENT'
  | 'NULLIFIER_EXISTS'
  | 'BLOCK_HEIGHT_GAP'
  | 'BLOCK_CONFLICT'
  | 'JOB_EXISTS'
  | 'JOB_UNKNOWN';

export class StorageError extends ParaloomError<StorageErrorCode> {}
