import type { Logger } from '../common/index.js';
import type { LedgerExtension } from '../ledger/index.js';
import { type ScheduledSet, ValidatorSetHistory } from './epochs.js';
import { ConsensusError } from './errors.js';
import type { KeyValue } from './kv.js';
import type { ValidatorInfo } from './validator-set.js';
import { type ValidatorRegistry, ValidatorSetExtension } from './validator-set-extension.js';

export interface AgreedValidatorSetsOptions {
  /** Where the history of applied sets is kept (the node's meta store). */
  readonly store: KeyValue;
  readonly epochBlocks: number;
  readonly registry: ValidatorRegistry;
  readonly logger: Logger;
}

/**
 * The validator sets this node agreed through blocks: the genesis set, and the registry's set
 * scheduled at every epoch boundary (src/consensus/epochs.ts). The ledger applies them through the
 * extension; the engine starts from `startAt` and is told each newly scheduled set.
 */
export class AgreedValidatorSets {
  private history: ValidatorSetHistory | undefined;
  private genesis: readonly ValidatorInfo[] | undefined;
  private readonly scheduledListeners = new Set<(set: ScheduledSet) => void>();

  constructor(private readonly o: AgreedValidatorSetsOptions) {}

  /** The ledger extension carrying the sets (made when the ledger starts, before consensus). */
  async extension(): Promise<LedgerExtension> {
    const history = new ValidatorSetHistory(this.o.store);
    await history.load();
    this.history = history;
    return new ValidatorSetExtension({
      history,
      epochBlocks: this.o.epochBlocks,
      roster: this.o.registry,
      genesis: () => this.genesis,
      onScheduled: (set) => {
        for (const l of this.scheduledListeners) l(set);
      },
      logger: this.o.logger,
    });
  }

  /** The set deciding `height`, for heights this node knows. */
  at(height: bigint): readonly ValidatorInfo[] | undefined {
    return this.history?.at(height)?.validators;
  }

  /**
   * The set deciding `height`, the first one this node's consensus runs, and the sets stored blocks
   * already scheduled after it. When no stored block carried a set yet, `discoverGenesis` finds one.
   */
  async startAt(
    height: bigint,
    discoverGenesis: () => Promise<ValidatorInfo[]>,
  ): Promise<{ current: readonly ValidatorInfo[]; scheduled: readonly ScheduledSet[] }> {
    const history = this.history;
    if (!history) {
      throw new ConsensusError('ENGINE_STATE', 'the ledger started without the validator-set extension');
    }
    let current = history.at(height)?.validators;
    if (current) this.genesis = history.at(1n)?.validators;
    else current = this.genesis = await discoverGenesis();
    return { current, scheduled: history.after(height) };
  }

  /** Called with every set a newly applied block schedules. */
  onScheduled(listener: (set: ScheduledSet) => void): () => void {
    this.scheduledListeners.add(listener);
    return () => this.scheduledListeners.delete(listener);
  }
}
