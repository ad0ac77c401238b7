import type { Registry } from 'prom-client';
import type { KeyValue } from '../consensus/index.js';
import { EvidenceStore, ReputationTracker } from '../consensus/index.js';
import { ChainWatcher, type ChainWatcherOptions } from './chain.js';
import { NodeDashboardBackend, type NodeDashboardSources } from './node-backend.js';
import { DashboardServer } from './server.js';

/**
 * This node's coordinator role: `primary` / `passive` from `paraloom_coordinator_role{role}` once an
 * election sets it; else `coordinator` when fixed, `candidate` when a candidate, null otherwise.
 */
export async function coordinatorRoleFromMetrics(
  registry: Registry,
  config: { readonly fixed: boolean; readonly candidate: boolean },
): Promise<string | null> {
  const metric = registry.getSingleMetric('paraloom_coordinator_role');
  const values = metric ? (await metric.get()).values : [];
  const role = values.find((v) => v.value === 1 && v.labels.role !== 'none')?.labels.role;
  if (typeof role === 'string') return role;
  if (config.fixed) return 'coordinator';
  return config.candidate ? 'candidate' : null;
}

export interface NodeDashboardOptions
  extends Omit<NodeDashboardSources, 'chain' | 'evidence' | 'reputation' | 'coordinator' | 'registry'> {
  readonly watcher: Omit<ChainWatcherOptions, 'logger'>;
  /** The node's meta store: persisted evidence and reputation, as consensus last wrote them. */
  readonly store: KeyValue;
  readonly registry: Registry;
  readonly coordinator: { readonly fixed: boolean; readonly candidate: boolean };
  readonly host: string;
  readonly port: number;
}

/**
 * The network dashboard of a running node: the Solana reads refreshed on a timer, the node's view
 * (storage, ledger, heartbeats, reputation, evidence) and the HTTP server over them.
 */
export class NodeDashboard {
  private readonly chain: ChainWatcher;
  private readonly backend: NodeDashboardBackend;
  private readonly server: DashboardServer;

  constructor(o: NodeDashboardOptions) {
    const { watcher, store, coordinator, host, port, ...sources } = o;
    const logger = o.logger;
    this.chain = new ChainWatcher({ ...watcher, ...(logger ? { logger } : {}) });
    this.backend = new NodeDashboardBackend({
      ...sources,
      chain: this.chain,
      evidence: new EvidenceStore(store),
      reputation: async () => {
        const tracker = new ReputationTracker(store);
        await tracker.load();
        return tracker.all();
      },
      coordinator: () => coordinatorRoleFromMetrics(o.registry, coordinator),
    });
    this.server = new DashboardServer(this.backend, { host, port, ...(logger ? { logger } : {}) });
  }

  /** Where the dashboard is served, once started. */
  get url(): string {
    return this.server.url;
  }

  async start(): Promise<void> {
    await this.chain.start();
    await this.backend.start();
    // The recent blocks, read once; from here on the ledger's events bring each new one.
    await this.backend.checkTip();
    await this.server.start();
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.backend.stop();
    await this.chain.stop();
  }
}
