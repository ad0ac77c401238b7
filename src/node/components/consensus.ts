import { getAddressDecoder } from '@solana/kit';
import { type Deposit, DepositListener, type ListenerCursor } from '../../bridge/index.js';
import type { Logger } from '../../common/index.js';
import { bytesEqual } from '../../common/index.js';
import type { NodeConfig } from '../../config/index.js';
import {
  type ConsensusApplication,
  ConsensusEngine,
  DEFAULT_TIMEOUTS,
  decodeCertificate,
  decodeValidatorSet,
  type Equivocation,
  type QuorumCertificate,
  signerAuthenticator,
  type ValidatorInfo,
  ValidatorSet,
  ValidatorSetHistory,
  verifyCertificate,
} from '../../consensus/index.js';
import type { Readiness, Registry } from '../../health/index.js';
import {
  blockHash,
  decodeBlock,
  type LedgerApp,
  type LedgerExtension,
  sectionEntries,
} from '../../ledger/index.js';
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
import {
  registryValidators,
  VALIDATOR_SET_SECTION,
  ValidatorSetExtension,
} from './validator-set-extension.js';

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
/** Blocks per block-sync answer: a block can be ~1 MB, the response cap is one message. */
const SYNC_BLOCKS_PER_RESPONSE = 1;
/**
 * How long a node with an empty ledger waits for a peer's block 1 before it reads the genesis set
 * from the registry, when the chain shows no anchored L2 block (a cohort starting). Once
 * the chain has an anchor, a cohort is running and block 1 must come from a peer: it waits for one
 * until `consensus.wait_validators_ms`.
 */
const GENESIS_NO_PEERS_MS = 3_000;

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
 * The genesis set of a running cohort, for a node starting with an empty ledger: block 1 carries
 * it, and its certificate must be a quorum of that very set whose members all hold a
 * ValidatorAccount on chain (registered, maybe unbonded since). The chain's registry of today is
 * not the genesis set once anyone joined or left. Undefined when every peer that answered has no
 * block 1 (a cohort starting together) or none answered in time.
 */
async function genesisFromPeers(
  o: ConsensusComponentOptions,
  isRegistered: (key: Uint8Array) => Promise<boolean>,
  cohortRunning: boolean,
): Promise<ValidatorInfo[] | undefined> {
  const network = o.network.network;
  const auth = signerAuthenticator(o.validator.signer);
  const started = Date.now();
  let everAnswered = false;
  for (;;) {
    const peers = network.peers.list().filter((p) => p.state !== 'offline');
    const waited = Date.now() - started;
    if (waited > o.config.consensus.waitValidatorsMs) {
      throw new NodeError('INVALID_STATE', 'no peer served block 1 of the running cohort', {
        waitedMs: waited,
      });
    }
    // Registered peers are listed (pinned) before they run: only an answer shows a peer is up.
    if (!cohortRunning && !everAnswered && waited > GENESIS_NO_PEERS_MS) return undefined;
    let answered = 0;
    for (const peer of peers) {
      let res: NetworkMessage;
      try {
        res = await network.request(
          peer.peerId,
          'block-sync',
          { type: 'BLOCK_SYNC_REQUEST', fromHeight: 1n, maxBlocks: 1 },
          { timeoutMs: 3_000 },
        );
      } catch (err) {
        o.logger.debug({ err, peer: peer.peerId }, 'genesis request failed');
        continue;
      }
      if (res.type !== 'BLOCK_SYNC_RESPONSE') continue;
      answered++;
      everAnswered = true;
      const b = res.blocks[0];
      if (!b || b.height !== 1n) continue;
      try {
        const block = decodeBlock(b.block);
        const entry = sectionEntries(block.sections, VALIDATOR_SET_SECTION)[0];
        if (!entry) throw new NodeError('INVALID_STATE', 'block 1 carries no validator set');
        const set = decodeValidatorSet(entry);
        verifyCertificate(decodeCertificate(b.qc), new ValidatorSet(set), auth, {
          height: 1n,
          blockHash: blockHash(block.header),
        });
        for (const v of set) {
          if (!(await isRegistered(v.publicKey))) {
            throw new NodeError('INVALID_STATE', 'a genesis validator has no account on chain');
          }
        }
        o.logger.info({ peer: peer.peerId, validators: set.length }, 'genesis validator set from block 1');
        return set;
      } catch (err) {
        o.logger.warn(
          { err, peer: peer.peerId },
          'a peer served a block 1 that does not prove its genesis set',
        );
      }
    }
    // Every peer that is up is as new as this node: the cohort is starting together.
    if (!cohortRunning && answered > 0 && answered === peers.length) return undefined;
    if (!cohortRunning && everAnswered && waited > GENESIS_NO_PEERS_MS) return undefined;
    await sleep(250);
  }
}

/** Whether the program has anchored an L2 block: then a cohort is running, with a block 1. */
async function cohortHasAnchored(o: ConsensusComponentOptions): Promise<boolean> {
  return ((await o.bridge.chain.refresh()).state?.anchorCount ?? 0n) > 0n;
}

/**
 * Paces proposals: Tendermint starts the next height at once, which would make empty blocks as
 * fast as the disk syncs. The leader of a first round proposes `intervalMs` after the last commit
 * when there is something to include, and waits for work up to `idleMs` (under the propose
 * timeout, so no round is lost) before it proposes an empty block; later rounds propose at once.
 */
function paced(app: LedgerApp, intervalMs: number, idleMs: number): ConsensusApplication {
  // When the last commit started: the decision, give or take, which is when every validator's
  // propose timeout for the next height started. A slow commit must not push the proposal later.
  let lastCommit = 0;
  return {
    async buildProposal(height, round, previousHash) {
      const wait = lastCommit + intervalMs - Date.now();
      if (round === 0 && wait > 0) await sleep(wait);
      const idle = lastCommit + idleMs - Date.now();
      if (round === 0) await app.waitForWork(idle);
      return app.buildProposal(height, round, previousHash);
    },
    validateProposal: (height, round, bytes) => app.validateProposal(height, round, bytes),
    async commit(height, bytes, certificate) {
      lastCommit = Date.now();
      await app.commit(height, bytes, certificate);
    },
  };
}

/**
 * L2 consensus on this node: the BFT engine driving the ledger over the validator set agreed through
 * blocks (src/consensus/epochs.ts: genesis set in block 1, the registry's set every epoch), and the
 * deposit listener feeding the ledger finalized deposits in queue order. The genesis set is the
 * registry's active validators when the cohort starts together, or block 1's when a node joins a
 * running cohort with an empty ledger.
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
    // Served before this node picks its genesis set: peers starting with it ask each other for block 1.
    const storage = o.storage.storage;
    o.network.network.handle('block-sync', (req) => serveBlockSync(storage, req));
    const signer = o.validator.signer;
    const ledger = o.ledger.ledger;
    const history = this.history;
    if (!history)
      throw new NodeError('INVALID_STATE', 'the ledger started without the validator-set extension');
    const start = ledger.tip.height + 1n;
    const reader = new ValidatorChainReader(o.bridge.rpc, o.bridge.programId, config.solana.commitment);
    let current = history.at(start)?.validators;
    if (!current) {
      // An empty ledger: join a running cohort from its block 1, or found one from the registry.
      const decoder = getAddressDecoder();
      current =
        ledger.tip.height === 0n
          ? await genesisFromPeers(
              o,
              async (key) => (await reader.account(decoder.decode(key))) !== undefined,
              await cohortHasAnchored(o),
            )
          : undefined;
      if (current) this.genesis = current;
      else current = this.genesis = await this.registryGenesis(reader);
    } else {
      this.genesis = history.at(1n)?.validators;
    }
    const validators = new ValidatorSet(current);
    const tip = ledger.tip;
    const engine = new ConsensusEngine({
      network: o.network.network,
      auth: signerAuthenticator(signer),
      validators,
      application: paced(ledger, config.consensus.blockIntervalMs, config.consensus.idleBlockMs),
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
      catchUp: (height) => fetchFinalBlock(o.network.network, height, logger),
    });
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
    // A set the last stored block scheduled for the height after this one.
    for (const next of history.after(start)) engine.setNextValidators(new ValidatorSet(next.validators));
    await engine.start();
    this.engine = engine;
    logger.info(
      { validators: validators.members.length, height: engine.height.toString() },
      'consensus started',
    );
  }

  /** The registry's active validators once this node is among them and there are enough. */
  private async registryGenesis(reader: ValidatorChainReader): Promise<ValidatorInfo[]> {
    const o = this.options;
    const { config } = o;
    const signer = o.validator.signer;
    const roster = new ValidatorRoster(reader, { logger: o.logger });
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
    // Leader weights are stake x the program's reputation: agreed (read from the chain, carried in
    // blocks) and lowered by on-chain slashing. The local ReputationTracker's view of timeliness is
    // reported in metrics only; it is not agreed, so it cannot weigh leaders.
    return registryValidators(roster);
  }

  async stop(): Promise<void> {
    this.unregister?.();
    await this.engine?.stop();
    this.engine = undefined;
    await this.listener?.stop();
    this.listener = undefined;
  }
}
