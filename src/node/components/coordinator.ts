import { createKeyPairSignerFromPrivateKeyBytes } from '@solana/kit';
import { AnchorSubmitter, TransactionSender, WithdrawSubmitter } from '../../bridge/index.js';
import type { Logger } from '../../common/index.js';
import type { NodeConfig } from '../../config/index.js';
import { EvidenceStore } from '../../consensus/index.js';
import {
  AnchoredRanges,
  AnchorService,
  AnchorSigningService,
  coordinatorMetrics,
  type FinalBlocks,
  Relayer,
  Slasher,
  WithdrawalIndex,
  WithdrawalStatusReader,
} from '../../coordinator/index.js';
import type { Readiness, Registry } from '../../health/index.js';
import { readKeypairFile, ValidatorChainReader, ValidatorRoster } from '../../validator/index.js';
import type { Component } from '../component.js';
import { NodeError } from '../errors.js';
import type { BridgeComponent } from './bridge.js';
import type { ConsensusComponent } from './consensus.js';
import type { NetworkComponent } from './network.js';
import type { StorageComponent } from './storage.js';
import type { ValidatorComponent } from './validator.js';

export interface CoordinatorComponentOptions {
  readonly config: NodeConfig;
  readonly storage: StorageComponent;
  readonly bridge: BridgeComponent;
  readonly network: NetworkComponent;
  readonly validator: ValidatorComponent;
  readonly consensus: ConsensusComponent;
  readonly registry: Registry;
  readonly readiness: Readiness;
  readonly logger: Logger;
}

/** A validator that is not the coordinator submits evidence only if nobody did within this long. */
const BACKUP_SLASH_DELAY_MS = 15_000;

/**
 * Settlement duties. Every validator indexes the withdrawals of final blocks, answers anchor signing
 * requests, reports withdrawal status and takes equivocation evidence to the program's slash
 * instruction (the coordinator at once, others as a backup). The node configured as coordinator
 * also anchors final blocks on Solana and relays the withdrawals that name it.
 */
export class CoordinatorComponent implements Component {
  readonly name = 'coordinator';
  readonly dependsOn = ['storage', 'bridge', 'network', 'validator', 'consensus'];
  private signing: AnchorSigningService | undefined;
  private anchors: AnchorService | undefined;
  private relayerService: Relayer | undefined;
  private slasher: Slasher | undefined;
  private statusReader: WithdrawalStatusReader | undefined;
  private feePayerAddress: string | undefined;
  private cleanups: (() => void)[] = [];

  constructor(private readonly options: CoordinatorComponentOptions) {}

  get withdrawals(): WithdrawalStatusReader {
    if (!this.statusReader) throw new NodeError('INVALID_STATE', 'coordinator is not started');
    return this.statusReader;
  }

  /** What this node offers as relayer: its fee payer and minimum fee; undefined when it does not relay. */
  get relayer(): { address: string; minFeeLamports: bigint } | undefined {
    if (!this.relayerService || !this.feePayerAddress) return undefined;
    return {
      address: this.feePayerAddress,
      minFeeLamports: this.options.config.coordinator.relayMinFeeLamports,
    };
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
      tipHeight: () => storage.blocks.tip()?.height ?? 0n,
      blockBytes: async (h) => (await storage.blocks.getByHeight(h))?.block,
    };
    const index = new WithdrawalIndex(blocks);
    await index.catchUp();
    const metrics = coordinatorMetrics(o.registry);
    const ranges = new AnchoredRanges(index);
    const rpc = o.bridge.rpc;
    const programId = o.bridge.programId;
    const keypair = await readKeypairFile(config.validator.keyFile);
    const feePayer = await createKeyPairSignerFromPrivateKeyBytes(keypair.secretKey.slice(0, 32));
    this.feePayerAddress = feePayer.address;
    const sender = new TransactionSender(rpc, { feePayer, logger });

    if (config.consensus.enabled) {
      this.signing = new AnchorSigningService({
        router: o.network.direct,
        signer: o.validator.signer,
        blocks,
        index,
        logger,
      });
      this.signing.start();
      const slasher = new Slasher({
        rpc,
        programId,
        cluster: config.solana.cluster,
        sender,
        reporter: feePayer,
        store: new EvidenceStore(storage.meta),
        delayMs: config.coordinator.enabled ? 0 : BACKUP_SLASH_DELAY_MS,
        metrics,
        logger,
      });
      this.cleanups.push(o.consensus.onEvidence((e) => slasher.report(e)));
      await slasher.start();
      this.slasher = slasher;
    }

    if (config.coordinator.enabled) {
      if (config.coordinator.relay) {
        this.relayerService = new Relayer({
          rpc,
          programId,
          submitter: new WithdrawSubmitter({ rpc, sender, programId, logger }),
          ranges,
          relayer: feePayer.address,
          minFee: config.coordinator.relayMinFeeLamports,
          metrics,
          logger,
        });
        this.relayerService.start();
      }
      const roster = new ValidatorRoster(new ValidatorChainReader(rpc, programId, config.solana.commitment), {
        logger,
      });
      this.anchors = new AnchorService({
        rpc,
        programId,
        network: o.network.network,
        submitter: new AnchorSubmitter({ rpc, sender, programId, submitter: feePayer, logger }),
        signer: o.validator.signer,
        blocks,
        index,
        roster: async () => {
          await roster.refresh();
          return roster.entries();
        },
        policy: {
          everyBlocks: config.coordinator.anchorEveryBlocks,
          everyMs: config.coordinator.anchorEveryMs,
          withdrawalDelayMs: config.coordinator.withdrawalAnchorMs,
        },
        metrics,
        logger,
        onAnchored: () => this.relayerService?.kick(),
      });
      this.anchors.start();
      const unregister = o.readiness.register('coordinator', () => ({
        ok: true,
        detail: `coordinator; anchored height ${this.anchors?.lastAnchoredHeight ?? 0n}`,
      }));
      this.cleanups.push(unregister);
      logger.info({ relayer: this.relayer?.address }, 'coordinator duties started');
    }

    const relayerService = this.relayerService;
    this.statusReader = new WithdrawalStatusReader({
      rpc,
      programId,
      index,
      blocks,
      ranges,
      signatureOf: (id) => relayerService?.settled.get(id),
    });
  }

  async stop(): Promise<void> {
    for (const c of this.cleanups.splice(0)) c();
    await this.anchors?.stop();
    await this.relayerService?.stop();
    await this.slasher?.stop();
    this.signing?.stop();
    this.anchors = undefined;
    this.relayerService = undefined;
    this.slasher = undefined;
    this.signing = undefined;
  }
}
