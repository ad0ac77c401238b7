import { getAddressDecoder } from '@solana/kit';
import { signerAuthenticator } from '../../consensus/index.js';
import { joinBySnapshot, keepGenesisBlock, SnapshotServer } from '../../snapshot/index.js';
import { GenesisDiscovery } from '../../sync/index.js';
import { ValidatorChainReader } from '../../validator/index.js';
import type { BridgeComponent } from './bridge.js';
import type { NetworkComponent } from './network.js';
import type { StorageComponent } from './storage.js';
import type { ValidatorComponent } from './validator.js';
import type { Wiring } from './wiring.js';

export interface SnapshotWiring extends Wiring {
  readonly storage: StorageComponent;
  readonly bridge: BridgeComponent;
  readonly network: NetworkComponent;
  readonly validator: ValidatorComponent;
}

/**
 * Joining by snapshot, run by the ledger before it opens its state: with an empty data directory
 * and peers more than sync.snapshot_threshold_blocks ahead, the node installs a verified snapshot
 * and consensus then catches up from H + 1 by block sync. The trust root is the genesis set proven
 * by a peer's block 1 (as GenesisDiscovery does for any node with an empty ledger).
 */
export function snapshotJoin(o: SnapshotWiring): () => Promise<void> {
  return async () => {
    const { config, logger } = o;
    if (!config.consensus.enabled || config.sync.snapshotThresholdBlocks === 0) return;
    const network = o.network.network;
    const { signer, roster } = o.validator.service;
    const chain = o.bridge.service;
    // No anchor yet: the cohort is starting (or a few blocks old), there is nothing to take a
    // snapshot of, and peers that are starting too would only be waited for.
    if (((await chain.view.refresh()).state?.anchorCount ?? 0n) === 0n) return;
    const empty = o.storage.storage.blocks.tip() === undefined;
    const auth = signerAuthenticator(signer);
    const accounts = new ValidatorChainReader(chain.rpc, chain.programId, config.solana.commitment);
    const addressOf = getAddressDecoder();
    let discovery: GenesisDiscovery | undefined;
    await joinBySnapshot({
      network,
      storage: o.storage.storage,
      reset: () => o.storage.reset(),
      // A node with blocks asks briefly (a lone node has no peer to wait for); an empty one waits
      // for its peers to connect.
      waitPeersMs: empty ? 15_000 : 2_000,
      thresholdBlocks: config.sync.snapshotThresholdBlocks,
      registry: o.registry,
      trust: async () => {
        discovery = new GenesisDiscovery({
          network,
          auth,
          self: signer.publicKey,
          registry: roster,
          isRegistered: async (key) => (await accounts.account(addressOf.decode(key))) !== undefined,
          anchorCount: async () => 1n,
          minValidators: config.consensus.minValidators,
          waitValidatorsMs: config.consensus.waitValidatorsMs,
          logger,
        });
        const genesis = await discovery.fromPeers(true);
        if (!genesis) throw new Error('unreachable: a running cohort serves block 1 or discovery throws');
        return {
          genesis,
          epochBlocks: config.consensus.epochBlocks,
          verifyVote: (v) => auth.verify(v),
          spendRootWindowMs: config.ledger.spendRootWindowMs,
        };
      },
      // Block 1 stays servable here: later joiners discover their genesis set from it.
      onInstalled: async (verified, storage) => {
        const block1 = discovery?.provenBlock1;
        if (block1 && !(await keepGenesisBlock(storage, block1, verified.block1Hash))) {
          logger.warn('the block 1 genesis discovery proved is not the one the snapshot certified');
        }
      },
      logger,
    });
  };
}

export function snapshotServer(o: SnapshotWiring): () => SnapshotServer {
  return () =>
    new SnapshotServer({
      network: o.network.network,
      storage: o.storage.storage,
      epochBlocks: o.config.consensus.epochBlocks,
      refreshBlocks: o.config.sync.snapshotRefreshBlocks,
      spendRootWindowMs: o.config.ledger.spendRootWindowMs,
      refundCutoffSlot: () => {
        const finalized = o.bridge.service.view.finalizedSlot;
        // 0: not read yet; carry every unrefunded withdrawal rather than guess.
        if (finalized === 0n) return undefined;
        const cutoff = finalized - BigInt(o.config.sync.snapshotRefundGraceSlots);
        return cutoff > 0n ? cutoff : undefined;
      },
      registry: o.registry,
      logger: o.logger,
    });
}
