import type { Lifecycle } from '../common/index.js';
import type { Block, FinalBlock, LedgerApp } from '../ledger/index.js';
import { decodeBlock, refundEntriesOf } from '../ledger/index.js';
import { type Field, hash2, type MerklePath, MerkleTree, TREE_DEPTH, ZERO_HASHES } from '../privacy/index.js';
import type { NodeStorage } from '../storage/index.js';
import type { IngressBackend, OutputRecord, SubmitResult } from './backend.js';

/**
 * Serves the ingress from a node's ledger and storage. Published outputs are indexed in leaf order
 * (each block appends its deposits, then each transaction's two outputs, then each refund's note): from stored final blocks
 * once, at the first query, then from the ledger's block-final events, which carry the decoded
 * block, so a block is never read back nor decoded again. Paths and roots come from the stored tree,
 * so they always match final state.
 */
export class LedgerIngressBackend implements IngressBackend, Lifecycle {
  private readonly records: OutputRecord[] = [];
  private indexedHeight = 0n;
  private catching: Promise<void> | undefined;
  private unsubscribe: (() => void) | undefined;

  constructor(
    private readonly ledger: LedgerApp,
    private readonly storage: NodeStorage,
  ) {}

  /** Follows the ledger's final blocks (until stop). */
  async start(): Promise<void> {
    this.unsubscribe ??= this.ledger.onFinal((final) => this.follow(final));
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  async submit(tx: Uint8Array): Promise<SubmitResult> {
    return this.ledger.submit(tx);
  }

  async status(): Promise<{ height: bigint; root: Field; leafCount: number; mempool: number }> {
    return {
      height: this.ledger.tip.height,
      root: this.ledger.root,
      leafCount: this.ledger.leafCount,
      mempool: this.ledger.mempool.size,
    };
  }

  async roots(): Promise<readonly Field[]> {
    return (await MerkleTree.open(this.storage.tree)).rootHistory;
  }

  async path(leafIndex: number): Promise<{ root: Field; path: MerklePath } | undefined> {
    const tree = await MerkleTree.open(this.storage.tree);
    if (leafIndex >= tree.size) return undefined;
    return { root: tree.root, path: await tree.path(leafIndex) };
  }

  /**
   * Complete nodes never change, so the frontier of any earlier size is read from the stored tree
   * as it is now: one node per level, and the root folded from them as the tree was at that size.
   */
  async frontier(
    leafCount: number,
  ): Promise<{ root: Field; left: readonly (Field | undefined)[] } | undefined> {
    const size = (await this.storage.tree.loadState())?.leafCount ?? 0;
    if (!Number.isSafeInteger(leafCount) || leafCount < 0 || leafCount > size) return undefined;
    const left: (Field | undefined)[] = [];
    let root = ZERO_HASHES[0]!;
    for (let level = 0; level < TREE_DEPTH; level++) {
      const index = Math.floor(leafCount / 2 ** level);
      const sibling = index % 2 === 1 ? await this.storage.tree.getNode(level, index - 1) : undefined;
      if (index % 2 === 1 && sibling === undefined) return undefined;
      left.push(sibling);
      root = sibling !== undefined ? hash2(sibling, root) : hash2(root, ZERO_HASHES[level]!);
    }
    return { root, left };
  }

  async subtreeRoots(level: number, from: number, count: number): Promise<readonly Field[] | undefined> {
    const size = (await this.storage.tree.loadState())?.leafCount ?? 0;
    if (level < 0 || level > TREE_DEPTH || (from + count) * 2 ** level > size) return undefined;
    const roots: Field[] = [];
    for (let k = from; k < from + count; k++) {
      const node = await this.storage.tree.getNode(level, k);
      if (node === undefined) return undefined;
      roots.push(node);
    }
    return roots;
  }

  async outputs(fromLeaf: number, limit: number): Promise<readonly OutputRecord[]> {
    await this.catchUp();
    return this.records.slice(fromLeaf, fromLeaf + limit);
  }

  /**
   * The next block is indexed from the event; anything else (the stored blocks not read yet, a
   * block heard while they are being read) is left to the next query's pass over storage.
   */
  private follow(final: Pick<FinalBlock, 'height' | 'block'>): void {
    if (final.height === this.indexedHeight + 1n && !this.catching) this.index(final.height, final.block);
  }

  /** Reads the stored blocks not indexed yet; concurrent callers share one pass. */
  private catchUp(): Promise<void> {
    this.catching ??= this.readStored().finally(() => {
      this.catching = undefined;
    });
    return this.catching;
  }

  private async readStored(): Promise<void> {
    // The tip is read each time round: blocks that became final during the pass are read too.
    while (this.indexedHeight < (this.storage.blocks.tip()?.height ?? 0n)) {
      const stored = await this.storage.blocks.getByHeight(this.indexedHeight + 1n);
      if (!stored) break;
      this.index(this.indexedHeight + 1n, decodeBlock(stored.block));
    }
  }

  private index(height: bigint, block: Block): void {
    for (const commitment of block.deposits) {
      this.records.push({ leafIndex: this.records.length, commitment, envelope: undefined });
    }
    for (const { tx } of block.transactions) {
      const { outputCommitments, extData, nullifiers } = tx.statement;
      this.records.push({
        leafIndex: this.records.length,
        commitment: outputCommitments[0],
        envelope: extData.encryptedOutput0,
        transaction: {
          nullifiers,
          extAmount: extData.extAmount,
          fee: extData.fee,
          refundOwner: extData.refundOwner,
        },
      });
      this.records.push({
        leafIndex: this.records.length,
        commitment: outputCommitments[1],
        envelope: extData.encryptedOutput1,
      });
    }
    // A refund note is an ordinary output: its owner's scanner finds it by its envelope.
    for (const refund of refundEntriesOf(block)) {
      this.records.push({
        leafIndex: this.records.length,
        commitment: refund.commitment,
        envelope: refund.ciphertext,
      });
    }
    this.indexedHeight = height;
  }
}
