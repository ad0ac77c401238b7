import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  type Address,
  type Blockhash,
  type EncodedAccount,
  getBase58Decoder,
  getBase58Encoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
  type Lamports,
  type MaybeEncodedAccount,
  type Transaction,
} from '@solana/kit';
import { FailedTransactionMetadata, LiteSVM, type TransactionMetadata } from 'litesvm';
import {
  RPC_INVALID_PARAMS,
  RPC_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  RPC_TRANSACTION_SIGNATURE_VERIFICATION_FAILURE,
  RpcError,
} from './errors.js';
import { type CompiledMessage, messageFee } from './fees.js';
import {
  MAX_PROCESSING_AGE,
  MAX_RECENT_BLOCKHASHES,
  MAX_SIMULATION_AGE,
  VERSIONED_MESSAGE_TYPE,
  VERSIONED_TRANSACTION_TYPE,
} from './limits.js';
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
  readonly recentBlockhash: string;
  readonly returnData: { programId: string; data: [string, 'base64'] } | null;
  readonly innerInstructions: readonly InnerInstructions[];
}

/** Instructions a top-level instruction invoked (CPI), by the index of that instruction. */
export interface InnerInstructions {
  readonly index: number;
  readonly instructions: ReadonlyArray<{
    readonly programIdIndex: number;
    readonly accounts: readonly number[];
    readonly data: Uint8Array;
    readonly stackHeight: number;
  }>;
}

export interface DecodedTransaction {
  readonly transaction: Transaction;
  readonly message: CompiledMessage;
  readonly signature: string;
  readonly accountKeys: Address[];
  readonly writable: boolean[];
  readonly blockhash: string;
  readonly version: 'legacy' | 0;
}

export interface SimulationOptions {
  /**
   * The bank the blockhash is checked against (default finalized, as the RPC): a blockhash newer
   * than that bank is not found. Account state is always the latest (processed) one.
   */
  readonly commitment?: Commitment;
  /** Verify signatures first (-32003 on failure); otherwise an unsigned transaction simulates. */
  readonly sigVerify?: boolean;
  /** Simulate against the latest blockhash instead of the transaction's own. */
  readonly replaceRecentBlockhash?: boolean;
}

export interface SimulationResult {
  readonly err: TransactionErrorJson | null;
  readonly logs: string[];
  readonly unitsConsumed: bigint;
  readonly innerInstructions: readonly InnerInstructions[];
  /** The transaction's accounts after it ran (empty when it failed). */
  readonly postAccounts: ReadonlyMap<string, AccountView | null>;
  readonly returnData: { programId: string; data: [string, 'base64'] } | null;
  readonly replacementBlockhash: { blockhash: string; lastValidBlockHeight: bigint } | null;
}

/** Why a transaction sent with skipPreflight never landed (a leader drops it silently). */
export interface DroppedTransaction {
  readonly signature: string;
  readonly reason: TransactionErrorJson;
}

interface AccountVersion {
  readonly slot: bigint;
  readonly account: AccountView | null;
}

const base58 = getBase58Decoder();
const base58Bytes = getBase58Encoder();
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

  /**
   * The newest blockhash of the bank at `commitment` and the last block height at which a
   * transaction using it still lands (that bank's height + 150).
   */
  latestBlockhash(commitment: Commitment = 'processed'): {
    blockhash: Blockhash;
    lastValidBlockHeight: bigint;
  } {
    const slot = this.slotAt(commitment);
    let hash = this.blockhashOrder[0]!;
    for (let i = this.blockhashOrder.length - 1; i >= 0; i--) {
      const candidate = this.blockhashOrder[i]!;
      if (this.blockhashes.get(candidate)! <= slot) {
        hash = candidate;
        break;
      }
    }
    return {
      blockhash: hash as Blockhash,
      lastValidBlockHeight: this.blockhashes.get(hash)! + MAX_PROCESSING_AGE,
    };
  }

  /**
   * Blocks between the blockhash and the bank at `commitment` (every slot is a block here); undefined
   * when that bank does not know it (too old, or produced after it).
   */
  blockhashAge(hash: string, commitment: Commitment = 'processed'): bigint | undefined {
    const slot = this.blockhashes.get(hash);
    const bank = this.slotAt(commitment);
    return slot === undefined || slot > bank ? undefined : bank - slot;
  }

  /** A transaction with this blockhash still lands (block height <= its lastValidBlockHeight). */
  isBlockhashValid(
    hash: string,
    maxAge: bigint = MAX_PROCESSING_AGE,
    commitment: Commitment = 'processed',
  ): boolean {
    const age = this.blockhashAge(hash, commitment);
    return age !== undefined && age <= maxAge;
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

  /** Funds an account at genesis; throws if the transfer fails (e.g. it would leave it below rent). */
  airdrop(address: Address, lamports: bigint): string {
    const record = this.faucetTransfer(address, lamports);
    if (record.err !== null) {
      throw new RpcError(
        RPC_SEND_TRANSACTION_PREFLIGHT_FAILURE,
        `airdrop failed: ${describeTransactionError(record.err)}`,
      );
    }
    return record.signature;
  }

  /**
   * requestAirdrop: the faucet's transfer is sent without preflight, as Agave's RPC does, so one
   * the runtime refuses (an amount leaving a new account below rent exemption) lands failed and
   * its signature is still the answer.
   */
  requestAirdrop(address: Address, lamports: bigint): string {
    return this.faucetTransfer(address, lamports).signature;
  }

  private faucetTransfer(address: Address, lamports: bigint): TransactionRecord {
    const before = this.svm.getBalance(address) ?? 0n;
    const result = this.svm.airdrop(address, lamports as Lamports);
    if (!result) throw new Error('LiteSVM answered no airdrop result');
    const failed = result instanceof FailedTransactionMetadata;
    const meta = failed ? result.meta() : result;
    const record: TransactionRecord = {
      signature: base58.decode(meta.signature()),
      slot: this.slotValue,
      order: this.orderCounter++,
      blockTime: Math.floor(Date.now() / 1000),
      wire: new Uint8Array(),
      accountKeys: [address],
      writable: [true],
      err: failed ? transactionErrorJson(result) : null,
      logs: meta.logs(),
      computeUnits: meta.computeUnitsConsumed(),
      fee: 0n,
      preBalances: [before],
      postBalances: [this.svm.getBalance(address) ?? 0n],
      version: 'legacy',
      recentBlockhash: this.latestBlockhash().blockhash,
      returnData: null,
      innerInstructions: [],
    };
    this.recordVersion(address);
    this.store(record);
    return record;
  }

  decode(wire: Uint8Array): DecodedTransaction {
    let transaction: Transaction;
    let message: CompiledMessage;
    try {
      transaction = transactionDecoder.decode(wire);
      message = supportedMessage(messageDecoder.decode(transaction.messageBytes));
    } catch (e) {
      throw new RpcError(
        RPC_INVALID_PARAMS,
        `failed to deserialize ${VERSIONED_TRANSACTION_TYPE}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const accountKeys = [...message.staticAccounts];
    const h = message.header;
    const writable = accountKeys.map(
      (_, i) =>
        i < h.numSignerAccounts - h.numReadonlySignerAccounts ||
        (i >= h.numSignerAccounts && i < accountKeys.length - h.numReadonlyNonSignerAccounts),
    );
    if (h.numSignerAccounts === 0 || Object.keys(transaction.signatures).length !== h.numSignerAccounts) {
      throw new RpcError(
        RPC_INVALID_PARAMS,
        'invalid transaction: Transaction failed to sanitize accounts offsets correctly',
      );
    }
    const first = transaction.signatures[accountKeys[0]!];
    const lifetime = message.lifetimeToken ?? '';
    const version = message.version === 'legacy' ? 'legacy' : 0;
    return {
      transaction,
      message,
      // an absent (all-zero) signature still names the transaction, as base-58 of 64 zero bytes
      signature: base58.decode(first ?? new Uint8Array(64)),
      accountKeys,
      writable,
      blockhash: lifetime,
      version,
    };
  }

  /** Every required signature is present and verifies over the message bytes. */
  signaturesValid(decoded: DecodedTransaction): boolean {
    return Object.entries(decoded.transaction.signatures).every(([signer, signature]) => {
      if (!signature) return false;
      try {
        return ed25519.verify(
          signature as Uint8Array,
          decoded.transaction.messageBytes as unknown as Uint8Array,
          base58Bytes.encode(signer) as Uint8Array,
        );
      } catch {
        return false;
      }
    });
  }

  /** Fee of a message (base-64 decoded bytes) at the current bank, null once its blockhash is forgotten. */
  feeForMessage(messageBytes: Uint8Array, commitment: Commitment = 'finalized'): bigint | null {
    let message: CompiledMessage;
    try {
      message = supportedMessage(messageDecoder.decode(messageBytes));
    } catch (e) {
      throw new RpcError(
        RPC_INVALID_PARAMS,
        `failed to deserialize ${VERSIONED_MESSAGE_TYPE}: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const lifetime = message.lifetimeToken ?? '';
    if (this.blockhashAge(lifetime, commitment) === undefined) return null;
    return messageFee(message).fee;
  }

  /**
   * The checks a bank makes before loading a transaction: its blockhash is at most `maxAge` blocks
   * old, and its signature is not in the status cache.
   */
  private precheck(
    decoded: DecodedTransaction,
    maxAge: bigint,
    commitment: Commitment,
  ): TransactionErrorJson | null {
    if (!this.isBlockhashValid(decoded.blockhash, maxAge, commitment)) return 'BlockhashNotFound';
    if (this.ledger.has(decoded.signature)) return 'AlreadyProcessed';
    return null;
  }

  /** simulateTransaction: runs the transaction against current state and changes nothing. */
  simulate(wire: Uint8Array, options: SimulationOptions = {}): SimulationResult {
    let decoded = this.decode(wire);
    let replacementBlockhash: SimulationResult['replacementBlockhash'] = null;
    if (options.replaceRecentBlockhash) {
      replacementBlockhash = this.latestBlockhash(options.commitment ?? 'finalized');
      const hash = base58Bytes.encode(replacementBlockhash.blockhash) as Uint8Array;
      decoded = this.decode(withBlockhash(wire, hash));
    }
    if (options.sigVerify && !this.signaturesValid(decoded)) throw signatureVerificationFailure();
    return { ...this.simulateDecoded(decoded, options.commitment ?? 'finalized'), replacementBlockhash };
  }

  private simulateDecoded(
    decoded: DecodedTransaction,
    commitment: Commitment,
  ): Omit<SimulationResult, 'replacementBlockhash'> {
    const refused = this.precheck(decoded, MAX_SIMULATION_AGE, commitment);
    if (refused) {
      return {
        err: refused,
        logs: [],
        unitsConsumed: 0n,
        returnData: null,
        innerInstructions: [],
        postAccounts: new Map(),
      };
    }
    // signatures are the caller's concern here (sigVerify / preflight verify them first)
    this.svm.withSigverify(false);
    let result: ReturnType<LiteSVM['simulateTransaction']>;
    try {
      result = this.svm.simulateTransaction(decoded.transaction);
    } finally {
      this.svm.withSigverify(true);
    }
    if (result instanceof FailedTransactionMetadata) {
      return {
        err: transactionErrorJson(result),
        logs: result.meta().logs(),
        unitsConsumed: result.meta().computeUnitsConsumed(),
        returnData: returnDataJson(result.meta()),
        innerInstructions: innerInstructionsOf(result.meta()),
        postAccounts: new Map(),
      };
    }
    const meta = result.meta();
    return {
      err: null,
      logs: meta.logs(),
      unitsConsumed: meta.computeUnitsConsumed(),
      returnData: returnDataJson(meta),
      innerInstructions: innerInstructionsOf(meta),
      postAccounts: new Map(
        result
          .postAccounts()
          .map((a) => [a.address as string, view({ ...a, exists: true } as MaybeEncodedAccount)]),
      ),
    };
  }

  /**
   * sendTransaction. With preflight, the signatures are verified (-32003) and the transaction is
   * simulated as a leader would (blockhash known to the bank at `preflightCommitment`, default
   * finalized, and at most 144 blocks older than it; not already processed); any
   * error is refused with -32002 and changes nothing. Without preflight, the signature comes back
   * at once and a transaction a leader would drop (blockhash older than 150 blocks, duplicate,
   * bad signature, fee payer unable to pay) never lands; one that fails in execution lands with
   * its error and pays its fee.
   */
  send(
    wire: Uint8Array,
    options: { skipPreflight?: boolean; preflightCommitment?: Commitment } = {},
  ): string {
    const decoded = this.decode(wire);
    const signed = this.signaturesValid(decoded);
    if (!options.skipPreflight) {
      if (!signed) throw signatureVerificationFailure();
      const sim = this.simulateDecoded(decoded, options.preflightCommitment ?? 'finalized');
      if (sim.err !== null) {
        throw new RpcError(
          RPC_SEND_TRANSACTION_PREFLIGHT_FAILURE,
          `Transaction simulation failed: ${describeTransactionError(sim.err)}`,
          {
            err: sim.err,
            logs: sim.logs,
            accounts: null,
            unitsConsumed: sim.unitsConsumed,
            returnData: sim.returnData,
            innerInstructions: null,
            replacementBlockhash: null,
          },
        );
      }
    }
    if (!signed) return this.drop(decoded, 'SignatureFailure');
    const refused = this.precheck(decoded, MAX_PROCESSING_AGE, 'processed');
    if (refused) return this.drop(decoded, refused);
    const payer = decoded.accountKeys[0]!;
    const preBalances = decoded.accountKeys.map((a) => this.svm.getBalance(a) ?? 0n);
    const result: TransactionMetadata | FailedTransactionMetadata = this.svm.sendTransaction(
      decoded.transaction,
    );
    const failed = result instanceof FailedTransactionMetadata;
    const err = failed ? transactionErrorJson(result) : null;
    // A transaction that failed before its fee was taken (fee payer missing or short of the fee,
    // a program that cannot be loaded) is not committed: it leaves no trace on a cluster either.
    if (err !== null && (this.svm.getBalance(payer) ?? 0n) === preBalances[0]) return this.drop(decoded, err);
    const meta = failed ? result.meta() : result;
    const record: TransactionRecord = {
      signature: decoded.signature,
      slot: this.slotValue,
      order: this.orderCounter++,
      blockTime: Math.floor(Date.now() / 1000),
      wire,
      accountKeys: decoded.accountKeys,
      writable: decoded.writable,
      err,
      logs: meta.logs(),
      computeUnits: meta.computeUnitsConsumed(),
      fee: messageFee(decoded.message).fee,
      preBalances,
      postBalances: decoded.accountKeys.map((a) => this.svm.getBalance(a) ?? 0n),
      version: decoded.version,
      recentBlockhash: decoded.blockhash,
      returnData: returnDataJson(meta),
      innerInstructions: innerInstructionsOf(meta),
    };
    decoded.accountKeys.forEach((a, i) => {
      if (decoded.writable[i]) this.recordVersion(a);
    });
    this.store(record);
    return record.signature;
  }

  private drop(decoded: DecodedTransaction, reason: TransactionErrorJson): string {
    const dropped: DroppedTransaction = { signature: decoded.signature, reason };
    this.emit('dropped', dropped);
    return decoded.signature;
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
    while (this.blockhashOrder.length > Number(MAX_RECENT_BLOCKHASHES) + 1) {
      this.blockhashes.delete(this.blockhashOrder.shift()!);
    }
  }
}

/** Version 1 messages are not accepted by the cluster version the localnet reports. */
function supportedMessage(message: ReturnType<typeof messageDecoder.decode>): CompiledMessage {
  if (message.version === 1) throw new Error('Transaction version 1 is not supported');
  return message;
}

function signatureVerificationFailure(): RpcError {
  return new RpcError(
    RPC_TRANSACTION_SIGNATURE_VERIFICATION_FAILURE,
    'Transaction signature verification failure',
  );
}

function returnDataJson(meta: TransactionMetadata): TransactionRecord['returnData'] {
  const returned = meta.returnData();
  const data = returned.data();
  if (data.length === 0) return null;
  return {
    programId: base58.decode(returned.programId()),
    data: [Buffer.from(data).toString('base64'), 'base64'],
  };
}

function innerInstructionsOf(meta: TransactionMetadata): InnerInstructions[] {
  const out: InnerInstructions[] = [];
  meta.innerInstructions().forEach((list, index) => {
    if (list.length === 0) return;
    out.push({
      index,
      instructions: list.map((inner) => {
        const ix = inner.instruction();
        return {
          programIdIndex: ix.programIdIndex(),
          accounts: [...ix.accounts()],
          data: new Uint8Array(ix.data()),
          stackHeight: inner.stackHeight(),
        };
      }),
    });
  });
  return out;
}

/** Reads a compact-u16 (shortvec) at `offset`: its value and its length in bytes. */
function shortVec(bytes: Uint8Array, offset: number): [number, number] {
  let value = 0;
  for (let i = 0; i < 3; i++) {
    const byte = bytes[offset + i] ?? 0;
    value |= (byte & 0x7f) << (7 * i);
    if ((byte & 0x80) === 0) return [value, i + 1];
  }
  return [value, 3];
}

/** The same wire transaction with another recent blockhash (its signatures no longer verify). */
function withBlockhash(wire: Uint8Array, blockhash: Uint8Array): Uint8Array {
  const [signatures, sigLen] = shortVec(wire, 0);
  let at = sigLen + 64 * signatures;
  if ((wire[at]! & 0x80) !== 0) at += 1; // versioned message prefix
  at += 3; // header
  const [keys, keysLen] = shortVec(wire, at);
  at += keysLen + 32 * keys;
  const out = new Uint8Array(wire);
  out.set(blockhash, at);
  return out;
}
