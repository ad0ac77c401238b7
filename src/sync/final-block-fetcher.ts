import type { Logger } from '../common/index.js';
import { decodeCertificate, type QuorumCertificate } from '../consensus/index.js';
import type { NetworkNode } from '../network/index.js';

export interface FinalBlockFetcherOptions {
  readonly network: Pick<NetworkNode, 'peers' | 'request'>;
  readonly timeoutMs?: number;
  readonly logger: Logger;
}

/**
 * Catch-up for the consensus engine: asks connected peers, one after another, for the final block
 * at a height. The engine checks the certificate against the validator set and the ledger
 * re-executes the block before it is applied, so a peer can at worst waste a request.
 */
export class FinalBlockFetcher {
  constructor(private readonly o: FinalBlockFetcherOptions) {}

  async fetch(height: bigint): Promise<{ bytes: Uint8Array; certificate: QuorumCertificate } | undefined> {
    const { network, logger } = this.o;
    for (const peer of network.peers.list().filter((p) => p.state !== 'offline')) {
      try {
        const res = await network.request(
          peer.peerId,
          'block-sync',
          { type: 'BLOCK_SYNC_REQUEST', fromHeight: height, maxBlocks: 1 },
          { timeoutMs: this.o.timeoutMs ?? 5_000 },
        );
        if (res.type !== 'BLOCK_SYNC_RESPONSE') continue;
        const b = res.blocks[0];
        if (b && b.height === height) return { bytes: b.block, certificate: decodeCertificate(b.qc) };
      } catch (err) {
        logger.debug({ err, peer: peer.peerId, height: height.toString() }, 'block-sync request failed');
      }
    }
    return undefined;
  }
}
