/**
 * Who the registered validators are, as last read from chain: key, stake and network endpoints of
 * each active validator. Refreshed on a timer and, at most every `minRefreshMs`, on demand (a
 * heartbeat from a key we do not know may be a validator registered since the last read); the rate
 * limit keeps unknown keys from turning into a flood of RPC calls.
 */
import type { Address } from '@solana/kit';
import { getAddressEncoder } from '@solana/kit';
import { createLogger, type Logger } from '../common/index.js';
import { isActive, type ValidatorChainReader } from './chain.js';
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

const addressEncoder = getAddressEncoder();

export class ValidatorRoster {
  private byAddress = new Map<string, RosterEntry>();
  private inflight: Promise<void> | undefined;
  private lastRead = 0;
  private readonly log: Logger;

  constructor(
    private readonly reader: ValidatorChainReader,
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

  private async read(): Promise<void> {
    this.lastRead = Date.now();
    const accounts = await this.reader.activeAccounts();
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
}
