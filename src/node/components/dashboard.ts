import type { Logger } from '../../common/index.js';
import type { NodeConfig } from '../../config/index.js';
import { EvidenceStore, ReputationTracker } from '../../consensus/index.js';
import { ChainWatcher, DashboardServer, NodeDashboardBackend } from '../../dashboard/index.js';
import type { Readiness, Registry } from '../../health/index.js';
import type { Component } from '../component.js';
import type { BridgeComponent } from './bridge.js';
import type { LedgerComponent } from './ledger.js';
import type { StorageComponent } from './storage.js';
import type { ValidatorComponent } from './validator.js';

export interface DashboardComponentOptions {
  readonly config: NodeConfig;
  readonly storage: StorageComponent;
  readonly bridge: BridgeComponent;
  readonly validator: ValidatorComponent;
  readonly ledger: LedgerComponent;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logger: Logger;
}

/**
 * This node's coordinator role: `primary` / `passive` from `paraloom_coordinator_role{role}` once an
 * election sets it; else `coordinator` when `coordinator.enabled`, `candidate` when
 * `validator.coordinator_candidate`, null otherwise.
 */
async function coordinatorRole(registry: Registry, config: NodeConfig): Promise<string | null> {
  const metric = registry.getSingleMetric('paraloom_coordinator_role');
  const values = metric ? (await metric.get()).values : [];
  const role = values.find((v) => v.value === 1 && v.labels.role !== 'none')?.labels.role;
  if (typeof role === 'string') return role;
  if (config.coordinator.enabled) return 'coordinator';
  return config.validator.coordinatorCandidate ? 'candidate' : null;
}

/**
 * The network dashboard on `[dashboard]` (off by default): web pages and a read-only JSON API over
 * this node's storage, ledger, heartbeats, persisted consensus reputation and evidence, and Solana
 * reads refreshed on a timer (docs/operations.md, "Dashboard").
 */
export class DashboardComponent implements Component {
  readonly name = 'dashboard';
  readonly dependsOn = ['storage', 'bridge', 'validator', 'ledger'];
  private server: DashboardServer | undefined;
  private backend: NodeDashboardBackend | undefined;
  private chain: ChainWatcher | undefined;
  private unregister: (() => void) | undefined;

  constructor(private readonly options: DashboardComponentOptions) {}

  /** Where the dashboard is served, once started. */
  get url(): string | undefined {
    return this.server?.url;
  }

  async start(): Promise<void> {
    const o = this.options;
    const { config, logger } = o;
    const storage = o.storage.storage;
    const self = o.validator.signer.address;
    const chain = new ChainWatcher({
      chain: o.bridge.chain,
      rpc: o.bridge.rpc,
      programId: o.bridge.programId,
      commitment: config.solana.commitment,
      logger,
    });
    const backend = new NodeDashboardBackend({
      blocks: storage.blocks,
      ledger: () => {
        try {
          return o.ledger.ledger;
        } catch {
          return undefined; // stopping
        }
      },
      chain,
      finalBlocks: (listener) => o.ledger.ledger.onFinal(listener),
      evidence: new EvidenceStore(storage.meta),
      self: () => self,
      heartbeatIntervalMs: config.validator.heartbeatIntervalMs,
      lastHeartbeat: (address) => o.validator.heartbeat?.lastHeard(address)?.at,
      // As consensus last persisted it (after every decided height).
      reputation: async () => {
        const tracker = new ReputationTracker(storage.meta);
        await tracker.load();
        return tracker.all();
      },
      coordinator: () => coordinatorRole(o.registry, config),
      registry: o.registry,
      logger,
    });
    const server = new DashboardServer(backend, {
      host: config.dashboard.host,
      port: config.dashboard.port,
      logger,
    });
    await chain.start();
    await backend.start();
    // The recent blocks, read once; from here on the ledger's events bring each new one.
    await backend.checkTip();
    this.chain = chain;
    this.backend = backend;
    await server.start();
    this.server = server;
    this.unregister = o.readiness.register('dashboard', () => ({ ok: true, detail: server.url }));
  }

  async stop(): Promise<void> {
    this.unregister?.();
    this.unregister = undefined;
    await this.server?.stop();
    this.server = undefined;
    await this.backend?.stop();
    this.backend = undefined;
    await this.chain?.stop();
    this.chain = undefined;
  }
}
