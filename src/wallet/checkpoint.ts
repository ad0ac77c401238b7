import { type Field, toField } from '../privacy/index.js';
import { WalletError } from './errors.js';
import { TreeFrontier } from './frontier.js';
import { IncrementalWitness } from './witness.js';

/** How a checkpoint is kept in the note store's file (decimal strings, null for open siblings). */
export interface CheckpointJson {
  readonly leafCount: number;
  readonly left: (string | null)[];
  /** The last leaf scanned: a transaction's two outputs can straddle two checkpoints. */
  readonly lastLeaf: string | null;
  readonly witnesses: Array<{ commitment: string; leafIndex: number; siblings: (string | null)[] }>;
}

/**
 * Where a sync stands: the tree frontier after the last leaf scanned and a witness for each of the
 * wallet's notes still to be spent. Saved with the notes, in one atomic write, so a sync killed at
 * any moment resumes from the last checkpoint it wrote, with notes and witnesses that agree.
 */
export class SyncCheckpoint {
  constructor(
    public frontier: TreeFrontier,
    /** By note commitment. */
    readonly witnesses: Map<Field, IncrementalWitness> = new Map(),
    public lastLeaf: Field | undefined = undefined,
  ) {}

  static empty(): SyncCheckpoint {
    return new SyncCheckpoint(TreeFrontier.empty());
  }

  get leafCount(): number {
    return this.frontier.leafCount;
  }

  static fromJSON(json: CheckpointJson): SyncCheckpoint {
    if (!Array.isArray(json.left) || !Array.isArray(json.witnesses)) {
      throw new WalletError('FRONTIER_INVALID', 'a stored checkpoint lacks its frontier or witnesses', {
        leafCount: json.leafCount,
      });
    }
    const frontier = TreeFrontier.of(
      json.leafCount,
      json.left.map((v) => (v === null ? undefined : toField(BigInt(v)))),
    );
    const witnesses = new Map<Field, IncrementalWitness>();
    for (const w of json.witnesses)
      witnesses.set(toField(BigInt(w.commitment)), IncrementalWitness.fromJSON(w));
    return new SyncCheckpoint(
      frontier,
      witnesses,
      json.lastLeaf === null ? undefined : toField(BigInt(json.lastLeaf)),
    );
  }

  toJSON(): CheckpointJson {
    const { leafCount, left } = this.frontier.toJSON();
    return {
      leafCount,
      left,
      lastLeaf: this.lastLeaf === undefined ? null : this.lastLeaf.toString(),
      witnesses: [...this.witnesses].map(([commitment, w]) => ({
        commitment: commitment.toString(),
        ...w.toJSON(),
      })),
    };
  }
}
