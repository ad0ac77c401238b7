import { getAddressDecoder } from '@solana/kit';
import { ConsensusService } from '../../consensus/index.js';
import { DepositFeed, type LedgerTip } from '../../ledger/index.js';
import { loadGenesisBlock } from '../../snapshot/index.js';
import { BlockSyncServer, FinalBlockFetcher, GenesisDiscovery } from '../../sync/index.js';
import { ValidatorChainReader } from '../../validator/index.js';
import { ServiceComponent } from '../service-component.js';
import type { BridgeComponent } from './bridge.js';
import type { LedgerComponent } from './ledger.js';
import type { NetworkComponent } from './network.js';
import type { StorageComponent } from './storage.js';
import type { ValidatorComponent } from './validator.js';
import type { Wiring } from './wiring.js';

export type ConsensusComponent = ServiceComponent<ConsensusService<LedgerTip>>;

/**
 * PARALOOM_FAULT_EQUIVOCATE_HEIGHT: fault injection for the evidence-path tests (docs/operations.md);
 * makes this node follow its next five prevotes for a block, from that height on, with conflicting ones.
 */
const faultEquivocateHeight = (raw = process.env.PARALOOM_FAULT_EQUIVOCATE_HEIGHT): bigint | undefined =>
  raw && /^\d+$/.test(raw) ? BigInt(raw) : undefined;

/**
 * L2 consensus (src/consensus) driving the ledger, with block sync and genesis discovery (src/sync)
 * and the deposit feed (src/ledger). Made when the ledger starts: the validator-set extension is one
 * of the ledger's.
 */
export function consensusComponent(
  o: Wiring & {
    readonly storage: StorageComponent;
    readonly bridge: BridgeComponent;
    readonly network: NetworkComponent;
    readonly validator: ValidatorComponent;
    readonly ledger: LedgerComponent;
  },
): ConsensusComponent {
  const { config, logger } = o;
  return new ServiceComponent({
    name: 'consensus',
    dependsOn: ['ledger', 'validator', 'network', 'bridge', 'storage'],
    readiness: o.readiness,
    readyBeforeStart: true,
    ready: (consensus) => consensus.readiness(),
    make: () => {
      const network = o.network.network;
      const { signer, roster } = o.validator.service;
      const chain = o.bridge.service;
      const storage = o.storage.storage;
      const fetcher = new FinalBlockFetcher({ network, logger });
      // A genesis member may have unbonded since block 1: its account is read, not the active set.
      const accounts = new ValidatorChainReader(chain.rpc, chain.programId, config.solana.commitment);
      const addressOf = getAddressDecoder();
      return new ConsensusService<LedgerTip>({
        enabled: config.consensus.enabled,
        network,
        signer,
        registry: roster,
        store: storage.meta,
        epochBlocks: config.consensus.epochBlocks,
        blockIntervalMs: config.consensus.blockIntervalMs,
        idleBlockMs: config.consensus.idleBlockMs,
        ledger: () => o.ledger.ledger,
        syncServer: new BlockSyncServer({
          network,
          blocks: storage.blocks,
          // A node that joined by snapshot holds no block 1 in its store, but keeps it for genesis discovery.
          extra: async (h) => (h === 1n ? loadGenesisBlock(storage) : undefined),
          logger,
        }),
        discoverGenesis: (auth, emptyLedger, onStatus) =>
          new GenesisDiscovery({
            network,
            auth,
            self: signer.publicKey,
            registry: roster,
            isRegistered: async (key) => (await accounts.account(addressOf.decode(key))) !== undefined,
            // Read fresh: a node deciding how to join must not act on a stale round.
            anchorCount: async () => (await chain.view.refresh()).state?.anchorCount ?? 0n,
            minValidators: config.consensus.minValidators,
            waitValidatorsMs: config.consensus.waitValidatorsMs,
            onStatus,
            logger,
          }).discover(emptyLedger),
        catchUp: (height) => fetcher.fetch(height),
        deposits: (tip) =>
          new DepositFeed({
            rpc: chain.rpc,
            programId: chain.programId,
            tip,
            addDeposits: (d) => o.ledger.ledger.addDeposits(d),
            logger,
          }),
        equivocateFromHeight: faultEquivocateHeight(),
        metricsRegistry: o.registry,
        logger,
      });
    },
  });
}
