import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import {
  type Address,
  type Blockhash,
  type EncodedAccount,
  getBase58Decoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
  type Lamports,
  type MaybeEncodedAccount,
  type Transaction,
} from '@solana/kit';
import { FailedTransactionMetadata, LiteSVM, type TransactionMetadata } from 'litesvm';
import {
  RPC_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  RPC_TRANSACTION_SIGNATURE_VERIFICATION_FAILURE,
  RpcError,
} from './errors.js';
import {
  describeTransactionError,
  type TransactionErrorJson,
  transactionErrorJson,
} from './transaction-errors.js';

export type Commitment = 'processed' | 'confirmed' | 'finalized';

export interface ChainOptions {
  /** Slots between `processed` and `confirmed` (default 1). */
  readonly confirmedLag?: number;
  /** Slots between `processed` and `finalized` (default 4). */
  readonly finalizedLag?: number;
  /** Transactions kept for getTransaction / getSignaturesForAddress (default 50,000). */
  readonly ledgerCapacity?: number;
  /** Restore from a LiteSVM snapshot written by `snapshot()`. */
  readonly snapshot?: Uint8Array;
  readonly startSlot?: bigint;
}

export interface AccountView {
  readonly lamports: bigint;
  readonly owner: Address;
  readonly data: Uint8Array;
  readonly executable: boolean;
  readonly space: number;
}

export interface TransactionRecord {
  readonly signature: string;
  readonly slot: bigint;
  readonly order: number;
  readonly blockTime: number;
  readonly wire: Uint8Array;
  readonly accountKeys: readonly Address[];
  readonly writable: readonly boolean[];
  readonly err: TransactionErrorJson | null;
  readonly logs: readonly string[];
  readonly computeUnits: bigint;
  readonly fee: bigint;
  readonly preBalances: readonly bigint[];
  readonly postBalances: readonly bigint[];
  readonly version: 'legacy' | 0;
}

interface AccountVersion {
  readonly slot: bigint;
  readonly account: AccountView | null;
}

const BLOCKHASH_WINDOW = 150n;
const LAMPORTS_PER_SIGNATURE = 5000n;
const base58 = getBase58Decoder();
const transactionDecoder = getTransactionDecoder();
const messageDecoder = getCompiledTransactionMessageDecoder();

function view(account: MaybeEncodedAccount): AccountView | null {
  if (!account.exists) return null;
  const a = account;
  return {
    lamports: BigInt(a.lamports),
    owner: a.programAddress,
    data: new Uint8Array(a.data),
    executable: a.executable,
    space: a.data.length,
  };
}

/**
 * LiteSVM (the real Agave SVM) with what a cluster adds around it: slots on a clock, a window of
 * valid blockhashes, a ledger of transactions with an address index, and per-account history so
 * reads at `confirmed` and `finalized` see the state of the slot they lag to.
 *
 * Events: 'slot' (slot), 'transaction' (record), 'commitment' (level, fromSlot, toSlot).
 */
export class LocalChain extends EventEmitter {
  readonly svm: LiteSVM;
  readonly genesisHash: string;
  private slotValue: bigint;
  private readonly confirmedLag: bigint;
  private readonly finalizedLag: bigint;
  private readonly ledgerCapacity: number;
  private readonly blockhashes = new Map<string, bigint>();
  private readonly blockhashOrder: string[] = [];
  private readonly ledger = new Map<string, TransactionRecord>();
  private readonly bySlot = new Map<bigint, TransactionRecord[]>();
  private readonly byAddress = new Map<string, TransactionRecord[]>();
  private readonly versions = new Map<string, AccountVersion[]>();
  private orderCounter = 0;
  private transactionCount = 0n;

  constructor(options: ChainOptions = {}) {
    super();
    this.svm = (options.snapshot ? LiteSVM.fromBytes(options.snapshot) : new LiteSVM())
      .withSigverify(true)
      .withBlockhashCheck(false)
      .withTransactionHistory(0n);
    this.confirmedLag = BigInt(options.confirmedLag ?? 1);
    this.finalizedLag = BigInt(options.finalizedLag ?? 4);
    this.ledgerCapacity = options.ledgerCapacity ?? 50_000;
    this.genesisHash = base58.decode(createHash('sha256').update('paraloom-localnet-genesis').digest());
    this.slotValue = options.startSlot ?? (options.snapshot ? this.svm.getClock().slot : 0n);
    this.svm.warpToSlot(this.slotValue);
    this.pushBlockhash();
  }

  get slot(): bigint {
    return this.slotValue;
  }

  get totalTransactions(): bigint {
    return this.transactionCount;
  }

  slotAt(commitment: Commitment = 'finalized'): bigint {
    const s = this.levelSlot(commitment);
    return s > 0n ? s : 0n;
  }

  /** Unclamped: -1 means no slot has reached this level yet (the first slots after genesis). */
  private levelSlot(commitment: Commitment): bigint {
    const lag =
      commitment === 'processed' ? 0n : commitment === 'confirmed' ? this.confirmedLag : this.finalizedLag;
    return this.slotValue - lag < -1n ? -1n : this.slotValue - lag;
  }

  commitmentOf(slot: bigint): Commitment {
    if (slot <= this.slotAt('finalized')) return 'finalized';
    if (slot <= this.slotAt('confirmed')) return 'confirmed';
    return 'processed';
  }

  /** Advances one slot: new clock, new blockhash, and every commitment level moves by one. */
  advanceSlot(): void {
    const before = {
      confirmed: this.levelSlot('confirmed'),
      finalized: this.levelSlot('finalized'),
    };
    this.slotValue += 1n;
    this.svm.warpToSlot(this.slotValue);
    this.pushBlockhash();
    this.pruneHistory();
    this.emit('slot', this.slotValue);
    this.emit('commitment', 'confirmed', before.confirmed, this.levelSlot('confirmed'));
    this.emit('commitment', 'finalized', before.finalized, this.levelSlot('finalized'));
  }

  latestBlockhash(): { blockhash: Blockhash; lastValidBlockHeight: bigint } {
    const hash = this.blockhashOrder[this.blockhashOrder.length - 1]!;
    return { blockhash: hash as Blockhash, lastValidBlockHeight: this.slotValue + BLOCKHASH_WINDOW };
  }

  isBlockhashValid(hash: string): boolean {
    const slot = this.blockhashes.get(hash);
    return slot !== undefined && this.slotValue - slot <= BLOCKHASH_WINDOW;
  }

  account(address: Address, commitment: Commitment = 'finalized'): AccountView | null {
    const history = this.versions.get(address);
    if (!history || commitment === 'processed') return view(this.svm.getAccount(address));
    const target = this.slotAt(commitment);
    for (let i = history.length - 1; i >= 0; i--) {
      if (history[i]!.slot <= target) return history[i]!.account;
    }
    return null;
  }

  programAccounts(
    program: Address,
    commitment: Commitment,
  ): Array<{ address: Address; account: AccountView }> {
    const out: Array<{ address: Address; account: AccountView }> = [];
    for (const encoded of this.svm.getProgramAccounts(program)) {
      const account = this.account(encoded.address, commitment);
      if (account && account.owner === program) out.push({ address: encoded.address, account });
    }
    // Accounts that no longer belong to the program at `processed` but did at the older slot.
    if (commitment !== 'processed') {
      for (const [address, history] of this.versions) {
        if (out.some((o) => o.address === address)) continue;
        const account = this.account(address as Address, commitment);
        if (account && account.owner === program && history.length)
          out.push({ address: address as Address, account });
      }
    }
    return out;
  }

  /** Writes an account directly (genesis, faucet, loaded programs), recorded at the current slot. */
  setAccount(address: Address, account: AccountView): void {
    this.svm.setAccount({
      address,
      lamports: account.lamports as Lamports,
      programAddress: account.owner,
      data: account.data,
      executable: account.executable,
      space: BigInt(account.data.length),
    } as unknown as EncodedAccount);
    this.recordVersion(address);
  }

  addProgram(programId: Address, bytes: Uint8Array): void {
    this.svm.addProgram(programId, bytes);
    this.recordVersion(programId);
  }

  airdrop(address: Address, lamports: bigint): string {
    const before = this.svm.getBalance(address) ?? 0n;
    const result = this.svm.airdrop(address, lamports as Lamports);
    if (!result || result instanceof FailedTransactionMetadata) {
      throw new RpcError(RPC_SEND_TRANSACTION_PREFLIGHT_FAILURE, 'airdrop failed');
    }
    const signature = base58.decode(result.signature());
    const record: TransactionRecord = {
      signature,
      slot: this.slotValue,
      order: this.orderCounter++,
      blockTime: Math.floor(Date.now() / 1000),
      wire: new Uint8Array(),
      accountKeys: [address],
      writable: [true],
      err: null,
      logs: result.logs(),
      computeUnits: result.computeUnitsConsumed(),
      fee: 0n,
      preBalances: [before],
      postBalances: [this.svm.getBalance(address) ?? 0n],
      version: 'legacy',
    };
    this.recordVersion(address);
    this.store(record);
    return signature;
  }

  decode(wire: Uint8Array): {
    transaction: Transaction;
    signature: string;
    accountKeys: Address[];
    writable: boolean[];
    blockhash: string;
    version: 'legacy' | 0;
  } {
    let transaction: Transaction;
    let message: ReturnType<typeof messageDecoder.decode>;
    try {
      transaction = transactionDecoder.decode(wire);
      message = messageDecoder.decode(transaction.messageBytes);
    } catch (e) {
      throw new RpcError(
        -32602,
        `failed to deserialize transaction: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const accountKeys = [...message.staticAccounts];
    const h = message.header;
    const writable = accountKeys.map(
      (_, i) =>
        i < h.numSignerAccounts - h.numReadonlySignerAccounts ||
        (i >= h.numSignerAccounts && i < accountKeys.length - h.numReadonlyNonSignerAccounts),
    );
    const first = Object.values(transaction.signatures)[0];
    if (!first)
      throw new RpcError(RPC_TRANSACTION_SIGNATURE_VERIFICATION_FAILURE, 'transaction has no signature');
    const lifetime = (message as { lifetimeToken?: string }).lifetimeToken ?? '';
    const version = message.version === 'legacy' ? 'legacy' : 0;
    return {
      transaction,
      signature: base58.decode(first),
      accountKeys,
      writable,
      blockhash: lifetime,
      version,
    };
  }

  simulate(wire: Uint8Array): { err: TransactionErrorJson | null; logs: string[]; unitsConsumed: bigint } {
    const { transaction } = this.decode(wire);
    const result = this.svm.simulateTransaction(transaction);
    if (result instanceof FailedTransactionMetadata) {
      return {
        err: transactionErrorJson(result),
        logs: result.meta().logs(),
        unitsConsumed: result.meta().computeUnitsConsumed(),
      };
    }
    const meta = result.meta();
    return { err: null, logs: meta.logs(), unitsConsumed: meta.computeUnitsConsumed() };
  }

  /**
   * Executes a wire transaction in the current slot. With preflight, a transaction that would fail
   * is refused without touching state (-32002, with its logs); without, it lands with its error.
   */
  send(wire: Uint8Array, options: { skipPreflight?: boolean } = {}): string {
    const decoded = this.decode(wire);
    if (this.ledger.has(decoded.signature)) {
      throw new RpcError(
        RPC_SEND_TRANSACTION_PREFLIGHT_FAILURE,
        'Transaction simulation failed: This transaction has already been processed',
        {
          err: 'AlreadyProcessed',
          logs: [],
        },
      );
    }
    if (!this.isBlockhashValid(decoded.blockhash)) {
      throw new RpcError(
        RPC_SEND_TRANSACTION_PREFLIGHT_FAILURE,
        'Transaction simulation failed: Blockhash not found',
        {
          err: 'BlockhashNotFound',
          logs: [],
          accounts: null,
          unitsConsumed: 0,
        },
      );
    }
    if (!options.skipPreflight) {
      const sim = this.simulate(wire);
      if (sim.err !== null) {
        throw new RpcError(
          RPC_SEND_TRANSACTION_PREFLIGHT_FAILURE,
          `Transaction simulation failed: ${describeTransactionError(sim.err)}`,
          {
            err: sim.err,
            logs: sim.logs,
            accounts: null,
            unitsConsumed: Number(sim.unitsConsumed),
            returnData: null,
          },
        );
      }
    }
    const preBalances = decoded.accountKeys.map((a) => this.svm.getBalance(a) ?? 0n);
    const result: TransactionMetadata | FailedTransactionMetadata = this.svm.sendTransaction(
      decoded.transaction,
    );
    const failed = result instanceof FailedTransactionMetadata;
    const meta = failed ? result.meta() : result;
    if (failed) {
      const err = transactionErrorJson(result);
      if (err === 'SignatureFailure') {
        throw new RpcError(
          RPC_TRANSACTION_SIGNATURE_VERIFICATION_FAILURE,
          'Transaction signature verification failure',
        );
      }
      // Errors raised before execution leave no trace on a real cluster either.
      if (
        typeof err === 'string' &&
        [
          'AlreadyProcessed',
          'BlockhashNotFound',
          'InsufficientFundsForFee',
          'AccountNotFound',
          'SanitizeFailure',
        ].includes(err)
      ) {
        throw new RpcError(RPC_SEND_TRANSACTION_PREFLIGHT_FAILURE, `Transaction failed: ${err}`, {
          err,
          logs: meta.logs(),
        });
      }
    }
    const record: TransactionRecord = {
      signature: decoded.signature,
      slot: this.slotValue,
      order: this.orderCounter++,
      blockTime: Math.floor(Date.now() / 1000),
      wire,
      accountKeys: decoded.accountKeys,
      writable: decoded.writable,
      err: failed ? transactionErrorJson(result) : null,
      logs: meta.logs(),
      computeUnits: meta.computeUnitsConsumed(),
      fee: LAMPORTS_PER_SIGNATURE * BigInt(Object.keys(decoded.transaction.signatures).length),
      preBalances,
      postBalances: decoded.accountKeys.map((a) => this.svm.getBalance(a) ?? 0n),
      version: decoded.version,
    };
    decoded.accountKeys.forEach((a, i) => {
      if (decoded.writable[i]) this.recordVersion(a);
    });
    this.store(record);
    return record.signature;
  }

  transaction(signature: string): TransactionRecord | undefined {
    return this.ledger.get(signature);
  }

  transactionsInSlots(fromExclusive: bigint, toInclusive: bigint): TransactionRecord[] {
    const out: TransactionRecord[] = [];
    for (let s = fromExclusive + 1n; s <= toInclusive; s++) out.push(...(this.bySlot.get(s) ?? []));
    return out;
  }

  /** Newest first, as getSignaturesForAddress returns them. */
  signaturesFor(address: string): readonly TransactionRecord[] {
    return [...(this.byAddress.get(address) ?? [])].reverse();
  }

  /** Full VM state (accounts, sysvars), for persistence across restarts. */
  snapshot(): Uint8Array {
    return this.svm.toBytes();
  }

  private store(record: TransactionRecord): void {
    this.ledger.set(record.signature, record);
    this.transactionCount += 1n;
    const inSlot = this.bySlot.get(record.slot) ?? [];
    inSlot.push(record);
    this.bySlot.set(record.slot, inSlot);
    for (const key of new Set(record.accountKeys)) {
      const list = this.byAddress.get(key) ?? [];
      list.push(record);
      this.byAddress.set(key, list);
    }
    if (this.ledger.size > this.ledgerCapacity) this.evictOldest();
    this.emit('transaction', record);
  }

  private evictOldest(): void {
    const oldest = this.ledger.values().next().value as TransactionRecord | undefined;
    if (!oldest) return;
    this.ledger.delete(oldest.signature);
    const inSlot = this.bySlot.get(oldest.slot)?.filter((r) => r !== oldest);
    if (inSlot?.length) this.bySlot.set(oldest.slot, inSlot);
    else this.bySlot.delete(oldest.slot);
    for (const key of new Set(oldest.accountKeys)) {
      const list = this.byAddress.get(key);
      if (list?.[0] === oldest) list.shift();
      if (list && list.length === 0) this.byAddress.delete(key);
    }
  }

  private recordVersion(address: Address): void {
    const history = this.versions.get(address) ?? [];
    const account = view(this.svm.getAccount(address));
    const last = history[history.length - 1];
    if (last && last.slot === this.slotValue) history[history.length - 1] = { slot: this.slotValue, account };
    else history.push({ slot: this.slotValue, account });
    this.versions.set(address, history);
  }

  /** Versions older than the newest one at or below the finalized slot can no longer be read. */
  private pruneHistory(): void {
    const finalized = this.slotAt('finalized');
    for (const history of this.versions.values()) {
      let keepFrom = 0;
      for (let i = 0; i < history.length; i++) if (history[i]!.slot <= finalized) keepFrom = i;
      if (keepFrom > 0) history.splice(0, keepFrom);
    }
  }

  private pushBlockhash(): void {
    const hash = base58.decode(
      createHash('sha256').update(this.genesisHash).update(this.slotValue.toString()).digest(),
    );
    this.blockhashes.set(hash, this.slotValue);
    this.blockhashOrder.push(hash);
    while (this.blockhashOrder.length > Number(BLOCKHASH_WINDOW) + 1) {
      this.blockhashes.delete(this.blockhashOrder.shift()!);
    }
  }
}
