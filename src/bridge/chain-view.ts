/**
 * A node's one view of the program's accounts on Solana: the BridgeState, the validator registry and
 * its validators' accounts, the vault's balance and the slot, read by one loop and shared by every
 * consumer (ledger, consensus, coordinator, validator roster, dashboard) through synchronous getters
 * and typed change events, so the node's RPC load does not grow with the number of readers.
 *
 * One round is two RPC calls, made together:
 * - `getMultipleAccounts` at `confirmed` (`solana.commitment`): BridgeState, ValidatorRegistry, vault and the registered
 *   validators' accounts (<= 3 + 64 addresses, under the RPC's limit of 100). Its context slot is the
 *   confirmed slot, so the slot costs no call of its own. Confirmed is the newest state the cluster
 *   has voted on: what anchoring, relaying, withdrawal status, the roster and the dashboard act on
 *   (an anchor or a registration counts seconds earlier than at finalized; the transactions that
 *   depend on it are checked by the program anyway).
 * - `getAccountInfo` of the BridgeState at `finalized` (`finalizedState`): the anchored roots a
 *   withdrawal may spend from. A block admits a withdrawal only under a root that can no longer be
 *   rolled back, or the L2 could finalize a withdrawal the chain then refuses. Its context slot is
 *   the finalized slot (`finalizedSlot`), past which an unsettled withdrawal is refunded.
 * When the registry lists a validator whose account address is not known yet (a registration since
 * the last round), a third call reads the new accounts.
 */

import { type Address, type Base64EncodedDataResponse, type Commitment, getBase64Encoder } from '@solana/kit';
import { Counter, register as defaultRegistry, Gauge, type Registry } from 'prom-client';
import { bytesEqual, createLogger, type Lifecycle, type Logger } from '../common/index.js';
import { type Field, fieldFromBytesBE } from '../privacy/index.js';
import {
  type BridgeState,
  decodeBridgeState,
  decodeValidatorAccount,
  decodeValidatorRegistry,
  type RelayFee,
  relayFeeFloor,
  type ValidatorAccount,
} from './accounts.js';
import { BridgeError } from './errors.js';
import { deriveProgramAddresses, findValidatorPda, type ProgramAddresses } from './pda.js';
import type { BridgeRpc } from './rpc/client.js';

/** What one successful round read. */
export interface ChainReading {
  /** Unix ms when the round's answers arrived. */
  readonly at: number;
  /** The slot of the main read (its context slot: at `confirmed`, the confirmed slot). */
  readonly slot: bigint;
  /** BridgeState at the main read's commitment; undefined when the program has no state account. */
  readonly state: BridgeState | undefined;
  /** BridgeState at `finalized`: the anchors that can no longer roll back. */
  readonly finalizedState: BridgeState | undefined;
  /** The context slot of the `finalized` read: the slot Solana had finalized (refunds wait past it). */
  readonly finalizedSlot: bigint;
  /** Accounts of the validators the registry lists, in registry order (active or unbonding). */
  readonly validators: readonly ValidatorAccount[];
  /** The vault's balance; undefined when the vault account does not exist. */
  readonly vaultLamports: bigint | undefined;
}

/** Change events; each carries the new value and the one before it (undefined before the first read). */
export interface ChainViewEvents {
  slot: (slot: bigint, previous: bigint | undefined) => void;
  state: (state: BridgeState | undefined, previous: BridgeState | undefined) => void;
  finalizedState: (state: BridgeState | undefined, previous: BridgeState | undefined) => void;
  validators: (
    validators: readonly ValidatorAccount[],
    previous: readonly ValidatorAccount[] | undefined,
  ) => void;
}

export interface ChainViewOptions {
  readonly rpc: BridgeRpc;
  readonly programId: Address;
  /** Commitment of the main read (`solana.commitment`), default confirmed; `finalizedState` is always finalized. */
  readonly commitment?: Commitment;
  /** Pause between rounds (`solana.chain_view_refresh_ms`), default 1000 ms. */
  readonly refreshMs?: number;
  readonly registry?: Registry;
  readonly logger?: Logger;
}

export interface ChainViewMetrics {
  readonly failures: Counter<'code'>;
  readonly lastRead: Gauge<never>;
}

const metricsByRegistry = new WeakMap<Registry, ChainViewMetrics>();

export function chainViewMetrics(registry: Registry = defaultRegistry): ChainViewMetrics {
  const existing = metricsByRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const metrics: ChainViewMetrics = {
    failures: new Counter({
      name: 'paraloom_chain_view_failures_total',
      help: 'Chain view rounds that failed (the last good values were kept), by BridgeError code',
      labelNames: ['code'],
      registers,
    }),
    lastRead: new Gauge({
      name: 'paraloom_chain_view_last_read_seconds',
      help: 'Unix time of the chain view round that last succeeded (0: none yet)',
      registers,
    }),
  };
  metricsByRegistry.set(registry, metrics);
  return metrics;
}

const base64 = getBase64Encoder();
type RawAccount = {
  readonly data: Base64EncodedDataResponse;
  readonly owner: Address;
  readonly lamports: bigint;
};
/** Raw bytes behind a reading, to tell a change from a re-read. */
interface RawBytes {
  readonly state?: Uint8Array | undefined;
  readonly finalized?: Uint8Array | undefined;
  readonly validators?: Uint8Array | undefined;
}
/** Validator account addresses remembered (a derivation costs a few curve checks). */
const MAX_REMEMBERED_PDAS = 4096;

export class ChainView implements Lifecycle {
  private readonly listeners: { [K in keyof ChainViewEvents]: Set<ChainViewEvents[K]> } = {
    slot: new Set(),
    state: new Set(),
    finalizedState: new Set(),
    validators: new Set(),
  };
  private last: ChainReading | undefined;
  private failure: string | undefined;
  private roots: { readonly of: BridgeState | undefined; readonly set: ReadonlySet<Field> } | undefined;
  private lastBytes: RawBytes = {};
  private addresses: ProgramAddresses | undefined;
  private readonly validatorPdas = new Map<Address, Address>();
  /** The validator accounts the registry listed last round, read with the state in one call. */
  private knownPdas: readonly Address[] = [];
  private inflight: Promise<ChainReading> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private readonly metrics: ChainViewMetrics;
  private readonly log: Logger;

  private readonly commitment: Commitment;

  constructor(private readonly o: ChainViewOptions) {
    this.commitment = o.commitment ?? 'confirmed';
    this.metrics = chainViewMetrics(o.registry);
    this.log = o.logger ?? createLogger('bridge.chain-view');
  }

  /**
   * Reads once and starts the loop. A failed first read does not fail start (the loop tries again
   * and consumers see `reading` undefined and `age` infinite until one succeeds).
   */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    await this.refresh().catch(() => undefined); // logged and counted in round()
    this.schedule();
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.inflight?.catch(() => undefined);
  }

  on<K extends keyof ChainViewEvents>(event: K, listener: ChainViewEvents[K]): () => void {
    this.listeners[event].add(listener);
    return () => this.listeners[event].delete(listener);
  }

  /** The last successful round, or undefined before the first. */
  get reading(): ChainReading | undefined {
    return this.last;
  }

  get state(): BridgeState | undefined {
    return this.last?.state;
  }

  get finalizedState(): BridgeState | undefined {
    return this.last?.finalizedState;
  }

  /**
   * The roots a withdrawal may be proven against, as the L2 admits it: the anchors of the finalized
   * state only (a root that could still roll back would let a block finalize a withdrawal the
   * program then refuses). Roots are stored big-endian on chain (the syscalls' order).
   */
  get anchoredRoots(): ReadonlySet<Field> {
    const state = this.finalizedState;
    if (this.roots === undefined || this.roots.of !== state) {
      this.roots = { of: state, set: new Set((state?.anchors ?? []).map((a) => fieldFromBytesBE(a.root))) };
    }
    return this.roots.set;
  }

  /** The confirmed slot as last read (0 before the first read). */
  get slot(): bigint {
    return this.last?.slot ?? 0n;
  }

  /** The finalized slot as last read (0 before the first read). */
  get finalizedSlot(): bigint {
    return this.last?.finalizedSlot ?? 0n;
  }

  get validators(): readonly ValidatorAccount[] {
    return this.last?.validators ?? [];
  }

  /** The active validators, each a relayer, with its fee floors per asset (table order). */
  get relayers(): readonly { readonly address: Address; readonly fees: readonly RelayFee[] }[] {
    return this.validators.filter((v) => v.active).map((v) => ({ address: v.key, fees: v.relayFees }));
  }

  /**
   * The fee floor of `relayer` for `asset` (32 bytes, big-endian; zero is SOL) as last read: undefined
   * when it is not an active registered validator or has no floor for that asset (it does not relay it).
   */
  relayerFloor(relayer: Address, asset: Uint8Array): bigint | undefined {
    const v = this.validators.find((x) => x.key === relayer);
    return v?.active ? relayFeeFloor(v, asset) : undefined;
  }

  /** The message of the last round's failure; undefined once a round succeeds. */
  get error(): string | undefined {
    return this.failure;
  }

  /** Milliseconds since the last successful round (Infinity before the first). */
  get age(): number {
    return this.last ? Date.now() - this.last.at : Number.POSITIVE_INFINITY;
  }

  /**
   * A round now, for a consumer that needs fresher values than the loop's (right before sending a
   * transaction). Concurrent callers, the loop included, share one round. Rejects with the round's
   * BridgeError; the last good values stay in place.
   */
  refresh(): Promise<ChainReading> {
    this.inflight ??= this.round().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = setTimeout(() => {
      this.refresh()
        .catch(() => undefined) // logged and counted in round()
        .finally(() => this.schedule());
    }, this.o.refreshMs ?? 1_000);
  }

  private async round(): Promise<ChainReading> {
    try {
      const reading = this.publish(await this.read());
      this.failure = undefined;
      return reading;
    } catch (err) {
      this.failure = err instanceof Error ? err.message : String(err);
      const code = err instanceof BridgeError ? err.code : 'UNEXPECTED';
      this.metrics.failures.inc({ code });
      // RPC failures are logged once more by BridgeRpc with their method; this line says what was kept.
      this.log.warn(
        { err: err instanceof Error ? err.message : String(err), code, ageMs: this.age },
        'chain view read failed; keeping the last values',
      );
      throw err;
    }
  }

  private async read(): Promise<ChainReading & { raw: RawBytes }> {
    this.addresses ??= await deriveProgramAddresses(this.o.programId);
    const p = this.addresses;
    const known = this.knownPdas;
    const [confirmed, finalized] = await Promise.all([
      this.accounts([p.bridgeState, p.validatorRegistry, p.vault, ...known], this.commitment),
      this.finalizedAccount(p.bridgeState),
    ]);
    const [stateAccount, registryAccount, vaultAccount] = confirmed.accounts;
    const registry = this.owned(registryAccount)
      ? decodeValidatorRegistry(this.owned(registryAccount)!)
      : undefined;
    const keys = registry?.validators.map((v) => v.key) ?? [];
    const pdas = await Promise.all(keys.map((k) => this.validatorPda(k)));
    const byPda = new Map<Address, RawAccount | null>();
    for (const [i, pda] of known.entries()) byPda.set(pda, confirmed.accounts[3 + i] ?? null);
    const missing = pdas.filter((pda) => !byPda.has(pda));
    if (missing.length > 0) {
      // Read at (or after) the first call's slot, so the new accounts are no older than the registry.
      const more = await this.accounts(missing, this.commitment, confirmed.slot);
      for (const [i, pda] of missing.entries()) byPda.set(pda, more.accounts[i] ?? null);
    }
    this.knownPdas = pdas;
    const validators: ValidatorAccount[] = [];
    const validatorBytes: Uint8Array[] = [this.owned(registryAccount) ?? new Uint8Array()];
    for (const pda of pdas) {
      const data = this.owned(byPda.get(pda) ?? null);
      if (!data) continue; // listed but closed since: the next registry read drops it
      validators.push(decodeValidatorAccount(data));
      validatorBytes.push(data);
    }
    const stateBytes = this.owned(stateAccount);
    const finalizedBytes = this.owned(finalized.account);
    return {
      at: Date.now(),
      slot: confirmed.slot,
      state: stateBytes ? decodeBridgeState(stateBytes) : undefined,
      finalizedState: finalizedBytes ? decodeBridgeState(finalizedBytes) : undefined,
      finalizedSlot: finalized.slot,
      validators,
      vaultLamports: vaultAccount ? vaultAccount.lamports : undefined,
      raw: { state: stateBytes, finalized: finalizedBytes, validators: concat(validatorBytes) },
    };
  }

  /** Stores a reading and emits what changed (after storing, so listeners see the new getters). */
  private publish(next: ChainReading & { raw: RawBytes }): ChainReading {
    const { raw, ...fresh } = next;
    const prev = this.last;
    const prevBytes = this.lastBytes;
    const stateChanged = !prev || !sameBytes(prevBytes.state, raw.state);
    const finalizedChanged = !prev || !sameBytes(prevBytes.finalized, raw.finalized);
    const validatorsChanged = !prev || !sameBytes(prevBytes.validators, raw.validators);
    // Unchanged values keep their objects, so consumers may compare by reference.
    const reading: ChainReading = {
      ...fresh,
      state: stateChanged ? fresh.state : prev.state,
      finalizedState: finalizedChanged ? fresh.finalizedState : prev.finalizedState,
      validators: validatorsChanged ? fresh.validators : prev.validators,
    };
    this.last = reading;
    this.lastBytes = raw;
    this.metrics.lastRead.set(reading.at / 1000);
    if (prev?.slot !== reading.slot) this.emit('slot', reading.slot, prev?.slot);
    if (stateChanged) this.emit('state', reading.state, prev?.state);
    if (finalizedChanged) this.emit('finalizedState', reading.finalizedState, prev?.finalizedState);
    if (validatorsChanged) this.emit('validators', reading.validators, prev?.validators);
    return reading;
  }

  private emit<K extends keyof ChainViewEvents>(event: K, ...args: Parameters<ChainViewEvents[K]>): void {
    for (const listener of this.listeners[event]) {
      try {
        (listener as (...a: Parameters<ChainViewEvents[K]>) => void)(...args);
      } catch (err) {
        // A consumer's bug must not stop the others from hearing the change, nor the loop.
        this.metrics.failures.inc({ code: 'LISTENER_FAILED' });
        this.log.warn({ err, event }, 'chain view listener failed');
      }
    }
  }

  private async accounts(
    addresses: readonly Address[],
    commitment: Commitment,
    minContextSlot?: bigint,
  ): Promise<{ slot: bigint; accounts: (RawAccount | null)[] }> {
    const { context, value } = await this.o.rpc.call(
      'getMultipleAccounts',
      (r) =>
        r.getMultipleAccounts([...addresses], {
          commitment,
          encoding: 'base64',
          ...(minContextSlot !== undefined ? { minContextSlot } : {}),
        }),
      { count: addresses.length, commitment },
    );
    return {
      slot: BigInt(context.slot),
      accounts: value.map((a) => (a ? { data: a.data, owner: a.owner, lamports: BigInt(a.lamports) } : null)),
    };
  }

  /** One account at `finalized`, with the read's context slot (the finalized slot). */
  private async finalizedAccount(address: Address): Promise<{ slot: bigint; account: RawAccount | null }> {
    const { context, value: a } = await this.o.rpc.call(
      'getAccountInfo',
      (r) => r.getAccountInfo(address, { commitment: 'finalized', encoding: 'base64' }),
      { address, commitment: 'finalized' },
    );
    return {
      slot: BigInt(context.slot),
      account: a ? { data: a.data, owner: a.owner, lamports: BigInt(a.lamports) } : null,
    };
  }

  /** The account's data when the program owns it (a look-alike account at the address is ignored). */
  private owned(account: RawAccount | null | undefined): Uint8Array | undefined {
    if (!account || account.owner !== this.o.programId) return undefined;
    return new Uint8Array(base64.encode(account.data[0]));
  }

  private async validatorPda(key: Address): Promise<Address> {
    let pda = this.validatorPdas.get(key);
    if (!pda) {
      pda = (await findValidatorPda(this.o.programId, key))[0];
      if (this.validatorPdas.size >= MAX_REMEMBERED_PDAS) this.validatorPdas.clear();
      this.validatorPdas.set(key, pda);
    }
    return pda;
  }
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  return a === undefined || b === undefined ? a === b : bytesEqual(a, b);
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length + 4, 0));
  let at = 0;
  for (const p of parts) {
    // Length-prefixed, so two different splits of the same bytes never compare equal.
    new DataView(out.buffer).setUint32(at, p.length);
    out.set(p, at + 4);
    at += p.length + 4;
  }
  return out;
}
