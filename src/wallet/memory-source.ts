import {
  type Field,
  hash2,
  MemoryTreeStorage,
  MerkleTree,
  TREE_DEPTH,
  ZERO_HASHES,
} from '../privacy/index.js';
import { WalletError } from './errors.js';
import { TreeFrontier } from './frontier.js';
import type { IngressOutput, OutputTransaction } from './ingress-client.js';
import type { OutputSource } from './sync.js';

/**
 * Published outputs held in this process with their full commitment tree, served as a validator's
 * ingress serves them: for the wallet benchmark (its figure is the wallet's scanning, not HTTP) and
 * for tests that need a ledger of many outputs without running one.
 */
export class MemoryOutputSource implements OutputSource {
  private readonly outputs: IngressOutput[] = [];

  private constructor(
    private readonly storage: MemoryTreeStorage,
    private readonly tree: MerkleTree,
  ) {}

  static async create(): Promise<MemoryOutputSource> {
    const storage = new MemoryTreeStorage();
    return new MemoryOutputSource(storage, await MerkleTree.open(storage));
  }

  get size(): number {
    return this.outputs.length;
  }

  /**
   * Publishes outputs (commitment and envelope, none for a deposit; a transaction's spend fields on
   * its first output) as one block.
   */
  async publish(
    outputs: ReadonlyArray<{
      commitment: Field;
      envelope: Uint8Array | undefined;
      transaction?: OutputTransaction;
    }>,
  ): Promise<void> {
    if (outputs.length === 0) return;
    await this.tree.appendBatch(outputs.map((o) => o.commitment));
    for (const o of outputs) {
      this.outputs.push({
        leafIndex: this.outputs.length,
        commitment: o.commitment,
        envelope: o.envelope,
        ...(o.transaction ? { transaction: o.transaction } : {}),
      });
    }
  }

  async status(): Promise<{ root: Field; leafCount: number }> {
    return { root: this.tree.root, leafCount: this.tree.size };
  }

  async outputsPage(from: number, limit: number): Promise<readonly IngressOutput[]> {
    return this.outputs.slice(from, from + limit);
  }

  async frontier(leafCount: number): Promise<{ root: Field; frontier: TreeFrontier }> {
    if (!Number.isSafeInteger(leafCount) || leafCount < 0 || leafCount > this.tree.size) {
      throw new WalletError('INGRESS_REJECTED', 'no tree of that size yet', {
        status: 404,
        leafIndex: leafCount,
      });
    }
    const left: (Field | undefined)[] = [];
    let root = ZERO_HASHES[0]!;
    for (let level = 0; level < TREE_DEPTH; level++) {
      const index = Math.floor(leafCount / 2 ** level);
      const sibling = index % 2 === 1 ? await this.storage.getNode(level, index - 1) : undefined;
      left.push(sibling);
      root = sibling !== undefined ? hash2(sibling, root) : hash2(root, ZERO_HASHES[level]!);
    }
    return { root, frontier: TreeFrontier.of(leafCount, left) };
  }

  async subtreeRoots(level: number, from: number, count: number): Promise<readonly Field[]> {
    if ((from + count) * 2 ** level > this.tree.size) {
      throw new WalletError('INGRESS_REJECTED', 'those subtrees are not complete yet', { status: 404 });
    }
    const roots: Field[] = [];
    for (let k = from; k < from + count; k++) roots.push((await this.storage.getNode(level, k))!);
    return roots;
  }

  /** The full tree's path (what a test compares a witness's path with). */
  path(leafIndex: number): ReturnType<MerkleTree['path']> {
    return this.tree.path(leafIndex);
  }
}
