import { ParaloomError } from '../common/index.js';

export type NodeErrorCode =
  /** Another process (or this one) holds the data directory's RocksDB lock: a second node on it. */
  | 'DATA_DIR_LOCKED'
  /** The data directory cannot be created or used. */
  | 'DATA_DIR_UNUSABLE'
  /** Two components with one name. */
  | 'COMPONENT_DUPLICATE'
  /** A component depends on a name no component has. */
  | 'DEPENDENCY_UNKNOWN'
  /** Components depend on each other in a circle. */
  | 'DEPENDENCY_CYCLE'
  /** start() on a node that is not new, or a node used after stop. */
  | 'INVALID_STATE';

export class NodeError extends ParaloomError<NodeErrorCode> {}
