import type { Logger } from '../../common/index.js';
import type { NodeConfig } from '../../config/index.js';
import {
  AgreedValidatorSets,
  ConsensusEngine,
  DEFAULT_TIMEOUTS,
  type Equivocation,
  pacedApplication,
  signerAuthenticator,
  type ValidatorInfo,
  ValidatorSet,
  type VoteAuthenticator,
} from '../../consensus/index.js';
import type { Readiness, Registry } from '../../health/index.js';
import { DepositFeed, type LedgerExtension } from '../../ledger/index.js';
import { BlockSyncServer, FinalBlockFetcher, GenesisDiscovery } from '../../sync/index.js';
import type { Component } from '../component.js';
import { NodeError } from '../errors.js';
import type { BridgeComponent } from './bridge.js';
import { genesisChainReads } from './chain-reads.js';
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
  private sets: AgreedValidatorSets | undefined;

  constructor(private readonly options: ConsensusComponentOptions) {}

  /** The ledger extension carrying validator sets (made when the ledger starts, before consensus). */
  async validatorSetExtension(): Promise<LedgerExtension> {
    const o = this.options;
    const roster = o.validator.roster;
    if (!roster) throw new NodeError('INVALID_STATE', 'the validator component is not started');
    this.sets = new AgreedValidatorSets({
      store: o.storage.storage.meta,
      epochBlocks: o.config.consensus.epochBlocks,
      registry: roster,
      logger: o.logger,
    });
    this.sets.onScheduled((set) => this.engine?.setNextValidators(new ValidatorSet(set.validators)));
    return this.sets.extension();
  }

  /** The validator set deciding `height`, as agreed through blocks (for heights this node knows). */
  validatorsAt(height: bigint): readonly ValidatorInfo[] | undefined {
    return this.sets?.at(height);
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
    const roster = o.validator.roster;
    if (!this.sets || !roster) throw new NodeError('INVALID_STATE', 'the ledger started without consensus');
    const ledger = o.ledger.ledger;
    const auth = signerAuthenticator(o.validator.signer);
    const tip = ledger.tip;
    const { current, scheduled } = await this.sets.startAt(tip.height + 1n, () =>
      this.discovery(auth, roster).discover(tip.height === 0n),
    );
    const validators = new ValidatorSet(current);
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
    for (const next of scheduled) engine.setNextValidators(new ValidatorSet(next.validators));
    await engine.start();
    this.engine = engine;
    logger.info(
      { validators: validators.members.length, height: engine.height.toString() },
      'consensus started',
    );
  }

  /** Genesis discovery over this node's network, roster and chain reads. */
  private discovery(auth: VoteAuthenticator, roster: NonNullable<ValidatorComponent['roster']>) {
    const { config, network, validator, bridge, logger } = this.options;
    return new GenesisDiscovery({
      network: network.network,
      auth,
      self: validator.signer.publicKey,
      registry: roster,
      ...genesisChainReads(bridge, config.solana.commitment),
      minValidators: config.consensus.minValidators,
      waitValidatorsMs: config.consensus.waitValidatorsMs,
      onStatus: (status) => {
        this.status = status;
      },
      logger,
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
