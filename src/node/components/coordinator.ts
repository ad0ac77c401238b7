import { SettlementDuties } from '../../coordinator/index.js';
import { nodeMetrics, setCoordinatorRole } from '../../health/index.js';
import { ServiceComponent } from '../service-component.js';
import type { BridgeComponent } from './bridge.js';
import type { ConsensusComponent } from './consensus.js';
import type { LedgerComponent } from './ledger.js';
import type { NetworkComponent } from './network.js';
import type { StorageComponent } from './storage.js';
import type { ValidatorComponent } from './validator.js';
import type { Wiring } from './wiring.js';

export type CoordinatorComponent = ServiceComponent<SettlementDuties>;

/**
 * Settlement duties (src/coordinator) over the node's chain view, the validator's roster and key
 * (the fee payer), the ledger's block-final events and the consensus engine's evidence.
 */
export function coordinatorComponent(
  o: Wiring & {
    readonly storage: StorageComponent;
    readonly bridge: BridgeComponent;
    readonly network: NetworkComponent;
    readonly validator: ValidatorComponent;
    readonly ledger: LedgerComponent;
    readonly consensus: ConsensusComponent;
  },
): CoordinatorComponent {
  const { config } = o;
  return new ServiceComponent({
    name: 'coordinator',
    dependsOn: ['storage', 'bridge', 'network', 'validator', 'ledger', 'consensus'],
    readiness: o.readiness,
    ready: (duties) => ({ ok: true, detail: duties.describe() }),
    make: () => {
      const storage = o.storage.storage;
      const validator = o.validator.service;
      const chain = o.bridge.service;
      return new SettlementDuties({
        rpc: chain.rpc,
        chain: chain.view,
        programId: chain.programId,
        cluster: config.solana.cluster,
        network: o.network.network,
        router: o.network.direct,
        signer: validator.signer,
        feePayerSeed: validator.keypair.secretKey.slice(0, 32),
        roster: validator.roster,
        blockStore: storage.blocks,
        onFinal: (listener) => o.ledger.ledger.onFinal(listener),
        onEvidence: (listener) => o.consensus.service.onEvidence(listener),
        store: storage.meta,
        registry: o.registry,
        onRole: (role) => setCoordinatorRole(nodeMetrics(o.registry), role),
        consensus: config.consensus.enabled,
        fixed: config.coordinator.enabled,
        candidate: config.validator.coordinatorCandidate,
        priority: config.validator.coordinatorPriority,
        leaseMs: config.coordinator.leaseMs,
        relay: config.coordinator.relay,
        anchorPolicy: {
          everyBlocks: config.coordinator.anchorEveryBlocks,
          everyMs: config.coordinator.anchorEveryMs,
          withdrawalDelayMs: config.coordinator.withdrawalAnchorMs,
        },
        logger: o.logger,
      });
    },
  });
}
