import { createKeyPairSignerFromPrivateKeyBytes } from '@solana/kit';
import { AnchorSubmitter, TransactionSender, WithdrawSubmitter } from '../../bridge/index.js';
import type { Logger } from '../../common/index.js';
import type { NodeConfig } from '../../config/index.js';
import { EvidenceStore } from '../../consensus/index.js';
import {
  AnchoredRanges,
  AnchorService,
  AnchorSigningService,
  CoordinatorElection,
  type CoordinatorRole,
  coordinatorMetrics,
  type FinalBlocks,
  Relayer,
  Slasher,
  WithdrawalIndex,
  WithdrawalStatusReader,
} from '../../coordinator/index.js';
import { nodeMetrics, type Readiness, type Registry } from '../../health/index.js';
import type { Component } from '../component.js';
import { NodeError } from '../errors.js';
import type { BridgeComponent } from './bridge.js';
import type { ConsensusComponent } from './consensus.js';
import type { LedgerComponent } from './ledger.js';
import type { NetworkComponent } from './network.js';
import type { StorageComponent } from './storage.js';
import type { ValidatorComponent } from './validator.js';

export interface CoordinatorComponentOptions {
  readonly config: NodeConfig;
  readonly storage: StorageComponent;
  readonly bridge: BridgeComponent;
  readonly network: NetworkComponent;
  readonly validator: ValidatorComponent;
  readonly ledger: LedgerComponent;
  readonly consensus: ConsensusComponent;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logger: Logger;
}

/** A validator that is not the coordinator submits evidence only if nobody did within this long. */
const BACKUP_SLASH_DELAY_MS = 15_000;
/** Settlement signatures kept for withdrawal status (and replicated to passives). */
const MAX_RELAYED = 256;

/**
 * Settlement duties. Every validator indexes the withdrawals of final blocks, answers anchor signing
 * requests, reports withdrawal status and takes equivocation evidence to the program's slash
 * instruction (the coordinator at once, others as a backup). The coordinator (elected by leases
 * among `validator.coordinator_candidate` nodes, or fixed by `coordinator.enabled`) also anchors
 * final blocks on Solana and relays withdrawals, and only while it holds its lease. Everything
 * here reads the chain through the node's chain view, the validators through the validator
 * component's roster, final blocks through the ledger's block-final events, and signs with the
 * validator key (the fee payer) the validator component loaded.
 */
export class CoordinatorComponent implements Component {
  readonly name = 'coordinator';
  readonly dependsOn = ['storage', 'bridge', 'network', 'validator', 'ledger', 'consensus'];
  private signing: AnchorSigningService | undefined;
  private anchors: AnchorService | undefined;
  private relayerService: Relayer | undefined;
  private slasher: Slasher | undefined;
  private election: CoordinatorElection | undefined;
  private statusReader: WithdrawalStatusReader | undefined;
  private feePayerAddress: string | undefined;
  private cleanups: (() => void)[] = [];
  /** L2 transaction id -> settling Solana signature: ours, and the primary's replicated ones. */
  private readonly relayed = new Map<string, string>();

  constructor(private readonly options: CoordinatorComponentOptions) {}

  get withdrawals(): WithdrawalStatusReader {
    if (!this.statusReader) throw new NodeError('INVALID_STATE', 'coordinator is not started');
    return this.statusReader;
  }

  /**
   * This node's relayer offer: its fee payer and minimum fee. Every validator of the cohort may be
   * named; whichever is primary settles for all of them.
   */
  get relayer(): { address: string; minFeeLamports: bigint } | undefined {
    if (!this.feePayerAddress || !this.options.config.coordinator.relay) return undefined;
    return {
      address: this.feePayerAddress,
      minFeeLamports: this.options.config.coordinator.relayMinFeeLamports,
    };
  }

  /** primary (acting), candidate, passive; 'none' when this node neither stands nor is fixed. */
  get role(): CoordinatorRole | 'none' {
    if (this.options.config.coordinator.enabled) return 'primary';
    return this.election?.role ?? 'none';
  }

  get term(): bigint {
    return this.election?.term ?? 0n;
  }

  /** Whether this node may act as coordinator right now. */
  isActing(): boolean {
    return this.options.config.coordinator.enabled || (this.election?.isPrimary() ?? false);
  }

  /** Last L2 height this node saw anchored (coordinator only). */
  get anchoredHeight(): bigint | undefined {
    return this.anchors?.lastAnchoredHeight;
  }

  async start(): Promise<void> {
    const o = this.options;
    const { config, logger } = o;
    const storage = o.storage.storage;
    const blocks: FinalBlocks = {
      // Written, not staged: a block being committed right now is not readable yet.
      tipHeight: () => storage.blocks.writtenTipHeight() ?? 0n,
      blockBytes: async (h) => (await storage.blocks.getByHeight(h))?.block,
    };
    const index = new WithdrawalIndex(blocks, logger);
    // Subscribed before the start-up pass, so no block falls between the two.
    this.cleanups.push(o.ledger.ledger.onFinal((final) => index.follow(final)));
    await index.catchUp();
    const metrics = coordinatorMetrics(o.registry);
    const ranges = new AnchoredRanges(index);
    const rpc = o.bridge.rpc;
    const chain = o.bridge.chain;
    const programId = o.bridge.programId;
    const feePayer = await createKeyPairSignerFromPrivateKeyBytes(o.validator.keypair.secretKey.slice(0, 32));
    this.feePayerAddress = feePayer.address;
    const sender = new TransactionSender(rpc, { feePayer, logger });
    const roster = o.validator.roster;
    if (!roster) throw new NodeError('INVALID_STATE', 'the validator component is not started');
    const acting = () => this.isActing();

    if (config.consensus.enabled) {
      this.signing = new AnchorSigningService({
        router: o.network.direct,
        signer: o.validator.signer,
        blocks,
        index,
        logger,
      });
      await this.signing.start();
      const slasher = new Slasher({
        rpc,
        programId,
        cluster: config.solana.cluster,
        sender,
        reporter: feePayer,
        store: new EvidenceStore(storage.meta),
        delayMs: () => (acting() ? 0 : BACKUP_SLASH_DELAY_MS),
        metrics,
        logger,
      });
      this.cleanups.push(o.consensus.onEvidence((e) => slasher.report(e)));
      await slasher.start();
      this.slasher = slasher;
    }

    const mayCoordinate = config.coordinator.enabled || config.validator.coordinatorCandidate;
    if (mayCoordinate) {
      if (config.coordinator.relay) {
        const relayer = new Relayer({
          chain,
          submitter: new WithdrawSubmitter({ rpc, sender, programId, logger }),
          ranges,
          relayers: () => new Set([feePayer.address, ...roster.entries().map((e) => e.address)]),
          active: acting,
          minFee: config.coordinator.relayMinFeeLamports,
          metrics,
          logger,
          onSettled: (txId, signature) => this.remember(txId, signature),
        });
        await relayer.start();
        this.relayerService = relayer;
        // A new anchor (or any change of the state) may approve withdrawals: sweep now.
        this.cleanups.push(chain.on('state', () => relayer.kick()));
      }
      this.anchors = new AnchorService({
        chain,
        network: o.network.network,
        submitter: new AnchorSubmitter({ rpc, sender, programId, submitter: feePayer, logger }),
        signer: o.validator.signer,
        blocks,
        index,
        // The tick refreshed the chain view right before planning; the roster follows its events.
        roster: async () => roster.entries(),
        policy: {
          everyBlocks: config.coordinator.anchorEveryBlocks,
          everyMs: config.coordinator.anchorEveryMs,
          withdrawalDelayMs: config.coordinator.withdrawalAnchorMs,
        },
        active: acting,
        metrics,
        logger,
        onAnchored: () => this.relayerService?.kick(),
      });
      await this.anchors.start();
    }

    // Every validator takes part in elections (it grants leases); candidates also stand.
    if (config.consensus.enabled && !config.coordinator.enabled) {
      this.election = new CoordinatorElection({
        signer: o.validator.signer,
        router: o.network.direct,
        ask: async (peerId, kind, body, timeoutMs) => {
          const res = await o.network.network.request(
            peerId,
            'direct',
            { type: 'DIRECT', kind, body },
            { timeoutMs },
          );
          return res.type === 'DIRECT' ? res.body : undefined;
        },
        roster: () => roster.entries(),
        candidate: config.validator.coordinatorCandidate,
        priority: config.validator.coordinatorPriority,
        leaseMs: config.coordinator.leaseMs,
        snapshot: () => ({
          anchoredHeight: this.anchors?.lastAnchoredHeight ?? 0n,
          relayed: [...this.relayed.entries()].slice(-64),
        }),
        onSnapshot: (s) => {
          for (const [id, sig] of s.relayed) this.remember(id, sig);
        },
        onRole: (role) => this.publishRole(role),
        store: storage.meta,
        metrics,
        logger,
      });
      await this.election.start();
    }
    this.publishRole(this.role);
    const unregister = o.readiness.register('coordinator', () => ({
      ok: true,
      detail:
        this.role === 'none'
          ? 'not a coordinator candidate'
          : `${this.isActing() ? 'primary (acting)' : this.role}, term ${this.term}; anchored height ${this.anchors?.lastAnchoredHeight ?? 0n}`,
    }));
    this.cleanups.push(unregister);
    if (mayCoordinate)
      logger.info({ relayer: feePayer.address, role: this.role }, 'coordinator duties started');

    this.statusReader = new WithdrawalStatusReader({
      rpc,
      chain,
      programId,
      index,
      blocks,
      ranges,
      signatureOf: (id) => this.relayed.get(id),
    });
  }

  private remember(txId: string, signature: string): void {
    this.relayed.delete(txId);
    this.relayed.set(txId, signature);
    while (this.relayed.size > MAX_RELAYED) this.relayed.delete(this.relayed.keys().next().value!);
  }

  private publishRole(role: CoordinatorRole | 'none'): void {
    const gauge = nodeMetrics(this.options.registry).coordinatorRole;
    const shown = role === 'candidate' ? 'passive' : role;
    for (const r of ['primary', 'passive', 'none']) gauge.set({ role: r }, r === shown ? 1 : 0);
  }

  async stop(): Promise<void> {
    for (const c of this.cleanups.splice(0)) c();
    await this.election?.stop();
    await this.anchors?.stop();
    await this.relayerService?.stop();
    await this.slasher?.stop();
    await this.signing?.stop();
    this.election = undefined;
    this.anchors = undefined;
    this.relayerService = undefined;
    this.slasher = undefined;
    this.signing = undefined;
  }
}
