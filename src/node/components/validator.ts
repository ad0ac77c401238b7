import { multiaddr } from '@multiformats/multiaddr';
import type { Logger } from '../../common/index.js';
import type { NodeConfig } from '../../config/index.js';
import type { Readiness, Registry } from '../../health/index.js';
import {
  HeartbeatService,
  isActive,
  readKeypairFile,
  ValidatorChainReader,
  type ValidatorKeypair,
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
 * The validator role: loads the key, the node's only read of the key file (an insecure or missing
 * key file fails start; the coordinator's fee payer and compute derive from `keypair`), keeps the
 * node's one roster of the on-chain active set, fed by the chain view's `validators` events, pins the registered validators' peers at their registered multiaddrs (so the
 * chain is the bootstrap list), and sends and checks signed heartbeats. Not being registered does
 * not fail start, since an operator may register after starting, but readiness `validator` stays
 * false and no heartbeat is sent until the registry shows this key active with this node's peer id.
 */
export class ValidatorComponent implements Component {
  readonly name = 'validator';
  readonly dependsOn = ['bridge', 'network'];
  private signerValue: ValidatorSigner | undefined;
  private keypairValue: ValidatorKeypair | undefined;
  private rosterValue: ValidatorRoster | undefined;
  private heartbeats: HeartbeatService | undefined;
  private unsubscribe: (() => void) | undefined;
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

  /** The validator key as read from `validator.key_file` at start. */
  get keypair(): ValidatorKeypair {
    if (!this.keypairValue) throw new NodeError('INVALID_STATE', 'validator is not started');
    return this.keypairValue;
  }

  /** The node's roster of the chain registry's active validators (undefined before start). */
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
    this.keypairValue = keypair;
    const network = this.options.network.network;
    const chain = bridge.chain;
    const roster = new ValidatorRoster(
      { activeAccounts: async () => (await chain.refresh()).validators },
      {
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
      },
    );
    this.rosterValue = roster;
    // The view has read once by now (the bridge started it); a failed first read leaves it empty.
    roster.apply(chain.validators);
    this.unsubscribe = chain.on('validators', (accounts) => roster.apply(accounts));
    // The account itself says why a key is not in the active set (unbonding, never registered).
    if (!this.registration.ok) {
      const reader = new ValidatorChainReader(bridge.rpc, bridge.programId, config.solana.commitment);
      const account = await reader.account(signer.address).catch((err: unknown) => {
        logger.warn({ err }, 'validator account read failed');
        return undefined;
      });
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
    await heartbeats.start();
    this.heartbeats = heartbeats;
    this.unregister = readiness.register('validator', () => this.registration);
    logger.info(
      { validator: signer.address, registered: this.registration.ok, activeValidators: roster.size },
      'validator role started',
    );
  }

  async stop(): Promise<void> {
    this.unregister?.();
    this.unregister = undefined;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.heartbeats?.stop();
    this.heartbeats = undefined;
  }
}
