import {
  isSolanaError,
  SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM,
  SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE,
  SOLANA_ERROR__RPC__TRANSPORT_HTTP_ERROR,
} from '@solana/kit';
import { BridgeError, bridgeErrorFromProgramCode } from '../errors.js';

export type FailureReason = 'timeout' | 'unavailable' | 'rpc_error' | 'program_error';

/** Walks an error's `cause` chain (kit nests the transaction error under the preflight failure). */
function* causes(e: unknown): Generator<unknown> {
  for (let cur = e, depth = 0; cur !== undefined && cur !== null && depth < 8; depth++) {
    yield cur;
    cur = cur instanceof Error ? cur.cause : undefined;
  }
}

// undici's code for a socket closed under a request ('other side closed'), and the errno values
// of a connection reset or written after the peer closed it.
const CONNECTION_LOSS_CODES = new Set(['UND_ERR_SOCKET', 'ECONNRESET', 'EPIPE']);

/**
 * True when a call failed because its connection closed under it: typically a kept-alive socket the
 * server closed while this process (busy, its timers late) still counted it idle and reused it.
 */
export function isConnectionLoss(e: unknown): boolean {
  for (const c of causes(e)) {
    const code = c && typeof c === 'object' && 'code' in c ? (c as { code: unknown }).code : undefined;
    if (typeof code === 'string' && CONNECTION_LOSS_CODES.has(code)) return true;
  }
  return false;
}

/** The program's custom error number in a transaction error, as JSON (`{InstructionError:[i,{Custom:n}]}`). */
export function customCodeOfTransactionError(err: unknown): number | undefined {
  if (!err || typeof err !== 'object' || !('InstructionError' in err)) return undefined;
  const pair = (err as { InstructionError: unknown }).InstructionError;
  if (!Array.isArray(pair)) return undefined;
  const inner = pair[1] as unknown;
  if (inner && typeof inner === 'object' && 'Custom' in inner) {
    const n = (inner as { Custom: unknown }).Custom;
    if (typeof n === 'number' || typeof n === 'bigint') return Number(n);
  }
  return undefined;
}

/** A landed (or simulated) transaction's error as a BridgeError: the program's code when it has one. */
export function bridgeErrorFromTransactionError(err: unknown, logs: readonly string[] = []): BridgeError {
  const custom = customCodeOfTransactionError(err);
  if (custom !== undefined) {
    const e = bridgeErrorFromProgramCode(custom);
    return new BridgeError(e.code, e.message, { ...e.context, logs: logs.slice(-8) });
  }
  return new BridgeError('TRANSACTION_FAILED', `transaction failed: ${describe(err)}`, {
    err: describe(err),
    logs: logs.slice(-8),
  });
}

function describe(err: unknown): string {
  return typeof err === 'string' ? err : JSON.stringify(err, (_, v) => (typeof v === 'bigint' ? `${v}` : v));
}

/**
 * Turns whatever a kit call threw into a typed BridgeError and the metric reason. `timedOut` tells
 * whether our own deadline fired (the abort error kit surfaces does not say whose signal it was).
 */
export function classifyRpcFailure(
  e: unknown,
  method: string,
  timedOut: boolean,
  timeoutMs: number,
): { error: BridgeError; reason: FailureReason } {
  if (timedOut) {
    return {
      reason: 'timeout',
      error: new BridgeError(
        'RPC_TIMEOUT',
        `${method} did not answer within ${timeoutMs} ms`,
        { method },
        { cause: e },
      ),
    };
  }
  for (const c of causes(e)) {
    if (isSolanaError(c, SOLANA_ERROR__INSTRUCTION_ERROR__CUSTOM)) {
      const base = bridgeErrorFromProgramCode(c.context.code);
      const logs = preflightLogs(e);
      return {
        reason: 'program_error',
        error: new BridgeError(base.code, base.message, { ...base.context, method, logs }, { cause: e }),
      };
    }
  }
  if (isSolanaError(e, SOLANA_ERROR__RPC__TRANSPORT_HTTP_ERROR) || !isSolanaError(e)) {
    const message = e instanceof Error ? e.message : String(e);
    return {
      reason: 'unavailable',
      error: new BridgeError('RPC_UNAVAILABLE', `${method} failed: ${message}`, { method }, { cause: e }),
    };
  }
  return {
    reason: 'rpc_error',
    error: new BridgeError(
      'RPC_ERROR',
      `${method} returned an error: ${e.message}`,
      { method, solanaCode: e.context.__code, logs: preflightLogs(e) },
      { cause: e },
    ),
  };
}

function preflightLogs(e: unknown): string[] {
  if (isSolanaError(e, SOLANA_ERROR__JSON_RPC__SERVER_ERROR_SEND_TRANSACTION_PREFLIGHT_FAILURE)) {
    return (e.context.logs ?? []).slice(-8);
  }
  return [];
}
