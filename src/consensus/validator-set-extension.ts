import type { Logger } from '../common/index.js';
import type { LedgerExtension } from '../ledger/index.js';
import {
  activationHeight,
  carriesValidatorSet,
  decodeValidatorSet,
  encodeValidatorSet,
  type ScheduledSet,
  sameValidatorSet,
  type ValidatorSetHistory,
} from './epochs.js';
import type { ValidatorInfo } from './validator-set.js';

/** Block section kind of the validator-set update (docs/protocol.md, Sections). */
export const VALIDATOR_SET_SECTION = 1;

/**
 * The chain's validator registry as consensus needs it: the active validators as last read, and a
 * fresh read. The validator module's ValidatorRoster is one; consensus does not depend on its type.
 */
export interface ValidatorRegistry {
  refresh(): Promise<void>;
  entries(): readonly {
    readonly publicKey: Uint8Array;
    readonly stake: bigint;
    readonly reputation: number;
  }[];
}

/** The active validators as the chain's registry lists them: stake, and reputation as leader weight. */
export function registryValidators(roster: ValidatorRegistry): ValidatorInfo[] {
  return roster.entries().map((e) => ({
    publicKey: e.publicKey,
    stake: e.stake,
    reputation: Math.max(1, e.reputation),
  }));
}

export interface ValidatorSetExtensionOptions {
  readonly history: ValidatorSetHistory;
  readonly epochBlocks: number;
  readonly roster: ValidatorRegistry;
  /** The set this node's consensus started height 1 with (undefined until consensus starts). */
  readonly genesis: () => readonly ValidatorInfo[] | undefined;
  /** A set applied from a block, deciding from `from` on. */
  readonly onScheduled: (set: ScheduledSet) => void;
  readonly logger: Logger;
}

/**
 * Section kind 1: block 1 and every epoch-boundary block carry the validator set, the genesis set
 * for block 1 and the chain registry's active validators for the others. A validator votes for the
 * block only if the carried set equals its own read (re-read once on a difference, since the
 * proposer may have read a registration this node's last read missed); a certified block caught up
 * later is taken as carried.
 */
export class ValidatorSetExtension implements LedgerExtension {
  readonly kind = VALIDATOR_SET_SECTION;
  readonly name = 'validator-set';

  constructor(private readonly o: ValidatorSetExtensionOptions) {}

  async propose(height: bigint): Promise<readonly Uint8Array[]> {
    if (!carriesValidatorSet(height, this.o.epochBlocks)) return [];
    const set = height === 1n ? this.o.genesis() : await this.freshRegistry();
    // Without a set to carry, a boundary block cannot be valid; the round times out instead.
    return set?.length ? [encodeValidatorSet(set)] : [];
  }

  async check(
    height: bigint,
    entries: readonly Uint8Array[],
    mode: 'proposal' | 'final',
  ): Promise<string | undefined> {
    if (!carriesValidatorSet(height, this.o.epochBlocks)) {
      return entries.length ? 'a validator set outside an epoch boundary' : undefined;
    }
    if (entries.length !== 1) return 'an epoch-boundary block carries exactly one validator set';
    let carried: ValidatorInfo[];
    try {
      carried = decodeValidatorSet(entries[0]!);
    } catch (err) {
      return `malformed validator set: ${(err as Error).message}`;
    }
    if (mode === 'final') return undefined;
    if (height === 1n) {
      const genesis = this.o.genesis();
      return genesis && sameValidatorSet(genesis, carried) ? undefined : 'not the genesis validator set';
    }
    if (sameValidatorSet(registryValidators(this.o.roster), carried)) return undefined;
    const reread = await this.freshRegistry();
    if (sameValidatorSet(reread, carried)) return undefined;
    this.o.logger.info(
      { height: `${height}`, carried: carried.length, registry: reread.length },
      'epoch-boundary validator set differs from the registry',
    );
    return 'the validator set differs from the chain registry';
  }

  async apply(height: bigint, entries: readonly Uint8Array[]): Promise<void> {
    if (height <= this.o.history.appliedHeight) return;
    const carried = entries[0] ? decodeValidatorSet(entries[0]) : undefined;
    await this.o.history.record(height, carried);
    if (carried && height > 1n) {
      this.o.logger.info(
        { height: `${height}`, from: `${activationHeight(height)}`, validators: carried.length },
        'validator set scheduled',
      );
      this.o.onScheduled({ from: activationHeight(height), validators: carried });
    }
  }

  async appliedHeight(): Promise<bigint> {
    return this.o.history.appliedHeight;
  }

  private async freshRegistry(): Promise<ValidatorInfo[]> {
    await this.o.roster.refresh();
    return registryValidators(this.o.roster);
  }
}
