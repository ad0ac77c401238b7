import { createKeyPairSignerFromPrivateKeyBytes } from '@solana/kit';
import {
  AnchorSubmitter,
  type BridgeRpc,
  type ChainView,
  TransactionSender,
  WithdrawSubmitter,
} from '../bridge/index.js';
import type { Logger } from '../common/index.js';
import { type Equivocation, EvidenceStore, type KeyValue } from '../consensus/index.js';
import type { FinalBlock } from '../ledger/index.js';
import type { NetworkNode } from '../network/index.js';
import type { Field } from '../privacy/index.js';
import type { ValidatorRoster } from '../validator/index.js';
import { AnchorService, type AnchorServiceOptions } from './anchor-service.js';
import { AnchorSigningService } from './anchor-signing.js';
import { ApprovalCloser } from './approval-closer.js';
import { AnchoredRanges } from './approvals.js';
import { CoordinatorElection, type CoordinatorRole, type ElectionOptions } from './election.js';
import { CoordinatorError } from './errors.js';
import { coordinatorMetrics } from './metrics.js';
import { Relayer } from './relayer.js';
import { Slasher, type SlasherOptions } from './slasher.js';
import { type FinalBlocks, WithdrawalIndex } from './withdrawal-index.js';
import { WithdrawalStatusReader } from './withdrawal-status.js';

/** A validator that is not the coordinator submits evidence only if nobody did within this long. */
const BACKUP_SLASH_DELAY_MS = 15_000;
/** Settlement signatures kept for withdrawal status (and replicated to passives). */
const MAX_RELAYED = 256;

export interface SettlementDutiesOptions {
  readonly rpc: BridgeRpc;
  readonly chain: ChainView;
  readonly programId: SlasherOptions['programId'];
  readonly cluster: SlasherOptions['cluster'];
  readonly network: Pick<NetworkNode, 'request'>;
  readonly router: ElectionOptions['router'];
  readonly signer: ElectionOptions['signer'];
  /** The validator key's 32-byte seed: the fee payer of every settlement transaction. */
  readonly feePayerSeed: Uint8Array;
  readonly roster: Pick<ValidatorRoster, 'entries'>;
  /** The node's block store (written, not staged: a block being committed is not readable yet). */
  readonly blockStore: {
    writtenTipHeight(): bigint | undefined;
    getByHeight(height: bigint): Promise<{ readonly block: Uint8Array } | undefined>;
    /** Stored blocks from a height on (the first one held: a node that joined by snapshot has none below). */
    range?(from: bigint, limit: number): Promise<readonly { readonly height: bigint }[]>;
  };
  readonly onFinal: (listener: (final: FinalBlock) => void) => () => void;
  /** The L2's committed spent set (withdrawal status tells a refunded withdrawal by its refund tag). */
  readonly isSpent: (fields: readonly Field[]) => Promise<boolean[]>;
  readonly onEvidence: (listener: (e: Equivocation) => void) => () => void;
  readonly store: KeyValue;
  readonly registry: Parameters<typeof coordinatorMetrics>[0];
  /** Told every role change, as `paraloom_coordinator_role{role}` shows it (a candidate is passive). */
  readonly onRole: (shown: 'primary' | 'passive' | 'none') => void;
  /** Consensus runs: anchor signing, slashing and elections take part. */
  readonly consensus: boolean;
  /** `coordinator.enabled`: this node is the fixed coordinator, no election. */
  readonly fixed: boolean;
  readonly candidate: boolean;
  readonly priority: number;
  readonly leaseMs: number;
  /** Settle the withdrawals that name this node's key as relayer (whatever its coordinator role). */
  readonly relay: boolean;
  readonly anchorPolicy: AnchorServiceOptions['policy'];
  readonly logger: Logger;
}

/**
 * Settlement duties. Every validator indexes the withdrawals of final blocks, answers anchor signing
 * requests, reports withdrawal status and takes equivocation evidence to the program's slash
 * instruction (the coordinator at once, others as a backup) and, when it relays, settles the
 * withdrawals that name it. The coordinator (elected by leases among candidates, or fixed) also anchors
 * final blocks on Solana, and only while it holds its lease.
 */
export class SettlementDuties {
  private signing: AnchorSigningService | undefined;
  private anchors: AnchorService | undefined;
  private relayerService: Relayer | undefined;
  private slasher: Slasher | undefined;
  private approvalCloser: ApprovalCloser | undefined;
  private election: CoordinatorElection | undefined;
  private statusReader: WithdrawalStatusReader | undefined;
  private feePayerAddress: string | undefined;
  private cleanups: (() => void)[] = [];
  /** L2 transaction id -> settling Solana signature: ours, and the primary's replicated ones. */
  private readonly relayed = new Map<string, string>();

  constructor(private readonly o: SettlementDutiesOptions) {}

  get withdrawals(): WithdrawalStatusReader {
    if (!this.statusReader) throw new CoordinatorError('INVALID_STATE', 'coordinator is not started');
    return this.statusReader;
  }

  /** This node's relayer address when it relays; its fee floors are on chain (ChainView.relayers). */
  get relayer(): { address: string } | undefined {
    if (!this.feePayerAddress || !this.o.relay) return undefined;
    return { address: this.feePayerAddress };
  }

  /** primary (acting), candidate, passive; 'none' when this node neither stands nor is fixed. */
  get role(): CoordinatorRole | 'none' {
    if (this.o.fixed) return 'primary';
    return this.election?.role ?? 'none';
  }

  get term(): bigint {
    return this.election?.term ?? 0n;
  }

  /** Whether this node may act as coordinator right now. */
  isActing(): boolean {
    return this.o.fixed || (this.election?.isPrimary() ?? false);
  }

  /** Last L2 height this node saw anchored (coordinator only). */
  get anchoredHeight(): bigint | undefined {
    return this.anchors?.lastAnchoredHeight;
  }

  describe(): string {
    return this.role === 'none'
      ? 'not a coordinator candidate'
      : `${this.isActing() ? 'primary (acting)' : this.role}, term ${this.term}; anchored height ${this.anchors?.lastAnchoredHeight ?? 0n}`;
  }

  async start(): Promise<void> {
    const o = this.o;
    const { rpc, chain, programId, roster, logger } = o;
    const blocks: FinalBlocks = {
      tipHeight: () => o.blockStore.writtenTipHeight() ?? 0n,
      blockBytes: async (h) => (await o.blockStore.getByHeight(h))?.block,
      firstHeight: async () =>
        o.blockStore.range ? (await o.blockStore.range(1n, 1))[0]?.height : undefined,
    };
    const index = new WithdrawalIndex(blocks, logger);
    // Subscribed before the start-up pass, so no block falls between the two.
    this.cleanups.push(o.onFinal((final) => index.follow(final)));
    await index.catchUp();
    const metrics = coordinatorMetrics(o.registry);
    const ranges = new AnchoredRanges(index, { store: o.store, logger, metrics });
    const feePayer = await createKeyPairSignerFromPrivateKeyBytes(o.feePayerSeed);
    this.feePayerAddress = feePayer.address;
    const sender = new TransactionSender(rpc, { feePayer, logger });
    const acting = () => this.isActing();

    if (o.consensus) {
      this.signing = new AnchorSigningService({ router: o.router, signer: o.signer, blocks, index, logger });
      await this.signing.start();
      const slasher = new Slasher({
        rpc,
        programId,
        cluster: o.cluster,
        sender,
        reporter: feePayer,
        store: new EvidenceStore(o.store),
        delayMs: () => (acting() ? 0 : BACKUP_SLASH_DELAY_MS),
        metrics,
        logger,
      });
      this.cleanups.push(o.onEvidence((e) => slasher.report(e)));
      await slasher.start();
      this.slasher = slasher;
    }

    // Every relaying validator settles the withdrawals naming it, whatever its role: L2 admission only
    // lets a withdrawal name an active validator at or above its on-chain floor, so each named relayer
    // is paid its cost, and one that never settles leaves its withdrawals to expire into refunds.
    if (o.relay) {
      const relayer = new Relayer({
        chain,
        submitter: new WithdrawSubmitter({ rpc, sender, programId, logger }),
        ranges,
        relayers: () => new Set([feePayer.address]),
        metrics,
        logger,
        onSettled: (txId, signature) => this.remember(txId, signature),
      });
      await relayer.start();
      this.relayerService = relayer;
      // A new anchor (or any change of the state) may approve withdrawals: sweep now.
      this.cleanups.push(chain.on('state', () => relayer.kick()));
    }

    const mayCoordinate = o.fixed || o.candidate;
    if (mayCoordinate) {
      this.anchors = new AnchorService({
        chain,
        network: o.network,
        submitter: new AnchorSubmitter({ rpc, sender, programId, submitter: feePayer, logger }),
        signer: o.signer,
        blocks,
        index,
        // The tick refreshed the chain view right before planning; the roster follows its events.
        roster: async () => roster.entries(),
        policy: o.anchorPolicy,
        active: acting,
        metrics,
        logger,
        onAnchored: () => this.relayerService?.kick(),
      });
      await this.anchors.start();
      // Anchors this node submitted paid for Approval accounts: their rent comes back once they expire.
      this.approvalCloser = new ApprovalCloser({ rpc, sender, programId, metrics, logger });
      await this.approvalCloser.start();
    }

    // Every validator takes part in elections (it grants leases); candidates also stand.
    if (o.consensus && !o.fixed) {
      this.election = new CoordinatorElection({
        signer: o.signer,
        router: o.router,
        ask: async (peerId, kind, body, timeoutMs) => {
          const res = await o.network.request(
            peerId,
            'direct',
            { type: 'DIRECT', kind, body },
            { timeoutMs },
          );
          return res.type === 'DIRECT' ? res.body : undefined;
        },
        roster: () => roster.entries(),
        candidate: o.candidate,
        priority: o.priority,
        leaseMs: o.leaseMs,
        snapshot: () => ({
          anchoredHeight: this.anchors?.lastAnchoredHeight ?? 0n,
          relayed: [...this.relayed.entries()].slice(-64),
        }),
        onSnapshot: (s) => {
          for (const [id, sig] of s.relayed) this.remember(id, sig);
        },
        onRole: (role) => this.publishRole(role),
        store: o.store,
        metrics,
        logger,
      });
      await this.election.start();
    }
    this.publishRole(this.role);
    logger.info(
      { relayer: o.relay ? feePayer.address : null, role: this.role },
      mayCoordinate ? 'coordinator duties started' : 'settlement duties started',
    );

    this.statusReader = new WithdrawalStatusReader({
      rpc,
      chain,
      programId,
      index,
      blocks,
      ranges,
      signatureOf: (id) => this.relayed.get(id),
      isSpent: o.isSpent,
    });
  }

  private remember(txId: string, signature: string): void {
    this.relayed.delete(txId);
    this.relayed.set(txId, signature);
    while (this.relayed.size > MAX_RELAYED) this.relayed.delete(this.relayed.keys().next().value!);
  }

  private publishRole(role: CoordinatorRole | 'none'): void {
    this.o.onRole(role === 'candidate' ? 'passive' : role);
  }

  async stop(): Promise<void> {
    for (const c of this.cleanups.splice(0)) c();
    await this.election?.stop();
    await this.anchors?.stop();
    await this.approvalCloser?.stop();
    await this.relayerService?.stop();
    await this.slasher?.stop();
    await this.signing?.stop();
    this.election = undefined;
    this.anchors = undefined;
    this.approvalCloser = undefined;
    this.relayerService = undefined;
    this.slasher = undefined;
    this.signing = undefined;
  }
}
