import type { Field } from '../field.js';

/** Persistent state of the commitment tree besides its nodes. */
export interface TreeState {
  /** Number of leaves appended so far (the next leaf's index). */
  readonly leafCount: number;
  /** Most recent roots, oldest first, at most ROOT_HISTORY_SIZE; the last one is the current root. */
  readonly rootHistory: readonly Field[];
}

export interface TreeNodeWrite {
  /** 0 = leaves, TREE_DEPTH = root. */
  readonly level: number;
  readonly index: number;
  readonly value: Field;
}

/** One append (or batch append): every node it changed and the resulting state. */
export interface TreeChanges {
  readonly nodes: readonly TreeNodeWrite[];
  readonly state: TreeState;
}

/**
 * Where the tree keeps its nodes. Implementations: MemoryTreeStorage here, a RocksDB store in the
 * storage module. `writeChanges` must be atomic and resolve only once the changes are durable.
 */
export interface TreeStorage {
  loadState(): Promise<TreeState | undefined>;
  getNode(level: number, index: number): Promise<Field | undefined>;
  writeChanges(changes: TreeChanges): Promise<void>;
}

export class MemoryTreeStorage implements TreeStorage {
  private readonly nodes = new Map<number, Map<number, Field>>();
  private state: TreeState | undefined;

  async loadState(): Promise<TreeState | undefined> {
    return this.state;
  }

  async getNode(level: number, index: number): Promise<Field | undefined> {
    return this.nodes.get(level)?.get(index);
  }

  async writeChanges(changes: TreeChanges): Promise<void> {
    for (const { level, index, value } of changes.nodes) {
      let byIndex = this.nodes.get(level);
      if (!byIndex) {
        byIndex = new Map();
        this.nodes.set(level, byIndex);
      }
      byIndex.set(index, value);
    }
    this.state = { leafCount: changes.state.leafCount, rootHistory: [...changes.state.rootHistory] };
  }
}
