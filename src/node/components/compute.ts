import type { ComputeService } from '../../compute/index.js';
import { ServiceComponent } from '../service-component.js';
import type { ConsensusComponent } from './consensus.js';
import type { NetworkComponent } from './network.js';
import type { StorageComponent } from './storage.js';
import type { ValidatorComponent } from './validator.js';
import type { Wiring } from './wiring.js';

export type ComputeComponent = ServiceComponent<ComputeService>;

/**
 * PARALOOM_FAULT_COMPUTE_WRONG_OUTPUT=1: this node's executor signs results over a corrupted output
 * (tests of the agreement and penalty path; docs/operations.md). Never set it on a real validator.
 */
const faultWrongOutput = (): boolean => process.env.PARALOOM_FAULT_COMPUTE_WRONG_OUTPUT === '1';

/**
 * Private compute on this validator (src/compute's ComputeService). Made when the ledger starts (its
 * job and result extensions are the ledger's); the module pulls in binaryen (megabytes), so it is
 * loaded only then.
 */
export function computeComponent(
  o: Wiring & {
    /** The node's one key: executor identity and result signatures. */
    readonly validator: ValidatorComponent;
    readonly storage: StorageComponent;
    readonly network: NetworkComponent;
    readonly consensus: ConsensusComponent;
  },
): ComputeComponent {
  return new ServiceComponent({
    name: 'compute',
    dependsOn: ['storage', 'network', 'validator', 'ledger', 'consensus'],
    readiness: o.readiness,
    ready: (compute) => ({ ok: true, detail: compute.describe() }),
    make: async () => {
      const { ComputeService } = await import('../../compute/index.js');
      const storage = o.storage.storage;
      const keypair = o.validator.service.keypair;
      const service = new ComputeService({
        store: storage.compute,
        recentRoots: async () => new Set((await storage.tree.loadState())?.rootHistory ?? []),
        validatorsAt: (h) => o.consensus.service.validatorsAt(h)?.map((v) => v.publicKey),
        network: o.network.network,
        identity: { publicKey: keypair.publicKey, seed: keypair.secretKey.slice(0, 32) },
        registry: o.registry,
        faultWrongOutput: faultWrongOutput(),
        logger: o.logger,
      });
      await service.openChain();
      return service;
    },
  });
}
