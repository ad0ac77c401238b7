/**
 * Who the registered validators are, as last read from chain: key, stake and network endpoints of
 * each active validator. In a node the chain view's `validators` events feed it (`apply`), so the
 * node has one roster and no reads of its own; `refresh()` asks its source for a read now, and
 * `requestRefresh()` does so at most every `minRefreshMs` (a heartbeat from a key we do not know may
 * be a validator registered since the last read; the rate limit keeps unknown keys from turning into
 * a flood of RPC calls).
 */
import type { Address } from '@solana/kit';
import { getAddressEncoder } from '@solana/kit';
import type { ValidatorAccount } from '../bridge/index.js';
import { createLogger, type Logger } from '../common/index.js';
import { isActive } from './chain.js';
import { decodeEndpoints, type Endpoints } from './endpoints.js';

export interface RosterEntry {
  readonly address: Address;
  readonly publicKey: Uint8Array;
  readonly stake: bigint;
  /** The program's reputation of this validator (basis points; slashing halves it). */
  readonly reputation: number;
  /** What it registered; undefined when it registered none. */
  readonly endpoints: Endpoints | undefined;
}

export interface RosterOptions {
  readonly minRefreshMs?: number;
  readonly logger?: Logger;
  /** Called after every successful read (the component pins the validators' peers). */
  readonly onRefresh?: (entries: readonly RosterEntry[]) => void;
}

/** Where the roster reads the registered validators' accounts (the chain view, or a ValidatorChainReader). */
export interface RosterSource {
  activeAccounts(): Promise<readonly ValidatorAccount[]>;
}

const addressEncoder = getAddressEncoder();

export class ValidatorRoster {
  private byAddress = new Map<string, RosterEntry>();
  private applied: readonly ValidatorAccount[] | undefined;
  private inflight: Promise<void> | undefined;
  private lastRead = 0;
  private readonly log: Logger;

  constructor(
    private readonly source: RosterSource,
    private readonly options: RosterOptions = {},
  ) {
    this.log = options.logger ?? createLogger('validator.roster');
  }

  get(address: string): RosterEntry | undefined {
    return this.byAddress.get(address);
  }

  entries(): RosterEntry[] {
    return [...this.byAddress.values()];
  }

  get size(): number {
    return this.byAddress.size;
  }

  /** Reads the active set now (one read at a time; concurrent callers share it). */
  refresh(): Promise<void> {
    this.inflight ??= this.read().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  /** A refresh unless one ran within `minRefreshMs`; failures are logged, not thrown. */
  requestRefresh(): void {
    if (Date.now() - this.lastRead < (this.options.minRefreshMs ?? 2_000)) return;
    this.refresh().catch((err: unknown) => this.log.warn({ err }, 'validator registry read failed'));
  }

  /**
   * Takes the accounts a read returned (inactive ones are left out). The same list handed twice in
   * a row (an event and the refresh that caused it) is applied once.
   */
  apply(accounts: readonly ValidatorAccount[]): void {
    if (accounts === this.applied) return;
    this.applied = accounts;
    const next = new Map<string, RosterEntry>();
    for (const a of accounts) {
      if (!isActive(a)) continue;
      next.set(a.key, {
        address: a.key,
        publicKey: new Uint8Array(addressEncoder.encode(a.key)),
        stake: a.stake,
        reputation: a.reputation,
        endpoints: decodeEndpoints(a.peerId, a.multiaddrs),
      });
    }
    this.byAddress = next;
    this.options.onRefresh?.(this.entries());
  }

  private async read(): Promise<void> {
    this.lastRead = Date.now();
    this.apply(await this.source.activeAccounts());
  }
}
