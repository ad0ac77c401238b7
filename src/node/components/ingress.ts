import { chainRead, IngressServer, LedgerIngressBackend } from '../../ingress/index.js';
import { fieldFromBytesBE } from '../../privacy/index.js';
import type { Component } from '../component.js';
import type { BridgeComponent } from './bridge.js';
import type { ComputeComponent } from './compute.js';
import type { CoordinatorComponent } from './coordinator.js';
import type { LedgerComponent } from './ledger.js';
import type { StorageComponent } from './storage.js';
import type { Wiring } from './wiring.js';

export interface IngressComponentOptions extends Omit<Wiring, 'registry'> {
  readonly ledger: LedgerComponent;
  /** Its chain view: the relayers' floors GET /v1/relayers serves. */
  readonly bridge: BridgeComponent;
  readonly storage: StorageComponent;
  readonly coordinator: CoordinatorComponent;
  /** Serves the /v1/compute routes when given. */
  readonly compute?: ComputeComponent;
}

/** The wallets' HTTP JSON API on config.ingress, backed by this node's ledger and storage. */
export class IngressComponent implements Component {
  readonly name = 'ingress';
  readonly dependsOn: readonly string[];
  private server: IngressServer | undefined;
  private backend: LedgerIngressBackend | undefined;
  private unregister: (() => void) | undefined;

  constructor(private readonly o: IngressComponentOptions) {
    this.dependsOn = o.compute ? ['ledger', 'coordinator', 'compute'] : ['ledger', 'coordinator'];
  }

  get url(): string | undefined {
    return this.server?.url;
  }

  async start(): Promise<void> {
    const { o } = this;
    const backend = new LedgerIngressBackend(o.ledger.ledger, o.storage.storage);
    await backend.start();
    this.backend = backend;
    const duties = o.coordinator.service;
    const chain = o.bridge.service.view;
    const server = new IngressServer(backend, {
      host: o.config.ingress.host,
      port: o.config.ingress.port,
      logger: o.logger,
      settlement: {
        anchors: () => chainRead(() => duties.withdrawals.anchors()),
        withdrawal: (n0) => chainRead(() => duties.withdrawals.status(n0)),
        relayer: () => duties.relayer,
        relayers: () =>
          chain.relayers.map((r) => ({
            address: r.address,
            fees: r.fees.map((f) => ({ asset: fieldFromBytesBE(f.asset), floor: f.floor })),
          })),
        solanaSlot: () => o.ledger.solanaSlot,
      },
      ...(o.compute ? { compute: o.compute.service } : {}),
    });
    await server.start();
    this.server = server;
    this.unregister = o.readiness.register('ingress', () => ({ ok: true, detail: server.url }));
  }

  async stop(): Promise<void> {
    this.unregister?.();
    await this.server?.stop();
    this.server = undefined;
    await this.backend?.stop();
    this.backend = undefined;
  }
}
