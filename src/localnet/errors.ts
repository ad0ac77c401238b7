import { defineErrorClass, type ModuleError, type NoContext } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface LocalnetErrorContexts {
  /** The ledger snapshot cannot be read or is not a LiteSVM snapshot. */
  SNAPSHOT_UNREADABLE: { file?: string };
  /** A program cannot be loaded into the VM. */
  PROGRAM_LOAD_FAILED: NoContext;
  /** start() called twice. */
  ALREADY_STARTED: NoContext;
  /** The localnet is used before start(). */
  NOT_STARTED: NoContext;
}

export type LocalnetErrorCode = keyof LocalnetErrorContexts;

export const LocalnetError = defineErrorClass<LocalnetErrorContexts>('LocalnetError');
export type LocalnetError<C extends LocalnetErrorCode = LocalnetErrorCode> = ModuleError<
  LocalnetErrorContexts,
  C
>;

/** A JSON-RPC error with Solana's code and shape; thrown by method handlers, never escapes the server. */
export class RpcError extends Error {
  constructor(
    readonly rpcCode: number,
    message: string,
    readonly data?: unknown,
  ) {
    super(message);
    this.name = 'RpcError';
  }
}

// Solana JSON-RPC error codes (server and JSON-RPC 2.0 standard).
export const RPC_PARSE_ERROR = -32700;
export const RPC_INVALID_REQUEST = -32600;
export const RPC_METHOD_NOT_FOUND = -32601;
export const RPC_INVALID_PARAMS = -32602;
export const RPC_INTERNAL_ERROR = -32603;
export const RPC_SEND_TRANSACTION_PREFLIGHT_FAILURE = -32002;
export const RPC_TRANSACTION_SIGNATURE_VERIFICATION_FAILURE = -32003;
export const RPC_MIN_CONTEXT_SLOT_NOT_REACHED = -32016;
