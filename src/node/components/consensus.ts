import { type Deposit, DepositListener, type ListenerCursor } from '../../bridge/index.js';
import type { Logger } from '../../common/index.js';
import { bytesEqual } from '../../common/index.js';
import type { NodeConfig } from '../../config/index.js';
import {
  type ConsensusApplication,
  ConsensusEngine,
  decodeCertificate,
  type Equivocation,
  type QuorumCertificate,
  signerAuthenticator,
  ValidatorSet,
} from '../../consensus/index.js';
import type { Readiness, Registry } from '../../health/index.js';
import type { LedgerApp } from '../../ledger/index.js';
import type { NetworkMessage, NetworkNode } from '../../network/index.js';
import type { NodeStorage } from '../../storage/index.js';
import { ValidatorChainReader, ValidatorRoster } from '../../validator/index.js';
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

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Blocks per block-sync answer: a block can be ~700 KB, the response cap is one message. */
const SYNC_BLOCKS_PER_RESPONSE = 1;

/**
 * PARALOOM_FAULT_EQUIVOCATE_HEIGHT: fault injection for the evidence-path tests (docs/operations.md);
 * makes this node follow its next five prevotes for a block, from that height on, with conflicting ones.
 */
function faultEquivocateHeight(): bigint | undefined {
  const raw = process.env.PARALOOM_FAULT_EQUIVOCATE_HEIGHT;
  return raw && /^\d+$/.test(raw) ? BigInt(raw) : undefined;
}

/** Serves final blocks with their certificates to peers that are catching up. */
async function serveBlockSync(storage: NodeStorage, req: NetworkMessage): Promise<NetworkMessage> {
  if (req.type !== 'BLOCK_SYNC_REQUEST') return { type: 'BLOCK_SYNC_RESPONSE', blocks: [] };
  const blocks = [];
  const last = req.fromHeight + BigInt(Math.min(req.maxBlocks, SYNC_BLOCKS_PER_RESPONSE));
  for (let h = req.fromHeight; h < last; h++) {
    const stored = await storage.blocks.getByHeight(h);
    const qc = stored ? await storage.blocks.getQc(h) : undefined;
    if (!stored || !qc) break;
    blocks.push({ height: h, hash: stored.hash, block: stored.block, qc });
  }
  return { type: 'BLOCK_SYNC_RESPONSE', blocks };
}

/**
 * Asks connected peers, one after another, for the final block at `height`. The engine checks the
 * certificate against the validator set and the ledger re-executes the block before it is applied,
 * so a peer can at worst waste a request.
 */
async function fetchFinalBlock(
  network: NetworkNode,
  height: bigint,
  logger: Logger,
): Promise<{ bytes: Uint8Array; certificate: QuorumCertificate } | undefined> {
  for (const peer of network.peers.list().filter((p) => p.state !== 'offline')) {
    try {
      const res = await network.request(
        peer.peerId,
        'block-sync',
        { type: 'BLOCK_SYNC_REQUEST', fromHeight: height, maxBlocks: 1 },
        { timeoutMs: 5_000 },
      );
      if (res.type !== 'BLOCK_SYNC_RESPONSE') continue;
      const b = res.blocks[0];
      if (b && b.height === height) return { bytes: b.block, certificate: decodeCertificate(b.qc) };
    } catch (err) {
      logger.debug({ err, peer: peer.peerId, height: height.toString() }, 'block-sync request failed');
    }
  }
  return undefined;
}

/**
 * Paces proposals: Tendermint starts the next height at once, which would make empty blocks as
 * fast as the disk syncs. Waiting `intervalMs` after a commit (well under the propose timeout)
 * keeps them few without costing a round.
 */
function paced(app: LedgerApp, intervalMs: number): ConsensusApplication {
  let lastCommit = 0;
  return {
    async buildProposal(height, round, previousHash) {
      const wait = lastCommit + intervalMs - Date.now();
      if (wait > 0) await sleep(wait);
      return app.buildProposal(height, round, previousHash);
    },
    validateProposal: (height, round, bytes) => app.validateProposal(height, round, bytes),
    async commit(height, bytes, certificate) {
      await app.commit(height, bytes, certificate);
      lastCommit = Date.now();
    },
  };
}

/**
 * L2 consensus on this node: the validator set read from the on-chain registry (active validators
 * and their stakes, once at start: every validator that starts after the same registrations builds
 * the same set), the BFT engine driving the ledger, and the deposit listener feeding the ledger
 * finalized deposits in queue order.
 *
 * The listener's cursor is kept in memory, starting at what the last stored block consumed: the
 * ledger holds delivered-but-unconsumed deposits only in memory, so after a restart they must be
 * delivered again (the ledger's queue skips what blocks already consumed).
 */
export class ConsensusComponent implements Component {
  readonly name = 'consensus';
  readonly dependsOn = ['ledger', 'validator', 'network', 'bridge', 'storage'];
  private engine: ConsensusEngine | undefined;
  private listener: DepositListener | undefined;
  private unregister: (() => void) | undefined;
  private status = 'not started';
  private readonly evidenceListeners = new Set<(e: Equivocation) => void>();

  constructor(private readonly options: ConsensusComponentOptions) {}

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
    const signer = o.validator.signer;
    const roster = new ValidatorRoster(
      new ValidatorChainReader(o.bridge.rpc, o.bridge.programId, config.solana.commitment),
      { logger },
    );
    const deadline = Date.now() + config.consensus.waitValidatorsMs;
    for (;;) {
      await roster.refresh();
      const entries = roster.entries();
      const registered = entries.some((e) => bytesEqual(e.publicKey, signer.publicKey));
      if (registered && entries.length >= config.consensus.minValidators) break;
      this.status = `waiting for validators: ${entries.length} of ${config.consensus.minValidators}, self ${registered ? '' : 'not '}registered`;
      if (Date.now() > deadline) {
        throw new NodeError('INVALID_STATE', `consensus cannot start: ${this.status}`, {
          minValidators: config.consensus.minValidators,
        });
      }
      await sleep(500);
    }
    // Leader weights are stake x the program's reputation: agreed by every validator (read from the
    // chain), and lowered by on-chain slashing. The local ReputationTracker's view of timeliness is
    // reported in metrics only; it is not agreed, so it cannot weigh leaders.
    const validators = new ValidatorSet(
      roster.entries().map((e) => ({
        publicKey: e.publicKey,
        stake: e.stake,
        reputation: Math.max(1, e.reputation),
      })),
    );
    const ledger = o.ledger.ledger;
    const tip = ledger.tip;
    const engine = new ConsensusEngine({
      network: o.network.network,
      auth: signerAuthenticator(signer),
      validators,
      application: paced(ledger, config.consensus.blockIntervalMs),
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
      catchUp: (height) => fetchFinalBlock(o.network.network, height, logger),
    });
    const storage = o.storage.storage;
    o.network.network.handle('block-sync', (req) => serveBlockSync(storage, req));
    let cursor: ListenerCursor = {
      consumed: tip.depositsConsumed,
      accumulator: tip.depositAccumulator,
      slot: 0n,
    };
    const listener = new DepositListener({
      rpc: o.bridge.rpc,
      programId: o.bridge.programId,
      cursor: {
        get: () => cursor,
        set: async (c) => {
          cursor = c;
        },
      },
      onDeposits: async (deposits: readonly Deposit[]) => {
        ledger.addDeposits(deposits.map((d) => ({ ...d })));
      },
      pollMs: 500,
      logger,
    });
    await listener.start();
    this.listener = listener;
    await engine.start();
    this.engine = engine;
    logger.info(
      { validators: validators.members.length, height: engine.height.toString() },
      'consensus started',
    );
  }

  async stop(): Promise<void> {
    this.unregister?.();
    await this.engine?.stop();
    this.engine = undefined;
    await this.listener?.stop();
    this.listener = undefined;
  }
}
