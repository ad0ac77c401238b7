import type { Logger } from '../../common/index.js';
import type { ComputeService } from '../../compute/index.js';
import type { Readiness, Registry } from '../../health/index.js';
import type { ComputeIngressBackend } from '../../ingress/index.js';
import type { LedgerExtension } from '../../ledger/index.js';
import type { Component } from '../component.js';
import { NodeError } from '../errors.js';
import type { ConsensusComponent } from './consensus.js';
import type { NetworkComponent } from './network.js';
import type { StorageComponent } from './storage.js';
import type { ValidatorComponent } from './validator.js';

// The compute module pulls in binaryen (megabytes); loaded when the ledger makes the extensions.
const loadCompute = () => import('../../compute/index.js');

export interface ComputeComponentOptions {
  /** The node's one key: executor identity and result signatures. */
  readonly validator: ValidatorComponent;
  readonly storage: StorageComponent;
  readonly network: NetworkComponent;
  readonly consensus: ConsensusComponent;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logger: Logger;
  readonly wallClockMs?: number;
}

/**
 * PARALOOM_FAULT_COMPUTE_WRONG_OUTPUT=1: this node's executor signs results over a corrupted output
 * (tests of the agreement and penalty path; docs/operations.md). Never set it on a real validator.
 */
function faultWrongOutput(): boolean {
  return process.env.PARALOOM_FAULT_COMPUTE_WRONG_OUTPUT === '1';
}

/** Private compute on this validator: src/compute's ComputeService over this node's parts. */
export class ComputeComponent implements Component {
  readonly name = 'compute';
  readonly dependsOn = ['storage', 'network', 'validator', 'ledger', 'consensus'];
  private opening: Promise<ComputeService> | undefined;
  private serviceValue: ComputeService | undefined;
  private unregister: (() => void) | undefined;
  private stopped = false;

  constructor(private readonly o: ComputeComponentOptions) {}

  get service(): ComputeService {
    if (!this.serviceValue) throw new NodeError('INVALID_STATE', 'compute is not started');
    return this.serviceValue;
  }

  /** Ledger extension factory, kind 2 (jobs). */
  async jobsExtension(): Promise<LedgerExtension> {
    return (await this.open()).jobsExtension();
  }

  /** Ledger extension factory, kind 3 (results). */
  async resultsExtension(): Promise<LedgerExtension> {
    return (await this.open()).resultsExtension();
  }

  /** The ingress' /v1/compute routes, served by the compute service. */
  ingressBackend(): ComputeIngressBackend {
    return this.service;
  }

  async start(): Promise<void> {
    const service = await this.open();
    await service.start();
    this.unregister = this.o.readiness.register('compute', () => ({
      ok: !this.stopped,
      detail: service.describe(),
    }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unregister?.();
    await this.serviceValue?.stop();
  }

  private open(): Promise<ComputeService> {
    this.opening ??= (async () => {
      const { ComputeService } = await loadCompute();
      const o = this.o;
      const storage = o.storage.storage;
      const keypair = o.validator.service.keypair;
      const service = new ComputeService({
        store: storage.compute,
        recentRoots: async () => new Set((await storage.tree.loadState())?.rootHistory ?? []),
        validatorsAt: (h) => o.consensus.service.validatorsAt(h)?.map((v) => v.publicKey),
        network: o.network.network,
        identity: { publicKey: keypair.publicKey, seed: keypair.secretKey.slice(0, 32) },
        registry: o.registry,
        ...(o.wallClockMs ? { wallClockMs: o.wallClockMs } : {}),
        faultWrongOutput: faultWrongOutput(),
        logger: o.logger,
      });
      await service.open();
      this.serviceValue = service;
      return service;
    })();
    return this.opening;
  }
}
