import { bytesToHex, type Logger } from '../common/index.js';
import { AgreedValidatorSets, type AgreedValidatorSetsOptions } from './agreed-sets.js';
import { signerAuthenticator } from './auth.js';
import { ConsensusEngine, type ConsensusEngineOptions } from './engine.js';
import { ConsensusError } from './errors.js';
import type { Equivocation } from './evidence.js';
import type { KeyValue } from './kv.js';
import { pacedApplication, type WorkAwareApplication } from './pacing.js';
import { DEFAULT_TIMEOUTS } from './timeouts.js';
import type { VoteAuthenticator } from './types.js';
import { type ValidatorInfo, ValidatorSet } from './validator-set.js';

/** A long-lived part this service starts and stops with the engine. */
interface Lifecycle {
  start(): Promise<void>;
  stop(): Promise<void>;
}

interface LedgerTipLike {
  readonly height: bigint;
  readonly hash: Uint8Array;
}

export interface ConsensusServiceOptions<Tip extends LedgerTipLike> {
  /** `consensus.enabled`; when false, start() only reports it. */
  readonly enabled: boolean;
  readonly network: ConsensusEngineOptions['network'];
  readonly signer: Parameters<typeof signerAuthenticator>[0];
  /** The chain registry's active validators (the node's roster): the sets scheduled at epochs. */
  readonly registry: AgreedValidatorSetsOptions['registry'];
  readonly store: KeyValue;
  readonly epochBlocks: number;
  readonly blockIntervalMs: number;
  readonly idleBlockMs: number;
  /** The application the engine drives (the ledger), its tip where the engine starts. */
  readonly ledger: () => WorkAwareApplication & { readonly tip: Tip };
  /** Serves final blocks to peers; runs before the genesis set is picked (peers starting together ask each other for block 1). */
  readonly syncServer: Lifecycle;
  /** The genesis validator set of a node without one stored; `onStatus` reports the wait. */
  readonly discoverGenesis: (
    auth: VoteAuthenticator,
    emptyLedger: boolean,
    onStatus: (status: string) => void,
  ) => Promise<ValidatorInfo[]>;
  readonly catchUp: ConsensusEngineOptions['catchUp'];
  /** Fed from the ledger's tip; started once the engine is built, before it runs. */
  readonly deposits: (tip: Tip) => Lifecycle;
  /** Fault injection for the evidence-path tests only (ConsensusEngineOptions.equivocateFromHeight). */
  readonly equivocateFromHeight?: bigint;
  readonly metricsRegistry?: ConsensusEngineOptions['registry'];
  readonly logger: Logger;
}

/**
 * L2 consensus on a node: the BFT engine driving the ledger over the validator sets agreed through
 * blocks, with block sync serving and catching up, genesis discovery, and the deposit feed; and the
 * fan-out of equivocation evidence to whoever takes it to the program.
 */
export class ConsensusService<Tip extends LedgerTipLike> {
  private engine: ConsensusEngine | undefined;
  private deposits: Lifecycle | undefined;
  private syncing = false;
  private status = 'not started';
  private readonly evidenceListeners = new Set<(e: Equivocation) => void>();
  private sets: AgreedValidatorSets | undefined;

  constructor(private readonly o: ConsensusServiceOptions<Tip>) {}

  /** The ledger extension carrying validator sets (made when the ledger starts, before consensus). */
  validatorSetExtension() {
    const o = this.o;
    this.sets = new AgreedValidatorSets({
      store: o.store,
      epochBlocks: o.epochBlocks,
      registry: o.registry,
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

  /** Ready once the engine runs and has not failed; the detail says where it is or what it waits for. */
  readiness(): { ok: boolean; detail: string } {
    const engine = this.engine;
    return {
      ok: engine !== undefined && !engine.failed,
      detail: engine ? `height ${engine.height} round ${engine.round}` : this.status,
    };
  }

  async start(): Promise<void> {
    const o = this.o;
    if (!o.enabled) {
      this.status = 'disabled in config';
      return;
    }
    await o.syncServer.start();
    this.syncing = true;
    const sets = this.sets;
    if (!sets) throw new ConsensusError('ENGINE_STATE', 'the ledger started without consensus');
    const ledger = o.ledger();
    const auth = signerAuthenticator(o.signer);
    const tip = ledger.tip;
    const { current, scheduled } = await sets.startAt(tip.height + 1n, () =>
      o.discoverGenesis(auth, tip.height === 0n, (status) => {
        this.status = status;
      }),
    );
    const validators = new ValidatorSet(current);
    const { logger } = o;
    const engine = new ConsensusEngine({
      network: o.network,
      auth,
      validators,
      application: pacedApplication(ledger, { intervalMs: o.blockIntervalMs, idleMs: o.idleBlockMs }),
      timeouts: { ...DEFAULT_TIMEOUTS, commitPauseMs: Math.max(o.blockIntervalMs, o.idleBlockMs) },
      height: tip.height + 1n,
      previousHash: tip.hash,
      store: o.store,
      ...(o.metricsRegistry ? { registry: o.metricsRegistry } : {}),
      logger,
      // The hash makes 'block final' lines comparable across validators and restarts (fault checks).
      onDecided: (d) =>
        logger.info(
          {
            height: d.height.toString(),
            round: d.round,
            hash: bytesToHex(d.blockHash),
            commitMs: Math.round(d.commitMs ?? 0),
          },
          'block final',
        ),
      onEvidence: (e) => {
        for (const l of this.evidenceListeners) l(e);
      },
      ...(o.equivocateFromHeight !== undefined ? { equivocateFromHeight: o.equivocateFromHeight } : {}),
      ...(o.catchUp ? { catchUp: o.catchUp } : {}),
    });
    this.deposits = o.deposits(tip);
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

  async stop(): Promise<void> {
    await this.engine?.stop();
    this.engine = undefined;
    await this.deposits?.stop();
    this.deposits = undefined;
    if (this.syncing) await this.o.syncServer.stop();
    this.syncing = false;
  }
}
