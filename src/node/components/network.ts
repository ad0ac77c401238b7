import type { Logger } from '../../common/index.js';
import type { NodeConfig } from '../../config/index.js';
import type { Readiness, Registry } from '../../health/index.js';
import { DirectRouter, NetworkNode } from '../../network/index.js';
import type { Component } from '../component.js';
import { NodeError } from '../errors.js';

export interface NetworkComponentOptions {
  readonly config: NodeConfig;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logger: Logger;
}

/** libp2p: joins the cluster's DHT and gossip; ready once `health.min_peers` peers are connected. */
export class NetworkComponent implements Component {
  readonly name = 'network';
  private node: NetworkNode | undefined;
  private router: DirectRouter | undefined;
  private unregister: (() => void) | undefined;

  constructor(private readonly options: NetworkComponentOptions) {}

  get network(): NetworkNode {
    if (!this.node) throw new NodeError('INVALID_STATE', 'network is not started');
    return this.node;
  }

  /** Dispatcher of the `direct` protocol's request kinds (anchor signing, coordinator duties). */
  get direct(): DirectRouter {
    if (!this.node) throw new NodeError('INVALID_STATE', 'network is not started');
    this.router ??= new DirectRouter(this.node);
    return this.router;
  }

  async start(): Promise<void> {
    const { config, registry, readiness, logger } = this.options;
    // One cluster name for topics, protocol ids and signed messages.
    const node = await NetworkNode.create(
      { cluster: config.solana.cluster, ...config.network },
      { registry, logger },
    );
    await node.start();
    this.node = node;
    const need = config.health.minPeers;
    this.unregister = readiness.register('peers', () => {
      // Slow peers are connected: they count.
      const have = node.peers.list().filter((p) => p.state !== 'offline').length;
      return { ok: have >= need, detail: `${have} connected, need ${need}` };
    });
  }

  async stop(): Promise<void> {
    this.unregister?.();
    await this.node?.stop();
    this.node = undefined;
    this.router = undefined;
  }
}
