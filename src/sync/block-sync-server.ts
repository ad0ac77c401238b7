import type { Lifecycle, Logger } from '../common/index.js';
import type { NetworkMessage, NetworkNode, SyncedBlock } from '../network/index.js';
import type { BlockStore } from '../storage/index.js';

/** Blocks per block-sync answer: a block can be ~1 MB, the response cap is one message. */
export const SYNC_BLOCKS_PER_RESPONSE = 1;

export interface BlockSyncServerOptions {
  readonly network: Pick<NetworkNode, 'handle'>;
  readonly blocks: Pick<BlockStore, 'getByHeight' | 'getQc'>;
  /** Final blocks held outside the store (block 1 on a node that joined by snapshot). */
  readonly extra?: (height: bigint) => Promise<SyncedBlock | undefined>;
  readonly logger: Logger;
}

/**
 * Serves final blocks with their certificates to peers that are catching up or looking for the
 * genesis set (the 'block-sync' request protocol). The network cannot take a handler back, so a
 * stopped server answers with no blocks rather than reading storage that may be closing.
 */
export class BlockSyncServer implements Lifecycle {
  private serving = false;
  private registered = false;

  constructor(private readonly o: BlockSyncServerOptions) {}

  async start(): Promise<void> {
    this.serving = true;
    if (this.registered) return;
    this.o.network.handle('block-sync', (req) => this.serve(req));
    this.registered = true;
  }

  async stop(): Promise<void> {
    this.serving = false;
  }

  /** The answer to one request: up to SYNC_BLOCKS_PER_RESPONSE blocks from `fromHeight`, in order. */
  async serve(req: NetworkMessage): Promise<NetworkMessage> {
    const blocks = [];
    if (this.serving && req.type === 'BLOCK_SYNC_REQUEST') {
      const last = req.fromHeight + BigInt(Math.min(req.maxBlocks, SYNC_BLOCKS_PER_RESPONSE));
      for (let h = req.fromHeight; h < last; h++) {
        const stored = await this.o.blocks.getByHeight(h);
        const qc = stored ? await this.o.blocks.getQc(h) : undefined;
        if (!stored || !qc) {
          const extra = await this.o.extra?.(h);
          if (extra?.height !== h) break;
          blocks.push(extra);
          continue;
        }
        blocks.push({ height: h, hash: stored.hash, block: stored.block, qc });
      }
    } else if (!this.serving) {
      this.o.logger.debug('block-sync request while stopped: answered with no blocks');
    }
    return { type: 'BLOCK_SYNC_RESPONSE', blocks };
  }
}
