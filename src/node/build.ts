import { createLogger } from '../common/index.js';
import type { NodeConfig } from '../config/index.js';
import {
  createMetricsRegistry,
  HealthServer,
  nodeMetrics,
  Readiness,
  type Registry,
} from '../health/index.js';
import type { Component } from './component.js';
import { bridgeComponent } from './components/bridge.js';
import { computeComponent } from './components/compute.js';
import { consensusComponent } from './components/consensus.js';
import { coordinatorComponent } from './components/coordinator.js';
import { dashboardComponent } from './components/dashboard.js';
import { IngressComponent } from './components/ingress.js';
import { LedgerComponent } from './components/ledger.js';
import { NetworkComponent } from './components/network.js';
import { snapshotJoin, snapshotServer } from './components/snapshot.js';
import { StorageComponent } from './components/storage.js';
import { validatorComponent } from './components/validator.js';
import { Node } from './lifecycle.js';

/** The node a config describes, and its parts (`dashboard` only when `dashboard.enabled`). */
export type AssembledNode = ReturnType<typeof assembleNode>;

/**
 * Builds the node a config describes: the one place that reads the config and wires the modules.
 * Storage starts first (its lock refuses a second node on the data directory before anything else
 * happens), health next (liveness answers, and /ready says "not yet", during the rest of startup),
 * then the bridge (the program-version handshake: a mismatch stops the node before it joins the
 * network), the network, the validator role, the ledger, consensus, compute, the coordinator's
 * duties and the ingress. The node has one chain view (`bridge`), one key and roster (`validator`);
 * final blocks reach their readers as the ledger's block-final events.
 */
export function assembleNode(config: NodeConfig, options: { registry?: Registry } = {}) {
  const level = config.node.logLevel;
  const registry = options.registry ?? createMetricsRegistry();
  // Registered now so every node metric is on /metrics from the first scrape.
  nodeMetrics(registry);
  const readiness = new Readiness();
  const parts = (name: string) => ({ config, registry, readiness, logger: createLogger(name, level) });
  const { dataDir, dbDir } = config.node;
  const storage = new StorageComponent({ dataDir, dbDir, ...parts('storage') });
  const { host, port, checkTimeoutMs } = config.health;
  const health = new HealthServer({ host, port, checkTimeoutMs, ...parts('health') });
  const network = new NetworkComponent(parts('network'));
  const bridge = bridgeComponent(parts('bridge'));
  const validator = validatorComponent({ bridge, network, ...parts('validator') });
  const ledger = new LedgerComponent({
    verifierThreads: config.node.verifierThreads,
    spendRootWindowMs: config.ledger.spendRootWindowMs,
    storage,
    bridge,
    network,
    validator,
    ...parts('ledger'),
    join: snapshotJoin({ storage, bridge, network, validator, ...parts('snapshot') }),
    snapshotServer: snapshotServer({ storage, bridge, network, validator, ...parts('snapshot') }),
    // Made at ledger start, before consensus and compute start: the block entries they own.
    extensions: [
      async () => (await consensus.prepare()).validatorSetExtension(),
      // Compute jobs (kind 2) and results (kind 3).
      async () => (await compute.prepare()).jobsExtension(),
      async () => (await compute.prepare()).resultsExtension(),
    ],
  });
  const consensus = consensusComponent({
    storage,
    bridge,
    network,
    validator,
    ledger,
    ...parts('consensus'),
  });
  const compute = computeComponent({ validator, storage, network, consensus, ...parts('compute') });
  const coordinator = coordinatorComponent({
    storage,
    bridge,
    network,
    validator,
    ledger,
    consensus,
    ...parts('coordinator'),
  });
  const ingress = new IngressComponent({
    ledger,
    bridge,
    storage,
    coordinator,
    compute,
    ...parts('ingress'),
  });
  // In this order among components whose dependencies allow either.
  const all = {
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
  };
  const components: Component[] = Object.values(all);
  // Off by default: only a node with dashboard.enabled has the component at all.
  const dashboard = config.dashboard.enabled
    ? dashboardComponent({ storage, bridge, validator, ledger, ...parts('dashboard') })
    : undefined;
  if (dashboard) components.push(dashboard);
  const node = new Node(components, {
    stopTimeoutMs: config.node.stopTimeoutMs,
    logger: createLogger('node', level),
  });
  readiness.register('node', () => ({ ok: node.state === 'running', detail: node.state }));
  return { node, registry, readiness, ...all, dashboard };
}
