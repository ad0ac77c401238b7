import { bytesEqual, type Logger } from '../common/index.js';
import {
  decodeCertificate,
  decodeValidatorSet,
  registryValidators,
  VALIDATOR_SET_SECTION,
  type ValidatorInfo,
  type ValidatorRegistry,
  ValidatorSet,
  type VoteAuthenticator,
  verifyCertificate,
} from '../consensus/index.js';
import { blockHash, decodeBlock, sectionEntries } from '../ledger/index.js';
import type { NetworkMessage, NetworkNode, SyncedBlock } from '../network/index.js';
import { SyncError } from './errors.js';

/**
 * How long a node with an empty ledger waits for a peer's block 1 before it reads the genesis set
 * from the registry, when the chain shows no anchored L2 block (a cohort starting). Once the chain
 * has an anchor, a cohort is running and block 1 must come from a peer: it waits for one until
 * `waitValidatorsMs`.
 */
export const GENESIS_NO_PEERS_MS = 3_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface GenesisDiscoveryOptions {
  readonly network: Pick<NetworkNode, 'peers' | 'request'>;
  /** Checks the votes of block 1's certificate. */
  readonly auth: VoteAuthenticator;
  /** This node's validator key: the registry genesis waits until it is listed. */
  readonly self: Uint8Array;
  /** The chain's registry of active validators (the node's one roster). */
  readonly registry: ValidatorRegistry;
  /** Whether a key holds a ValidatorAccount on chain (registered, maybe unbonded since). */
  readonly isRegistered: (publicKey: Uint8Array) => Promise<boolean>;
  /** How many L2 blocks the program has anchored: any means a cohort is running. */
  readonly anchorCount: () => Promise<bigint>;
  readonly minValidators: number;
  readonly waitValidatorsMs: number;
  /** What the discovery waits for, for readiness. */
  readonly onStatus?: (status: string) => void;
  readonly logger: Logger;
}

/**
 * The genesis validator set for a node whose ledger holds no validator set yet: block 1 of a
 * running cohort, proven by its certificate, or, when the cohort is starting together, the
 * registry's active validators once this node is among them and there are enough.
 */
export class GenesisDiscovery {
  private proven: SyncedBlock | undefined;

  constructor(private readonly o: GenesisDiscoveryOptions) {}

  /** The block 1 `fromPeers` proved, if it did (a snapshot-joined node keeps it to serve it). */
  get provenBlock1(): SyncedBlock | undefined {
    return this.proven;
  }

  /** `emptyLedger`: no block stored at all, so a running cohort's block 1 is worth asking for. */
  async discover(emptyLedger: boolean): Promise<ValidatorInfo[]> {
    const fromPeers = emptyLedger ? await this.fromPeers((await this.o.anchorCount()) > 0n) : undefined;
    return fromPeers ?? (await this.fromRegistry());
  }

  /**
   * Block 1 carries the genesis set, and its certificate must be a quorum of that very set whose
   * members all hold a ValidatorAccount on chain. The chain's registry of today is not the genesis
   * set once anyone joined or left. Undefined when every peer that answered has no block 1 (a
   * cohort starting together) or none answered in time.
   */
  async fromPeers(cohortRunning: boolean): Promise<ValidatorInfo[] | undefined> {
    const { network, logger } = this.o;
    const started = Date.now();
    let everAnswered = false;
    for (;;) {
      const peers = network.peers.list().filter((p) => p.state !== 'offline');
      const waited = Date.now() - started;
      if (waited > this.o.waitValidatorsMs) {
        throw new SyncError('GENESIS_UNAVAILABLE', 'no peer served block 1 of the running cohort', {
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
          logger.debug({ err, peer: peer.peerId }, 'genesis request failed');
          continue;
        }
        if (res.type !== 'BLOCK_SYNC_RESPONSE') continue;
        answered++;
        everAnswered = true;
        const b = res.blocks[0];
        if (b?.height !== 1n) continue;
        try {
          const set = await this.provenGenesis(b);
          this.proven = b;
          logger.info({ peer: peer.peerId, validators: set.length }, 'genesis validator set from block 1');
          return set;
        } catch (err) {
          logger.warn(
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

  /** The set block 1 carries, if its certificate is a quorum of it and every member is on chain. */
  async provenGenesis(synced: SyncedBlock): Promise<ValidatorInfo[]> {
    const block = decodeBlock(synced.block);
    const entry = sectionEntries(block.sections, VALIDATOR_SET_SECTION)[0];
    if (!entry) throw new SyncError('GENESIS_INVALID', 'block 1 carries no validator set');
    const set = decodeValidatorSet(entry);
    verifyCertificate(decodeCertificate(synced.qc), new ValidatorSet(set), this.o.auth, {
      height: 1n,
      blockHash: blockHash(block.header),
    });
    for (const v of set) {
      if (!(await this.o.isRegistered(v.publicKey))) {
        throw new SyncError('GENESIS_INVALID', 'a genesis validator has no account on chain');
      }
    }
    return set;
  }

  /** The registry's active validators once this node is among them and there are enough. */
  async fromRegistry(): Promise<ValidatorInfo[]> {
    const { registry, minValidators } = this.o;
    const deadline = Date.now() + this.o.waitValidatorsMs;
    for (;;) {
      await registry.refresh();
      const entries = registry.entries();
      const registered = entries.some((e) => bytesEqual(e.publicKey, this.o.self));
      if (registered && entries.length >= minValidators) break;
      const status = `waiting for validators: ${entries.length} of ${minValidators}, self ${registered ? '' : 'not '}registered`;
      this.o.onStatus?.(status);
      if (Date.now() > deadline) {
        throw new SyncError('VALIDATORS_MISSING', `consensus cannot start: ${status}`, { minValidators });
      }
      await sleep(500);
    }
    // Leader weights are stake x the program's reputation: agreed (read from the chain, carried in
    // blocks) and lowered by on-chain slashing. The local ReputationTracker's view of timeliness is
    // reported in metrics only; it is not agreed, so it cannot weigh leaders.
    return registryValidators(registry);
  }
}
