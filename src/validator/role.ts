import { multiaddr } from '@multiformats/multiaddr';
import type { Address, Commitment } from '@solana/kit';
import type { Registry } from 'prom-client';
import type { BridgeRpc, ChainView } from '../bridge/index.js';
import type { Logger } from '../common/index.js';
import { isActive, ValidatorChainReader } from './chain.js';
import { ValidatorError } from './errors.js';
import { type HeartbeatNetwork, HeartbeatService } from './heartbeats.js';
import { readKeypairFile } from './key-file.js';
import type { ValidatorKeypair } from './keypair.js';
import { type ValidatorMetrics, validatorMetrics } from './metrics.js';
import { type RosterEntry, ValidatorRoster } from './roster.js';
import { type SigningDomain, ValidatorSigner } from './signing.js';

export interface ValidatorRoleOptions {
  readonly keyFile: string;
  readonly domain: SigningDomain;
  readonly chain: Pick<ChainView, 'validators' | 'on' | 'refresh'>;
  /** One-shot reads of this validator's own account (why it is not active). */
  readonly rpc: BridgeRpc;
  readonly programId: Address;
  readonly commitment: Commitment;
  readonly network: HeartbeatNetwork & {
    readonly peers: { pin(peerId: string, addrs: readonly string[]): void };
  };
  readonly heartbeatIntervalMs: number;
  readonly registry?: Registry;
  readonly logger: Logger;
}

export interface Registration {
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * The validator role of a node: loads the key (the node's only read of the key file; an insecure or
 * missing key file fails start), keeps the node's one roster of the on-chain active set, fed by the
 * chain view's `validators` events, pins the registered validators' peers at their registered
 * multiaddrs (so the chain is the bootstrap list), and sends and checks signed heartbeats. Not being
 * registered does not fail start, since an operator may register after starting, but `registration`
 * stays not ok and no heartbeat is sent until the registry shows this key active with this peer id.
 */
export class ValidatorRole {
  private signerValue: ValidatorSigner | undefined;
  private keypairValue: ValidatorKeypair | undefined;
  private rosterValue: ValidatorRoster | undefined;
  private heartbeats: HeartbeatService | undefined;
  private unsubscribe: (() => void) | undefined;
  private current: Registration = { ok: false, detail: 'not checked yet' };
  private readonly metrics: ValidatorMetrics;

  constructor(private readonly o: ValidatorRoleOptions) {
    this.metrics = validatorMetrics(o.registry);
  }

  /** This validator's signer, bound to the configured program and cluster. */
  get signer(): ValidatorSigner {
    if (!this.signerValue) throw new ValidatorError('INVALID_STATE', 'validator is not started');
    return this.signerValue;
  }

  /** The validator key as read from the key file at start. */
  get keypair(): ValidatorKeypair {
    if (!this.keypairValue) throw new ValidatorError('INVALID_STATE', 'validator is not started');
    return this.keypairValue;
  }

  /** The node's roster of the chain registry's active validators. */
  get roster(): ValidatorRoster {
    if (!this.rosterValue) throw new ValidatorError('INVALID_STATE', 'validator is not started');
    return this.rosterValue;
  }

  get heartbeat(): HeartbeatService | undefined {
    return this.heartbeats;
  }

  /** Whether the registry shows this key active with this node's peer id, and why not. */
  get registration(): Registration {
    return this.current;
  }

  async start(): Promise<void> {
    const { o } = this;
    const keypair = await readKeypairFile(o.keyFile);
    const signer = new ValidatorSigner(keypair, o.domain);
    this.signerValue = signer;
    this.keypairValue = keypair;
    const { chain, network, logger } = o;
    const roster = new ValidatorRoster(
      { activeAccounts: async () => (await chain.refresh()).validators },
      { logger, onRefresh: (entries) => this.onRoster(entries) },
    );
    this.rosterValue = roster;
    // The view has read once by now (the bridge started it); a failed first read leaves it empty.
    roster.apply(chain.validators);
    this.unsubscribe = chain.on('validators', (accounts) => roster.apply(accounts));
    // The account itself says why a key is not in the active set (unbonding, never registered).
    if (!this.current.ok) {
      const reader = new ValidatorChainReader(o.rpc, o.programId, o.commitment);
      const account = await reader.account(signer.address).catch((err: unknown) => {
        logger.warn({ err }, 'validator account read failed');
        return undefined;
      });
      logger.warn(
        {
          validator: signer.address,
          detail: this.current.detail,
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
      intervalMs: o.heartbeatIntervalMs,
      shouldSend: () => this.current.ok,
      logger,
    });
    await heartbeats.start();
    this.heartbeats = heartbeats;
    logger.info(
      { validator: signer.address, registered: this.current.ok, activeValidators: roster.size },
      'validator role started',
    );
  }

  private onRoster(entries: readonly RosterEntry[]): void {
    const { network } = this.o;
    const signer = this.signer;
    this.metrics.activeValidators.set(entries.length);
    for (const e of entries) {
      if (!e.endpoints || e.endpoints.peerId === network.peerId) continue;
      const peerId = e.endpoints.peerId;
      const addrs = e.endpoints.multiaddrs.map((a) => multiaddr(a).encapsulate(`/p2p/${peerId}`).toString());
      if (addrs.length > 0) network.peers.pin(peerId, addrs);
    }
    const self = entries.find((e) => e.address === signer.address);
    this.current = !self
      ? { ok: false, detail: `${signer.address} is not registered: run paraloom validator register` }
      : self.endpoints?.peerId !== network.peerId
        ? {
            ok: false,
            detail: `registered with peer id ${self.endpoints?.peerId ?? '(none)'}, this node is ${network.peerId}: run paraloom validator register to update`,
          }
        : { ok: true, detail: `${signer.address} registered, ${entries.length} active validators` };
    this.metrics.registered.set(this.current.ok ? 1 : 0);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.heartbeats?.stop();
    this.heartbeats = undefined;
  }
}
