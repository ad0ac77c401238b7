import { getAddressDecoder } from '@solana/kit';
import { decodeBridgeState, findBridgeStatePda } from '../../bridge/index.js';
import type { Logger } from '../../common/index.js';
import type { NodeConfig } from '../../config/index.js';
import {
  ConsensusEngine,
  DEFAULT_TIMEOUTS,
  type Equivocation,
  pacedApplication,
  signerAuthenticator,
  type ValidatorInfo,
  ValidatorSet,
  ValidatorSetExtension,
  ValidatorSetHistory,
} from '../../consensus/index.js';
import type { Readiness, Registry } from '../../health/index.js';
import { DepositFeed, type LedgerExtension } from '../../ledger/index.js';
import { BlockSyncServer, FinalBlockFetcher, GenesisDiscovery } from '../../sync/index.js';
import { ValidatorChainReader } from '../../validator/index.js';
import type { Component } from '../component.js';
import { NodeError } from '../errors.js';
import type { BridgeComponent } from './bridge.js';
import type { LedgerComponent } from './ledger.js';
import type { NetworkComponent } from './network.js';
import type { StorageComponent } from './storage.js';
import type { ValidatorComponent } from './validator.js';

export interface ConsensusComponentOptions {
  readonly config: NodeConfig;
  readonly storage: StorageComponent;
  readonly bridge: BridgeComponent;
  readonly network: NetworkComponent;
  readonly validator: ValidatorComponent;
  readonly ledger: LedgerComponent;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logger: Logger;
}

/**
 * PARALOOM_FAULT_EQUIVOCATE_HEIGHT: fault injection for the evidence-path tests (docs/operations.md);
 * makes this node follow its next five prevotes for a block, from that height on, with conflicting ones.
 */
function faultEquivocateHeight(): bigint | undefined {
  const raw = process.env.PARALOOM_FAULT_EQUIVOCATE_HEIGHT;
  return raw && /^\d+$/.test(raw) ? BigInt(raw) : undefined;
}

/**
 * L2 consensus on this node: the BFT engine (src/consensus) driving the ledger over the validator
 * sets agreed through blocks, block sync and genesis discovery (src/sync), and the deposit feed
 * (src/ledger).
 */
export class ConsensusComponent implements Component {
  readonly name = 'consensus';
  readonly dependsOn = ['ledger', 'validator', 'network', 'bridge', 'storage'];
  private engine: ConsensusEngine | undefined;
  private syncServer: BlockSyncServer | undefined;
  private deposits: DepositFeed | undefined;
  private unregister: (() => void) | undefined;
  private status = 'not started';
  private readonly evidenceListeners = new Set<(e: Equivocation) => void>();
  private history: ValidatorSetHistory | undefined;
  private genesis: readonly ValidatorInfo[] | undefined;

  constructor(private readonly options: ConsensusComponentOptions) {}

  /**
   * The ledger extension that carries validator sets in blocks (made when the ledger starts, so
   * stored blocks it missed are applied before consensus reads the history).
   */
  async validatorSetExtension(): Promise<LedgerExtension> {
    const o = this.options;
    const roster = o.validator.roster;
    if (!roster) throw new NodeError('INVALID_STATE', 'the validator component is not started');
    const history = new ValidatorSetHistory(o.storage.storage.meta);
    await history.load();
    this.history = history;
    return new ValidatorSetExtension({
      history,
      epochBlocks: o.config.consensus.epochBlocks,
      roster,
      genesis: () => this.genesis,
      onScheduled: (set) => this.engine?.setNextValidators(new ValidatorSet(set.validators)),
      logger: o.logger,
    });
  }

  /** The validator set deciding `height`, as agreed through blocks (for heights this node knows). */
  validatorsAt(height: bigint): readonly ValidatorInfo[] | undefined {
    return this.history?.at(height)?.validators;
  }

  get height(): bigint | undefined {
    return this.engine?.height;
  }

  /** The running engine (reputation, round), if consensus is enabled and started. */
  get running(): ConsensusEngine | undefined {
    return this.engine;
  }

  /** Called with every new piece of equivocation evidence (detected here or received by gossip). */
  onEvidence(listener: (e: Equivocation) => void): () => void {
    this.evidenceListeners.add(listener);
    return () => this.evidenceListeners.delete(listener);
  }

  async start(): Promise<void> {
    const o = this.options;
    const { config, logger } = o;
    this.unregister = o.readiness.register('consensus', () => ({
      ok: this.engine !== undefined && !this.engine.failed,
      detail: this.engine ? `height ${this.engine.height} round ${this.engine.round}` : this.status,
    }));
    if (!config.consensus.enabled) {
      this.status = 'disabled in config';
      return;
    }
    const network = o.network.network;
    // Served before this node picks its genesis set: peers starting with it ask each other for block 1.
    this.syncServer = new BlockSyncServer({ network, blocks: o.storage.storage.blocks, logger });
    await this.syncServer.start();
    const history = this.history;
    const roster = o.validator.roster;
    if (!history || !roster)
      throw new NodeError('INVALID_STATE', 'the ledger started without the validator-set extension');
    const ledger = o.ledger.ledger;
    const auth = signerAuthenticator(o.validator.signer);
    const start = ledger.tip.height + 1n;
    let current = history.at(start)?.validators;
    if (current) this.genesis = history.at(1n)?.validators;
    else current = this.genesis = await this.discovery(auth, roster).discover(ledger.tip.height === 0n);
    const validators = new ValidatorSet(current);
    const tip = ledger.tip;
    const fetcher = new FinalBlockFetcher({ network, logger });
    const engine = new ConsensusEngine({
      network,
      auth,
      validators,
      application: pacedApplication(ledger, {
        intervalMs: config.consensus.blockIntervalMs,
        idleMs: config.consensus.idleBlockMs,
      }),
      timeouts: {
        ...DEFAULT_TIMEOUTS,
        commitPauseMs: Math.max(config.consensus.blockIntervalMs, config.consensus.idleBlockMs),
      },
      height: tip.height + 1n,
      previousHash: tip.hash,
      store: o.storage.storage.meta,
      registry: o.registry,
      logger,
      onDecided: (d) => logger.info({ height: d.height.toString(), round: d.round }, 'block final'),
      onEvidence: (e) => {
        for (const l of this.evidenceListeners) l(e);
      },
      equivocateFromHeight: faultEquivocateHeight(),
      catchUp: (height) => fetcher.fetch(height),
    });
    this.deposits = new DepositFeed({
      rpc: o.bridge.rpc,
      programId: o.bridge.programId,
      tip,
      addDeposits: (d) => ledger.addDeposits(d),
      logger,
    });
    await this.deposits.start();
    // A set the last stored block scheduled for the height after this one.
    for (const next of history.after(start)) engine.setNextValidators(new ValidatorSet(next.validators));
    await engine.start();
    this.engine = engine;
    logger.info(
      { validators: validators.members.length, height: engine.height.toString() },
      'consensus started',
    );
  }

  /** Genesis discovery over this node's network, roster and chain reads. */
  private discovery(
    auth: ReturnType<typeof signerAuthenticator>,
    roster: NonNullable<ValidatorComponent['roster']>,
  ): GenesisDiscovery {
    const o = this.options;
    const { bridge, config } = o;
    const reader = new ValidatorChainReader(bridge.rpc, bridge.programId, config.solana.commitment);
    const decoder = getAddressDecoder();
    return new GenesisDiscovery({
      network: o.network.network,
      auth,
      self: o.validator.signer.publicKey,
      registry: roster,
      isRegistered: async (key) => (await reader.account(decoder.decode(key))) !== undefined,
      anchorCount: async () => {
        const [pda] = await findBridgeStatePda(bridge.programId);
        const account = await bridge.rpc.accountData(pda, config.solana.commitment);
        return account ? decodeBridgeState(account.data).anchorCount : 0n;
      },
      minValidators: config.consensus.minValidators,
      waitValidatorsMs: config.consensus.waitValidatorsMs,
      onStatus: (status) => {
        this.status = status;
      },
      logger: o.logger,
    });
  }

  async stop(): Promise<void> {
    this.unregister?.();
    await this.engine?.stop();
    this.engine = undefined;
    await this.deposits?.stop();
    this.deposits = undefined;
    await this.syncServer?.stop();
    this.syncServer = undefined;
  }
}
