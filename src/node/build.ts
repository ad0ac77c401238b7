import { createLogger } from '../common/index.js';
import type { NodeConfig } from '../config/index.js';
import {
  createMetricsRegistry,
  HealthServer,
  nodeMetrics,
  Readiness,
  type Registry,
} from '../health/index.js';
import type { LedgerExtension } from '../ledger/index.js';
import type { Component } from './component.js';
import { type BridgeComponent, bridgeComponent } from './components/bridge.js';
import { ComputeComponent } from './components/compute.js';
import { type ConsensusComponent, consensusComponent } from './components/consensus.js';
import { type CoordinatorComponent, coordinatorComponent } from './components/coordinator.js';
import { type DashboardComponent, dashboardComponent } from './components/dashboard.js';
import { IngressComponent } from './components/ingress.js';
import { LedgerComponent } from './components/ledger.js';
import { NetworkComponent } from './components/network.js';
import { StorageComponent } from './components/storage.js';
import { type ValidatorComponent, validatorComponent } from './components/validator.js';
import { Node } from './lifecycle.js';

export interface AssembledNode {
  readonly node: Node;
  /** The process's one metrics registry, served on /metrics. */
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly health: HealthServer;
  readonly storage: StorageComponent;
  readonly network: NetworkComponent;
  readonly bridge: BridgeComponent;
  readonly validator: ValidatorComponent;
  readonly ledger: LedgerComponent;
  readonly ingress: IngressComponent;
  readonly consensus: ConsensusComponent;
  readonly compute: ComputeComponent;
  /** Present only when `dashboard.enabled`. */
  readonly dashboard: DashboardComponent | undefined;
  readonly coordinator: CoordinatorComponent;
}

/**
 * Builds the node a config describes. Storage starts first (its lock refuses a second node on the
 * data directory before anything else happens), health next (liveness answers, and /ready says "not
 * yet", during the rest of startup), then the bridge (the program-version handshake: a mismatch stops
 * the node before it joins the network), the network, the validator role, the ledger (mempool and proof verification) and the ingress.
 *
 * Extension points, each a Component added to `components` with its dependencies:
 * - the deposit listener and submitters hang off the bridge (`bridge.rpc`); whatever reads the
 *   program's accounts or the slot takes them from the node's one chain view (`bridge.chain`).
 * - final blocks: `ledger.ledger.onFinal` (decoded, once each), not re-reads of storage.
 * - consensus takes `validator.signer` and the network.
 * Components that do not exist yet are not started (and not stubbed).
 */
export function assembleNode(config: NodeConfig, options: { registry?: Registry } = {}): AssembledNode {
  const level = config.node.logLevel;
  const registry = options.registry ?? createMetricsRegistry();
  // Registered now so every node metric is on /metrics from the first scrape.
  nodeMetrics(registry);
  const readiness = new Readiness();
  const storage = new StorageComponent({
    dataDir: config.node.dataDir,
    dbDir: config.node.dbDir,
    registry,
    readiness,
    logger: createLogger('storage', level),
  });
  const health = new HealthServer({
    host: config.health.host,
    port: config.health.port,
    registry,
    readiness,
    checkTimeoutMs: config.health.checkTimeoutMs,
    logger: createLogger('health', level),
  });
  const network = new NetworkComponent({
    config,
    registry,
    readiness,
    logger: createLogger('network', level),
  });
  const bridge = bridgeComponent({
    config,
    registry,
    readiness,
    logger: createLogger('bridge', level),
  });
  const validator = validatorComponent({
    config,
    bridge,
    network,
    registry,
    readiness,
    logger: createLogger('validator', level),
  });
  const ledger = new LedgerComponent({
    verifierThreads: config.node.verifierThreads,
    storage,
    bridge,
    network,
    validator,
    registry,
    readiness,
    logger: createLogger('ledger', level),
    // Made at ledger start; `consensus` is assembled below and started after the ledger.
    extensions: [
      async (): Promise<LedgerExtension> => (await consensus.prepare()).validatorSetExtension(),
      // Compute jobs (kind 2) and results (kind 3); `compute` starts after consensus.
      (): Promise<LedgerExtension> => compute.jobsExtension(),
      (): Promise<LedgerExtension> => compute.resultsExtension(),
    ],
  });
  const consensus = consensusComponent({
    config,
    storage,
    bridge,
    network,
    validator,
    ledger,
    registry,
    readiness,
    logger: createLogger('consensus', level),
  });
  const compute = new ComputeComponent({
    validator,
    storage,
    network,
    consensus,
    registry,
    readiness,
    logger: createLogger('compute', level),
  });
  const coordinator = coordinatorComponent({
    config,
    storage,
    bridge,
    network,
    validator,
    ledger,
    consensus,
    registry,
    readiness,
    logger: createLogger('coordinator', level),
  });
  const ingress = new IngressComponent({
    config,
    ledger,
    storage,
    coordinator,
    compute,
    readiness,
    logger: createLogger('ingress', level),
  });
  const components: Component[] = [
    storage,
    health,
    bridge,
    network,
    validator,
    ledger,
    consensus,
    compute,
    coordinator,
    ingress,
  ];
  // Off by default: only a node with dashboard.enabled has the component at all.
  const dashboard = config.dashboard.enabled
    ? dashboardComponent({
        config,
        storage,
        bridge,
        validator,
        ledger,
        registry,
        readiness,
        logger: createLogger('dashboard', level),
      })
    : undefined;
  if (dashboard) components.push(dashboard);
  const node = new Node(components, {
    stopTimeoutMs: config.node.stopTimeoutMs,
    logger: createLogger('node', level),
  });
  readiness.register('node', () => ({ ok: node.state === 'running', detail: node.state }));
  return {
    node,
    registry,
    readiness,
    health,
    storage,
    network,
    bridge,
    validator,
    ledger,
    ingress,
    consensus,
    compute,
    coordinator,
    dashboard,
  };
}
