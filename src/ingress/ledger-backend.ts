import { decodeBlock, type LedgerApp } from '../ledger/index.js';
import { type Field, type MerklePath, MerkleTree } from '../privacy/index.js';
import type { NodeStorage } from '../storage/index.js';
import type { IngressBackend, OutputRecord, SubmitResult } from './backend.js';

/**
 * Serves the ingress from a node's ledger and storage. Published outputs are indexed from stored
 * final blocks in leaf order (each block appends its deposits, then each transaction's two outputs)
 * and cached; paths and roots come from the stored tree, so they always match final state.
 */
export class LedgerIngressBackend implements IngressBackend {
  private readonly records: OutputRecord[] = [];
  private indexedHeight = 0n;

  constructor(
    private readonly ledger: LedgerApp,
    private readonly storage: NodeStorage,
  ) {}

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

  async outputs(fromLeaf: number, limit: number): Promise<readonly OutputRecord[]> {
    await this.catchUp();
    return this.records.slice(fromLeaf, fromLeaf + limit);
  }

  private async catchUp(): Promise<void> {
    const tip = this.storage.blocks.tip();
    if (!tip) return;
    for (let h = this.indexedHeight + 1n; h <= tip.height; h++) {
      const stored = await this.storage.blocks.getByHeight(h);
      if (!stored) break;
      const block = decodeBlock(stored.block);
      for (const commitment of block.deposits) {
        this.records.push({ leafIndex: this.records.length, commitment, envelope: undefined });
      }
      for (const { tx } of block.transactions) {
        const { outputCommitments, extData } = tx.statement;
        this.records.push({
          leafIndex: this.records.length,
          commitment: outputCommitments[0],
          envelope: extData.encryptedOutput0,
        });
        this.records.push({
          leafIndex: this.records.length,
          commitment: outputCommitments[1],
          envelope: extData.encryptedOutput1,
        });
      }
      this.indexedHeight = h;
    }
  }
}
