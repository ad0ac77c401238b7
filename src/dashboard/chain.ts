/**
 * What the dashboard knows of Solana, never read per HTTP request: the bridge state (anchor ring,
 * deposit queue counters), the vault's balance and the validators' accounts (stake, slashing
 * record) as the node's ChainView last read them, and the transactions that anchored roots or
 * slashed validators, found in the bridge state's signature history and recognised by the
 * program's own AnchorEvent / SlashEvent logs.
 */

import type { Address, Signature } from '@solana/kit';
import {
  type BridgeRpc,
  type BridgeState,
  type ChainView,
  eventDiscriminator,
  findBridgeStatePda,
  programDataFor,
  type ValidatorAccount,
} from '../bridge/index.js';
import { bytesEqual, createLogger, type Lifecycle, type Logger } from '../common/index.js';
import { addressOf } from './blocks.js';

export interface ChainTx {
  readonly signature: string;
  readonly slot: bigint;
}

export interface ChainSnapshot {
  /** Unix ms of the last successful read (0: none yet). */
  readonly at: number;
  readonly error: string | undefined;
  readonly state: BridgeState | undefined;
  readonly vaultLamports: bigint | undefined;
  readonly validators: readonly ValidatorAccount[];
  /** anchor_root transactions by anchored height. */
  readonly anchorTx: ReadonlyMap<bigint, ChainTx>;
  /** slash transactions by `slashKey(validator, height, round, type)`. */
  readonly slashTx: ReadonlyMap<string, ChainTx>;
}

/** What the node backend needs of the chain (tests hand it a fixed snapshot). */
export interface ChainSource {
  snapshot(): ChainSnapshot;
}

export const EMPTY_CHAIN: ChainSnapshot = {
  at: 0,
  error: undefined,
  state: undefined,
  vaultLamports: undefined,
  validators: [],
  anchorTx: new Map(),
  slashTx: new Map(),
};

export function slashKey(validator: string, height: bigint, round: number, type: number): string {
  return `${validator}/${height}/${round}/${type}`;
}

export type ProgramEvent =
  | { readonly kind: 'anchor'; readonly height: bigint }
  | {
      readonly kind: 'slash';
      readonly validator: string;
      readonly height: bigint;
      readonly round: number;
      readonly voteType: number;
    };

const ANCHOR_EVENT = eventDiscriminator('AnchorEvent');
const SLASH_EVENT = eventDiscriminator('SlashEvent');

/**
 * AnchorEvent (disc | height u64 | ...) and SlashEvent (disc | validator [32] | height u64 | round u32
 * | type u8 | ...) from a transaction's logs, attributed to `programId` (docs/protocol.md). Payloads
 * too short for their layout are skipped.
 */
export function programEvents(logs: readonly string[], programId: string): ProgramEvent[] {
  const out: ProgramEvent[] = [];
  for (const data of programDataFor(logs, programId)) {
    if (data.length < 8) continue;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const disc = data.subarray(0, 8);
    if (bytesEqual(disc, ANCHOR_EVENT) && data.length >= 16) {
      out.push({ kind: 'anchor', height: view.getBigUint64(8, true) });
    } else if (bytesEqual(disc, SLASH_EVENT) && data.length >= 8 + 32 + 8 + 4 + 1) {
      out.push({
        kind: 'slash',
        validator: addressOf(data.subarray(8, 40)),
        height: view.getBigUint64(40, true),
        round: view.getUint32(48, true),
        voteType: data[52]!,
      });
    }
  }
  return out;
}

export interface ChainWatcherOptions {
  /** The node's chain view: bridge state, vault balance and validators come from it. */
  readonly chain: Pick<ChainView, 'reading' | 'error' | 'on'>;
  /** For the transaction history only (signatures of the bridge state, their logs). */
  readonly rpc: BridgeRpc;
  readonly programId: Address;
  readonly commitment?: 'processed' | 'confirmed' | 'finalized';
  /** History read period while there is something to read (default 2000 ms). */
  readonly refreshMs?: number;
  /** Most getTransaction calls per refresh (default 20): history is worked through over refreshes. */
  readonly maxTransactionsPerRefresh?: number;
  readonly logger?: Logger;
}

/** Most anchor / slash transactions remembered (the program's anchor ring holds 64). */
const MAX_REMEMBERED = 1024;
/** Most signatures waiting to be looked at; older ones are dropped first. */
const MAX_BACKLOG = 4096;

/**
 * The dashboard's chain snapshot: a thin view over the node's ChainView (state, vault, validators:
 * no reads of its own) plus the history of anchor and slash transactions, which only the dashboard
 * needs. The history is read when the chain view reports a new bridge state (every anchor and
 * slash changes it) and while a backlog of signatures is left, never on an idle chain.
 */
export class ChainWatcher implements ChainSource, Lifecycle {
  private anchorTx: ReadonlyMap<bigint, ChainTx> = new Map();
  private slashTx: ReadonlyMap<string, ChainTx> = new Map();
  private readonly anchorHistory = new Map<bigint, ChainTx>();
  private readonly slashHistory = new Map<string, ChainTx>();
  /** Signatures not looked at yet, oldest first. */
  private backlog: ChainTx[] = [];
  private newest: string | undefined;
  /** The bridge state changed since the last history read (true: read once at start). */
  private stateChanged = true;
  private historyError: string | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private inflight: Promise<void> | undefined;
  private readonly log: Logger;
  private readonly commitment: 'confirmed' | 'finalized';
  private statePda: Address | undefined;

  constructor(private readonly o: ChainWatcherOptions) {
    // Signature history has no `processed` level.
    this.commitment = o.commitment === 'finalized' ? 'finalized' : 'confirmed';
    this.log = o.logger ?? createLogger('dashboard');
  }

  snapshot(): ChainSnapshot {
    const reading = this.o.chain.reading;
    return {
      at: reading?.at ?? 0,
      error: this.o.chain.error ?? this.historyError,
      state: reading?.state,
      vaultLamports: reading?.vaultLamports,
      validators: reading?.validators ?? [],
      anchorTx: this.anchorTx,
      slashTx: this.slashTx,
    };
  }

  async start(): Promise<void> {
    if (this.timer) return;
    this.unsubscribe = this.o.chain.on('state', () => {
      this.stateChanged = true;
    });
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.o.refreshMs ?? 2_000);
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.inflight;
  }

  /**
   * Reads the history when there is something new (concurrent callers share it); failures are kept
   * in the snapshot's error, never thrown.
   */
  refresh(): Promise<void> {
    this.inflight ??= this.read().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async read(): Promise<void> {
    if (!this.stateChanged && this.backlog.length === 0) return;
    this.stateChanged = false;
    try {
      this.statePda ??= (await findBridgeStatePda(this.o.programId))[0];
      await this.scan(this.statePda);
      this.anchorTx = new Map(this.anchorHistory);
      this.slashTx = new Map(this.slashHistory);
      this.historyError = undefined;
    } catch (err) {
      // Read again next time, whether or not the state changes meanwhile.
      this.stateChanged = true;
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn({ err: message }, 'dashboard chain history read failed');
      this.historyError = message;
    }
  }

  /** New signatures of the bridge state, then a bounded number of their transactions. */
  private async scan(statePda: Address): Promise<void> {
    const { rpc } = this.o;
    const page = await rpc.call(
      'getSignaturesForAddress',
      (r) =>
        r.getSignaturesForAddress(statePda, {
          commitment: this.commitment,
          limit: 1000,
          ...(this.newest ? { until: this.newest as Signature } : {}),
        }),
      { address: statePda },
    );
    if (page.length > 0) this.newest = page[0]!.signature;
    // Newest first from the RPC; the backlog runs oldest first. Failed transactions changed nothing.
    for (const entry of [...page].reverse()) {
      if (entry.err) continue;
      this.backlog.push({ signature: entry.signature, slot: BigInt(entry.slot) });
    }
    if (this.backlog.length > MAX_BACKLOG) this.backlog.splice(0, this.backlog.length - MAX_BACKLOG);
    const batch = this.backlog.splice(0, this.o.maxTransactionsPerRefresh ?? 20);
    for (const [i, ref] of batch.entries()) {
      let logs: readonly string[] | null | undefined;
      try {
        const tx = await rpc.call(
          'getTransaction',
          (r) =>
            r.getTransaction(ref.signature as Signature, {
              commitment: this.commitment,
              encoding: 'json',
              maxSupportedTransactionVersion: 0,
            }),
          { signature: ref.signature },
        );
        logs = tx?.meta?.logMessages;
      } catch (err) {
        // Put the rest back; the next refresh retries from this one.
        this.backlog.unshift(...batch.slice(i));
        throw err;
      }
      if (!logs) continue;
      let events: ProgramEvent[];
      try {
        events = programEvents(logs, this.o.programId);
      } catch {
        continue; // truncated logs: nothing the dashboard can attribute
      }
      for (const e of events) {
        if (e.kind === 'anchor') remember(this.anchorHistory, e.height, ref);
        else remember(this.slashHistory, slashKey(e.validator, e.height, e.round, e.voteType), ref);
      }
    }
  }
}

function remember<K>(map: Map<K, ChainTx>, key: K, tx: ChainTx): void {
  map.delete(key);
  map.set(key, tx);
  if (map.size > MAX_REMEMBERED) map.delete(map.keys().next().value!);
}
