import {
  type Address,
  getBase58Decoder,
  getBase58Encoder,
  getBase64Decoder,
  getBase64Encoder,
  address as toAddress,
} from '@solana/kit';
import type { AccountView, Commitment, LocalChain, TransactionRecord } from './chain.js';
import {
  RPC_INVALID_PARAMS,
  RPC_INVALID_REQUEST,
  RPC_METHOD_NOT_FOUND,
  RPC_MIN_CONTEXT_SLOT_NOT_REACHED,
  RpcError,
} from './errors.js';
import {
  binaryEncoding,
  decodeWire,
  MAX_PROCESSING_AGE,
  VERSIONED_MESSAGE_TYPE,
  VERSIONED_TRANSACTION_TYPE,
} from './limits.js';
import { innerInstructionsJson, transactionJson } from './transaction-json.js';

const base58 = { encode: getBase58Decoder(), decode: getBase58Encoder() };
const base64 = { encode: getBase64Decoder(), decode: getBase64Encoder() };
const SLOTS_PER_EPOCH = 432_000n;
const MAX_SIGNATURES_LIMIT = 1000;
const MAX_MULTIPLE_ACCOUNTS = 100;
const MAX_SIGNATURE_STATUSES = 256;
export const SOLANA_CORE_VERSION = '2.2.0';

type Params = readonly unknown[];
type Config = Record<string, unknown>;
export type Handler = (params: Params) => unknown;

function invalid(message: string): never {
  throw new RpcError(RPC_INVALID_PARAMS, message);
}

function config(params: Params, index: number): Config {
  const c = params[index];
  if (c === undefined || c === null) return {};
  if (typeof c !== 'object' || Array.isArray(c))
    invalid(`Invalid params: config at position ${index} must be an object`);
  return c as Config;
}

function commitmentOf(c: Config, key = 'commitment'): Commitment {
  const v = c[key] ?? 'finalized';
  if (v !== 'processed' && v !== 'confirmed' && v !== 'finalized')
    invalid(`Invalid params: unknown commitment ${String(v)}`);
  return v;
}

function addressParam(value: unknown, what = 'address'): Address {
  if (typeof value !== 'string') invalid(`Invalid params: ${what} must be a base-58 string`);
  try {
    return toAddress(value);
  } catch {
    invalid(`Invalid param: Invalid ${what}`);
  }
}

function integer(value: unknown, what: string): bigint {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return BigInt(value);
  if (typeof value === 'bigint' && value >= 0n) return value;
  invalid(`Invalid params: ${what} must be a non-negative integer`);
}

function encodeAccount(account: AccountView, c: Config): Record<string, unknown> {
  const encoding = (c.encoding as string | undefined) ?? 'base64';
  let data = account.data;
  const slice = c.dataSlice as { offset?: number; length?: number } | undefined;
  if (slice) data = data.subarray(slice.offset ?? 0, (slice.offset ?? 0) + (slice.length ?? data.length));
  let encoded: unknown;
  if (encoding === 'base58') {
    if (data.length > 128) {
      throw new RpcError(
        RPC_INVALID_REQUEST,
        'Encoded binary (base 58) data should be less than 128 bytes, please use Base64 encoding.',
      );
    }
    encoded = [base58.encode.decode(data), 'base58'];
  } else if (encoding === 'base64' || encoding === 'jsonParsed') {
    // Like a real node, accounts it cannot parse come back as base64 under jsonParsed.
    encoded = [base64.encode.decode(data), 'base64'];
  } else {
    invalid(`Invalid params: unsupported encoding ${encoding}`);
  }
  return {
    data: encoded,
    executable: account.executable,
    lamports: account.lamports,
    owner: account.owner,
    rentEpoch: 18446744073709551615n,
    space: account.space,
  };
}

function matchesFilters(account: AccountView, filters: unknown): boolean {
  if (filters === undefined) return true;
  if (!Array.isArray(filters) || filters.length > 4)
    invalid('Invalid params: filters must be an array of at most 4');
  for (const f of filters as Record<string, unknown>[]) {
    if (f && typeof f === 'object' && 'dataSize' in f) {
      if (BigInt(account.data.length) !== integer(f.dataSize, 'dataSize')) return false;
    } else if (f && typeof f === 'object' && 'memcmp' in f) {
      const m = f.memcmp as { offset: unknown; bytes: unknown; encoding?: string };
      const offset = Number(integer(m.offset, 'memcmp.offset'));
      if (typeof m.bytes !== 'string' || m.bytes.length > 1024) invalid('Invalid params: memcmp.bytes');
      let bytes: Uint8Array;
      try {
        bytes =
          m.encoding === 'base64'
            ? new Uint8Array(base64.decode.encode(m.bytes))
            : new Uint8Array(base58.decode.encode(m.bytes));
      } catch {
        invalid('Invalid params: memcmp.bytes is not valid base-58/base-64');
      }
      if (offset + bytes.length > account.data.length) return false;
      for (let i = 0; i < bytes.length; i++) if (account.data[offset + i] !== bytes[i]) return false;
    } else {
      invalid('Invalid params: unknown filter');
    }
  }
  return true;
}

/** A transaction parameter, decoded and size-checked as the RPC does (base58 is the default). */
function wireParam(value: unknown, c: Config): Uint8Array {
  return decodeWire(value, binaryEncoding(c.encoding, 'base58'), VERSIONED_TRANSACTION_TYPE);
}

function status(chain: LocalChain, record: TransactionRecord): Record<string, unknown> {
  const level = chain.commitmentOf(record.slot);
  return {
    slot: record.slot,
    confirmations: level === 'finalized' ? null : chain.slot - record.slot,
    err: record.err,
    status: record.err === null ? { Ok: null } : { Err: record.err },
    confirmationStatus: level,
  };
}

function visibleAt(chain: LocalChain, record: TransactionRecord, commitment: Commitment): boolean {
  return record.slot <= chain.slotAt(commitment);
}

/** simulateTransaction's `accounts` option: which post-simulation accounts to return, and how. */
function simulationAccounts(value: unknown): { addresses: Address[]; encoding: string } | undefined {
  if (value === undefined || value === null) return undefined;
  const v = value as { addresses?: unknown; encoding?: unknown };
  if (!Array.isArray(v.addresses) || v.addresses.length > MAX_MULTIPLE_ACCOUNTS) {
    invalid(`Invalid params: accounts.addresses must be an array of at most ${MAX_MULTIPLE_ACCOUNTS}`);
  }
  const encoding = v.encoding ?? 'base64';
  if (encoding === 'base58' || encoding === 'binary') invalid('base58 encoding not supported');
  if (encoding !== 'base64' && encoding !== 'jsonParsed')
    invalid(`Invalid params: unsupported encoding ${String(encoding)}`);
  return { addresses: v.addresses.map((a) => addressParam(a)), encoding };
}

/** The Solana JSON-RPC methods the localnet serves, by name. */
export function rpcMethods(chain: LocalChain): Record<string, Handler> {
  /** The config's commitment, refusing a `minContextSlot` the node has not reached at that level. */
  const levelOf = (c: Config): Commitment => {
    const level = commitmentOf(c);
    if (c.minContextSlot !== undefined) {
      const wanted = integer(c.minContextSlot, 'minContextSlot');
      const contextSlot = chain.slotAt(level);
      if (contextSlot < wanted) {
        throw new RpcError(RPC_MIN_CONTEXT_SLOT_NOT_REACHED, 'Minimum context slot has not been reached', {
          contextSlot,
        });
      }
    }
    return level;
  };
  const context = (commitment: Commitment = 'finalized') => ({
    slot: chain.slotAt(commitment),
    apiVersion: SOLANA_CORE_VERSION,
  });
  return {
    getHealth: () => 'ok',
    getVersion: () => ({ 'solana-core': SOLANA_CORE_VERSION, 'feature-set': 0 }),
    getGenesisHash: () => chain.genesisHash,
    getSlot: (p) => chain.slotAt(levelOf(config(p, 0))),
    getBlockHeight: (p) => chain.slotAt(levelOf(config(p, 0))),
    getEpochInfo: (p) => {
      const slot = chain.slotAt(levelOf(config(p, 0)));
      return {
        absoluteSlot: slot,
        blockHeight: slot,
        epoch: slot / SLOTS_PER_EPOCH,
        slotIndex: slot % SLOTS_PER_EPOCH,
        slotsInEpoch: SLOTS_PER_EPOCH,
        transactionCount: chain.totalTransactions,
      };
    },
    getLatestBlockhash: (p) => {
      const c = levelOf(config(p, 0));
      return { context: context(c), value: chain.latestBlockhash(c) };
    },
    isBlockhashValid: (p) => {
      if (typeof p[0] !== 'string') invalid('Invalid params: blockhash must be a string');
      const c = levelOf(config(p, 1));
      return { context: context(c), value: chain.isBlockhashValid(p[0], MAX_PROCESSING_AGE, c) };
    },
    getBalance: (p) => {
      const c = levelOf(config(p, 1));
      return { context: context(c), value: chain.account(addressParam(p[0]), c)?.lamports ?? 0n };
    },
    getAccountInfo: (p) => {
      const cfg = config(p, 1);
      const c = levelOf(cfg);
      const account = chain.account(addressParam(p[0]), c);
      return { context: context(c), value: account ? encodeAccount(account, cfg) : null };
    },
    getMultipleAccounts: (p) => {
      if (!Array.isArray(p[0]) || p[0].length > MAX_MULTIPLE_ACCOUNTS) {
        invalid(`Invalid params: expected an array of at most ${MAX_MULTIPLE_ACCOUNTS} addresses`);
      }
      const cfg = config(p, 1);
      const c = levelOf(cfg);
      return {
        context: context(c),
        value: (p[0] as unknown[]).map((a) => {
          const account = chain.account(addressParam(a), c);
          return account ? encodeAccount(account, cfg) : null;
        }),
      };
    },
    getProgramAccounts: (p) => {
      const cfg = config(p, 1);
      const c = levelOf(cfg);
      const list = chain
        .programAccounts(addressParam(p[0], 'program id'), c)
        .filter(({ account }) => matchesFilters(account, cfg.filters))
        .map(({ address, account }) => ({ pubkey: address, account: encodeAccount(account, cfg) }));
      return cfg.withContext ? { context: context(c), value: list } : list;
    },
    getMinimumBalanceForRentExemption: (p) =>
      chain.svm.minimumBalanceForRentExemption(integer(p[0], 'data length')),
    requestAirdrop: (p) => {
      const lamports = integer(p[1], 'lamports');
      if (lamports === 0n || lamports > 1_000_000_000_000_000n)
        invalid('Invalid params: airdrop amount out of range');
      return chain.requestAirdrop(addressParam(p[0]), lamports);
    },
    sendTransaction: (p) => {
      const cfg = config(p, 1);
      const skipPreflight = cfg.skipPreflight === true;
      // the preflight bank: processed when skipping preflight, else preflightCommitment (finalized)
      const preflightCommitment = levelOf({
        commitment: skipPreflight ? 'processed' : cfg.preflightCommitment,
        minContextSlot: cfg.minContextSlot,
      });
      return chain.send(wireParam(p[0], cfg), { skipPreflight, preflightCommitment });
    },
    simulateTransaction: (p) => {
      const cfg = config(p, 1);
      const c = levelOf(cfg);
      const sigVerify = cfg.sigVerify === true;
      const replaceRecentBlockhash = cfg.replaceRecentBlockhash === true;
      if (sigVerify && replaceRecentBlockhash)
        invalid('sigVerify may not be used with replaceRecentBlockhash');
      const wanted = simulationAccounts(cfg.accounts);
      const wire = wireParam(p[0], cfg);
      const result = chain.simulate(wire, { sigVerify, replaceRecentBlockhash, commitment: c });
      const accountKeys = chain.decode(wire).accountKeys;
      return {
        context: context(c),
        value: {
          err: result.err,
          logs: result.logs,
          accounts: wanted
            ? wanted.addresses.map((a) => {
                if (result.err !== null) return null;
                const account = result.postAccounts.has(a)
                  ? result.postAccounts.get(a)
                  : chain.account(a, 'processed');
                return account ? encodeAccount(account, { encoding: wanted.encoding }) : null;
              })
            : null,
          unitsConsumed: result.unitsConsumed,
          returnData: result.returnData,
          innerInstructions:
            cfg.innerInstructions === true
              ? innerInstructionsJson(result.innerInstructions, accountKeys, 'jsonParsed')
              : null,
          replacementBlockhash: result.replacementBlockhash,
        },
      };
    },
    getFeeForMessage: (p) => {
      const c = levelOf(config(p, 1));
      const bytes = decodeWire(p[0], 'base64', VERSIONED_MESSAGE_TYPE);
      return { context: context(c), value: chain.feeForMessage(bytes, c) };
    },
    getSignatureStatuses: (p) => {
      if (!Array.isArray(p[0]) || p[0].length > MAX_SIGNATURE_STATUSES) {
        invalid(`Invalid params: expected an array of at most ${MAX_SIGNATURE_STATUSES} signatures`);
      }
      return {
        context: context('processed'),
        value: (p[0] as unknown[]).map((s) => {
          if (typeof s !== 'string') invalid('Invalid params: signature must be a string');
          const record = chain.transaction(s);
          return record ? status(chain, record) : null;
        }),
      };
    },
    getTransaction: (p) => {
      if (typeof p[0] !== 'string') invalid('Invalid params: signature must be a string');
      const cfg = config(p, 1);
      const c = levelOf(cfg);
      if (c === 'processed') invalid('Method does not support commitment below `confirmed`');
      const record = chain.transaction(p[0]);
      if (!record || !visibleAt(chain, record, c)) return null;
      const maxVersion = cfg.maxSupportedTransactionVersion;
      if (record.version === 0 && maxVersion === undefined) {
        throw new RpcError(-32015, 'Transaction version (0) is not supported by the requesting client.');
      }
      const encoding = (cfg.encoding as string | undefined) ?? 'json';
      return {
        slot: record.slot,
        blockTime: record.blockTime,
        ...(maxVersion !== undefined ? { version: record.version } : {}),
        transaction: transactionJson(record, encoding),
        meta: {
          err: record.err,
          status: record.err === null ? { Ok: null } : { Err: record.err },
          fee: record.fee,
          preBalances: record.preBalances,
          postBalances: record.postBalances,
          innerInstructions: innerInstructionsJson(record.innerInstructions, record.accountKeys, encoding),
          logMessages: record.logs,
          preTokenBalances: [],
          postTokenBalances: [],
          rewards: [],
          // jsonParsed folds loaded addresses into accountKeys (source: lookupTable)
          ...(encoding === 'jsonParsed' ? {} : { loadedAddresses: { writable: [], readonly: [] } }),
          ...(record.returnData ? { returnData: record.returnData } : {}),
          computeUnitsConsumed: record.computeUnits,
        },
      };
    },
    getSignaturesForAddress: (p) => {
      const cfg = config(p, 1);
      const c = levelOf(cfg);
      if (c === 'processed') invalid('Method does not support commitment below `confirmed`');
      const limit = cfg.limit === undefined ? MAX_SIGNATURES_LIMIT : Number(integer(cfg.limit, 'limit'));
      if (limit < 1 || limit > MAX_SIGNATURES_LIMIT) invalid('Invalid params: limit must be in 1..1000');
      const all = chain.signaturesFor(addressParam(p[0])).filter((r) => visibleAt(chain, r, c));
      let start = 0;
      if (typeof cfg.before === 'string') {
        const i = all.findIndex((r) => r.signature === cfg.before);
        start = i < 0 ? all.length : i + 1;
      }
      const out: unknown[] = [];
      for (let i = start; i < all.length && out.length < limit; i++) {
        const r = all[i]!;
        if (typeof cfg.until === 'string' && r.signature === cfg.until) break;
        out.push({
          signature: r.signature,
          slot: r.slot,
          err: r.err,
          memo: null,
          blockTime: r.blockTime,
          confirmationStatus: chain.commitmentOf(r.slot),
        });
      }
      return out;
    },
  };
}

export function methodNotFound(method: string): never {
  throw new RpcError(RPC_METHOD_NOT_FOUND, `Method not found: ${method.slice(0, 64)}`);
}

export { encodeAccount, status as signatureStatus };
