import { defineErrorClass, type ModuleError } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface NodeErrorContexts {
  /** Another process (or this one) holds the data directory's RocksDB lock: a second node on it. */
  DATA_DIR_LOCKED: { dataDir: string };
  /** The data directory cannot be created or used. */
  DATA_DIR_UNUSABLE: { dataDir: string };
  /** Two components with one name. */
  COMPONENT_DUPLICATE: { name: string };
  /** A component depends on a name no component has. */
  DEPENDENCY_UNKNOWN: { component: string; dependency: string };
  /** Components depend on each other in a circle. */
  DEPENDENCY_CYCLE: { cycle: string[] };
  /** start() on a node that is not new, a node used after stop, or a component used before its start. */
  INVALID_STATE: { job?: string; waitedMs?: number; minValidators?: number; state?: string };
}

export type NodeErrorCode = keyof NodeErrorContexts;

export const NodeError = defineErrorClass<NodeErrorContexts>('NodeError');
export type NodeError<C extends NodeErrorCode = NodeErrorCode> = ModuleError<NodeErrorContexts, C>;
