import {
  getBase58Decoder,
  getBase64Decoder,
  getCompiledTransactionMessageDecoder,
  getTransactionDecoder,
} from '@solana/kit';
import type { InnerInstructions, TransactionRecord } from './chain.js';
import { RPC_INVALID_PARAMS, RpcError } from './errors.js';
import type { CompiledMessage } from './fees.js';

// getTransaction's `transaction` field in each encoding, with the field names of the public RPC
// reference (UiTransaction / UiParsedMessage), which web3.js 1.x validates field by field.

const base58 = getBase58Decoder();
const base64 = getBase64Decoder();
const SYSTEM_PROGRAM = '11111111111111111111111111111111';

type Json = Record<string, unknown>;

interface Decoded {
  readonly signatures: Array<string | null>;
  readonly message: CompiledMessage;
}

function decodeRecord(record: TransactionRecord): Decoded {
  const tx = getTransactionDecoder().decode(record.wire);
  const message = getCompiledTransactionMessageDecoder().decode(tx.messageBytes) as CompiledMessage;
  return {
    signatures: Object.values(tx.signatures).map((s) => (s ? base58.decode(s) : null)),
    message,
  };
}

function header(message: CompiledMessage): Json {
  return {
    numRequiredSignatures: message.header.numSignerAccounts,
    numReadonlySignedAccounts: message.header.numReadonlySignerAccounts,
    numReadonlyUnsignedAccounts: message.header.numReadonlyNonSignerAccounts,
  };
}

function addressTableLookups(message: CompiledMessage): Json {
  if (message.version !== 0) return {};
  return {
    addressTableLookups: (message.addressTableLookups ?? []).map((l) => ({
      accountKey: l.lookupTableAddress,
      writableIndexes: l.writableIndexes,
      readonlyIndexes: l.readonlyIndexes,
    })),
  };
}

function u64(data: Uint8Array, offset: number): bigint {
  return new DataView(data.buffer, data.byteOffset, data.byteLength).getBigUint64(offset, true);
}

/** The System program instructions a node parses under jsonParsed (the ones this project sends). */
function parseSystem(data: Uint8Array, accounts: readonly string[]): Json | null {
  if (data.length < 4) return null;
  const kind = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true);
  if (kind === 0 && data.length === 52 && accounts.length >= 2) {
    return {
      type: 'createAccount',
      info: {
        source: accounts[0],
        newAccount: accounts[1],
        lamports: u64(data, 4),
        space: u64(data, 12),
        owner: base58.decode(data.subarray(20, 52)),
      },
    };
  }
  if (kind === 1 && data.length === 36 && accounts.length >= 1) {
    return { type: 'assign', info: { account: accounts[0], owner: base58.decode(data.subarray(4, 36)) } };
  }
  if (kind === 2 && data.length === 12 && accounts.length >= 2) {
    return {
      type: 'transfer',
      info: { source: accounts[0], destination: accounts[1], lamports: u64(data, 4) },
    };
  }
  if (kind === 8 && data.length === 12 && accounts.length >= 1) {
    return { type: 'allocate', info: { account: accounts[0], space: u64(data, 4) } };
  }
  return null;
}

function writableAt(message: CompiledMessage, index: number): boolean {
  const h = message.header;
  const keys = message.staticAccounts.length;
  return (
    index < h.numSignerAccounts - h.numReadonlySignerAccounts ||
    (index >= h.numSignerAccounts && index < keys - h.numReadonlyNonSignerAccounts)
  );
}

function jsonMessage(message: CompiledMessage): Json {
  return {
    accountKeys: message.staticAccounts,
    header: header(message),
    recentBlockhash: message.lifetimeToken,
    instructions: (message.instructions ?? []).map((ix) => ({
      programIdIndex: ix.programAddressIndex,
      accounts: ix.accountIndices ?? [],
      data: base58.decode(ix.data ?? new Uint8Array()),
      stackHeight: null,
    })),
    ...addressTableLookups(message),
  };
}

function parsedInstruction(
  keys: readonly string[],
  programIndex: number,
  accountIndices: readonly number[],
  data: Uint8Array,
  stackHeight: number | null,
): Json {
  const programId = keys[programIndex]!;
  const accounts = accountIndices.map((i) => keys[i]!);
  const parsed = programId === SYSTEM_PROGRAM ? parseSystem(data, accounts) : null;
  if (parsed) return { program: 'system', programId, parsed, stackHeight };
  return { programId, accounts, data: base58.decode(data), stackHeight };
}

function parsedMessage(message: CompiledMessage): Json {
  const keys = message.staticAccounts;
  return {
    accountKeys: keys.map((pubkey, i) => ({
      pubkey,
      signer: i < message.header.numSignerAccounts,
      writable: writableAt(message, i),
      source: 'transaction',
    })),
    recentBlockhash: message.lifetimeToken,
    instructions: (message.instructions ?? []).map((ix) =>
      parsedInstruction(
        keys,
        ix.programAddressIndex,
        ix.accountIndices ?? [],
        (ix.data ?? new Uint8Array()) as Uint8Array,
        null,
      ),
    ),
    ...addressTableLookups(message),
  };
}

/** An airdrop has no wire transaction here: it is shown as the faucet's System transfer would be. */
function airdropJson(record: TransactionRecord, parsed: boolean): Json {
  const [recipient] = record.accountKeys;
  const accountKeys = parsed
    ? [{ pubkey: recipient, signer: false, writable: true, source: 'transaction' }]
    : record.accountKeys;
  return {
    signatures: [record.signature],
    message: {
      accountKeys,
      ...(parsed
        ? {}
        : {
            header: {
              numRequiredSignatures: 0,
              numReadonlySignedAccounts: 0,
              numReadonlyUnsignedAccounts: 0,
            },
          }),
      recentBlockhash: record.recentBlockhash,
      instructions: [],
    },
  };
}

export function transactionJson(record: TransactionRecord, encoding: string): unknown {
  if (encoding === 'base64') return [base64.decode(record.wire), 'base64'];
  if (encoding === 'base58') return [base58.decode(record.wire), 'base58'];
  if (encoding !== 'json' && encoding !== 'jsonParsed') {
    throw new RpcError(RPC_INVALID_PARAMS, `Invalid params: unsupported encoding ${encoding}`);
  }
  const parsed = encoding === 'jsonParsed';
  if (record.wire.length === 0) return airdropJson(record, parsed);
  const { signatures, message } = decodeRecord(record);
  return { signatures, message: parsed ? parsedMessage(message) : jsonMessage(message) };
}

/** meta.innerInstructions (UiInnerInstructions): compiled under json, parsed under jsonParsed. */
export function innerInstructionsJson(
  inner: readonly InnerInstructions[],
  accountKeys: readonly string[],
  encoding: string,
): unknown[] {
  return inner.map(({ index, instructions }) => ({
    index,
    instructions: instructions.map((ix) =>
      encoding === 'jsonParsed'
        ? parsedInstruction(accountKeys, ix.programIdIndex, ix.accounts, ix.data, ix.stackHeight)
        : {
            programIdIndex: ix.programIdIndex,
            accounts: ix.accounts,
            data: base58.decode(ix.data),
            stackHeight: ix.stackHeight,
          },
    ),
  }));
}
