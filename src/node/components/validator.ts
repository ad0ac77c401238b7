import { multiaddr } from '@multiformats/multiaddr';
import type { Logger } from '../../common/index.js';
import type { NodeConfig } from '../../config/index.js';
import type { Readiness, Registry } from '../../health/index.js';
import {
  HeartbeatService,
  isActive,
  readKeypairFile,
  ValidatorChainReader,
  type ValidatorMetrics,
  ValidatorRoster,
  ValidatorSigner,
  validatorMetrics,
} from '../../validator/index.js';
import type { Component } from '../component.js';
import { NodeError } from '../errors.js';
import type { BridgeComponent } from './bridge.js';
import type { NetworkComponent } from './network.js';

export interface ValidatorComponentOptions {
  readonly config: NodeConfig;
  readonly bridge: BridgeComponent;
  readonly network: NetworkComponent;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logger: Logger;
}

type Registration = { ok: boolean; detail: string };

/**
 * The validator role: loads the key (an insecure or missing key file fails start), reads the
 * on-chain active set, pins the registered validators' peers at their registered multiaddrs (so the
 * chain is the bootstrap list), and sends and checks signed heartbeats. Not being registered does
 * not fail start, since an operator may register after starting, but readiness `validator` stays
 * false and no heartbeat is sent until the registry shows this key active with this node's peer id.
 */
export class ValidatorComponent implements Component {
  readonly name = 'validator';
  readonly dependsOn = ['bridge', 'network'];
  private signerValue: ValidatorSigner | undefined;
  private rosterValue: ValidatorRoster | undefined;
  private heartbeats: HeartbeatService | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private unregister: (() => void) | undefined;
  private registration: Registration = { ok: false, detail: 'not checked yet' };
  private readonly metrics: ValidatorMetrics;

  constructor(private readonly options: ValidatorComponentOptions) {
    this.metrics = validatorMetrics(options.registry);
  }

  /** This validator's signer, bound to the configured program and cluster (for consensus). */
  get signer(): ValidatorSigner {
    if (!this.signerValue) throw new NodeError('INVALID_STATE', 'validator is not started');
    return this.signerValue;
  }

  /** The chain registry's active validators, refreshed on a timer (undefined before start). */
  get roster(): ValidatorRoster | undefined {
    return this.rosterValue;
  }

  get heartbeat(): HeartbeatService | undefined {
    return this.heartbeats;
  }

  async start(): Promise<void> {
    const { config, bridge, readiness, logger } = this.options;
    const keypair = await readKeypairFile(config.validator.keyFile);
    const signer = new ValidatorSigner(keypair, {
      programId: config.solana.programId,
      cluster: config.solana.cluster,
    });
    this.signerValue = signer;
    const network = this.options.network.network;
    const reader = new ValidatorChainReader(bridge.rpc, bridge.programId, config.solana.commitment);
    const roster = new ValidatorRoster(reader, {
      logger,
      onRefresh: (entries) => {
        this.metrics.activeValidators.set(entries.length);
        for (const e of entries) {
          if (!e.endpoints || e.endpoints.peerId === network.peerId) continue;
          const addrs = e.endpoints.multiaddrs.map((a) =>
            multiaddr(a).encapsulate(`/p2p/${e.endpoints!.peerId}`).toString(),
          );
          if (addrs.length > 0) network.peers.pin(e.endpoints.peerId, addrs);
        }
        const self = roster.get(signer.address);
        this.registration = !self
          ? { ok: false, detail: `${signer.address} is not registered: run paraloom validator register` }
          : self.endpoints?.peerId !== network.peerId
            ? {
                ok: false,
                detail: `registered with peer id ${self.endpoints?.peerId ?? '(none)'}, this node is ${network.peerId}: run paraloom validator register to update`,
              }
            : { ok: true, detail: `${signer.address} registered, ${entries.length} active validators` };
        this.metrics.registered.set(this.registration.ok ? 1 : 0);
      },
    });
    this.rosterValue = roster;
    await roster.refresh();
    // The account itself says why a key is not in the active set (unbonding, never registered).
    if (!this.registration.ok) {
      const account = await reader.account(signer.address);
      logger.warn(
        {
          validator: signer.address,
          detail: this.registration.detail,
          account: account ? (isActive(account) ? 'active' : 'unbonding') : 'none',
        },
        'validator is not an active registered validator of this node; heartbeats are held back',
      );
    }
    const heartbeats = new HeartbeatService({
      network,
      signer,
      roster,
      metrics: this.metrics,
      intervalMs: config.validator.heartbeatIntervalMs,
      shouldSend: () => this.registration.ok,
      logger,
    });
    heartbeats.start();
    this.heartbeats = heartbeats;
    this.refreshTimer = setInterval(
      () => roster.refresh().catch((err: unknown) => logger.warn({ err }, 'validator registry read failed')),
      config.validator.registryRefreshMs,
    );
    this.unregister = readiness.register('validator', () => this.registration);
    logger.info(
      { validator: signer.address, registered: this.registration.ok, activeValidators: roster.size },
      'validator role started',
    );
  }

  async stop(): Promise<void> {
    this.unregister?.();
    this.unregister = undefined;
    clearInterval(this.refreshTimer);
    this.heartbeats?.stop();
    this.heartbeats = undefined;
  }
}
