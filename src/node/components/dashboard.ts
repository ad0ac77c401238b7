import { NodeDashboard } from '../../dashboard/index.js';
import { ServiceComponent } from '../service-component.js';
import type { BridgeComponent } from './bridge.js';
import type { LedgerComponent } from './ledger.js';
import type { StorageComponent } from './storage.js';
import type { ValidatorComponent } from './validator.js';
import type { Wiring } from './wiring.js';

export type DashboardComponent = ServiceComponent<NodeDashboard>;

/**
 * The network dashboard on `[dashboard]` (off by default): web pages and a read-only JSON API over
 * this node (docs/operations.md, "Dashboard").
 */
export function dashboardComponent(
  o: Wiring & {
    readonly storage: StorageComponent;
    readonly bridge: BridgeComponent;
    readonly validator: ValidatorComponent;
    readonly ledger: LedgerComponent;
  },
): DashboardComponent {
  const { config } = o;
  return new ServiceComponent({
    name: 'dashboard',
    dependsOn: ['storage', 'bridge', 'validator', 'ledger'],
    readiness: o.readiness,
    ready: (dashboard) => ({ ok: true, detail: dashboard.url }),
    make: () => {
      const storage = o.storage.storage;
      const chain = o.bridge.service;
      const validator = o.validator.service;
      const self = validator.signer.address;
      return new NodeDashboard({
        watcher: {
          chain: chain.view,
          rpc: chain.rpc,
          programId: chain.programId,
          commitment: config.solana.commitment,
        },
        blocks: storage.blocks,
        ledger: () => o.ledger.running,
        finalBlocks: (listener) => o.ledger.ledger.onFinal(listener),
        store: storage.meta,
        self: () => self,
        heartbeatIntervalMs: config.validator.heartbeatIntervalMs,
        lastHeartbeat: (address) => validator.heartbeat?.lastHeard(address)?.at,
        registry: o.registry,
        coordinator: { fixed: config.coordinator.enabled, candidate: config.validator.coordinatorCandidate },
        host: config.dashboard.host,
        port: config.dashboard.port,
        logger: o.logger,
      });
    },
  });
}
