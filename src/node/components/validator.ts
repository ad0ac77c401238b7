import { ValidatorRole } from '../../validator/index.js';
import { ServiceComponent } from '../service-component.js';
import type { BridgeComponent } from './bridge.js';
import type { NetworkComponent } from './network.js';
import type { Wiring } from './wiring.js';

export type ValidatorComponent = ServiceComponent<ValidatorRole>;

/**
 * The validator role (src/validator): the node's one key and roster, peer pinning and heartbeats.
 * Readiness `validator` stays false until the registry shows this key active with this peer id.
 */
export function validatorComponent(
  o: Wiring & {
    readonly bridge: BridgeComponent;
    readonly network: NetworkComponent;
  },
): ValidatorComponent {
  const { config } = o;
  return new ServiceComponent({
    name: 'validator',
    dependsOn: ['bridge', 'network'],
    readiness: o.readiness,
    ready: (role) => role.registration,
    make: () => {
      const chain = o.bridge.service;
      return new ValidatorRole({
        keyFile: config.validator.keyFile,
        domain: { programId: config.solana.programId, cluster: config.solana.cluster },
        chain: chain.view,
        rpc: chain.rpc,
        programId: chain.programId,
        commitment: config.solana.commitment,
        network: o.network.network,
        heartbeatIntervalMs: config.validator.heartbeatIntervalMs,
        registry: o.registry,
        logger: o.logger,
      });
    },
  });
}
