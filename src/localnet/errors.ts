import { ParaloomError } from '../common/index.js';

export type LocalnetErrorCode =
  | 'SNAPSHOT_UNREADABLE'
  | 'PROGRAM_LOAD_FAILED'
  | 'ALREADY_STARTED'
  | 'NOT_STARTED';

export class LocalnetError extends ParaloomError<LocalnetErrorCode> {}

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
