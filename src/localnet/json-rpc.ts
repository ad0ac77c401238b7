import { RPC_INTERNAL_ERROR, RPC_INVALID_REQUEST, RpcError } from './errors.js';
import { type Handler, methodNotFound } from './rpc-methods.js';

export interface JsonRpcRequest {
  jsonrpc: '2.0';
  id: number | string | null;
  method: string;
  params?: unknown[];
}

export type JsonRpcResponse =
  | { jsonrpc: '2.0'; id: JsonRpcRequest['id']; result: unknown }
  | { jsonrpc: '2.0'; id: JsonRpcRequest['id']; error: { code: number; message: string; data?: unknown } };

export function errorResponse(
  id: JsonRpcRequest['id'],
  code: number,
  message: string,
  data?: unknown,
): JsonRpcResponse {
  return { jsonrpc: '2.0', id, error: data === undefined ? { code, message } : { code, message, data } };
}

function isRequest(value: unknown): value is JsonRpcRequest {
  if (!value || typeof value !== 'object') return false;
  const r = value as Record<string, unknown>;
  const idOk = r.id === null || typeof r.id === 'number' || typeof r.id === 'string' || r.id === undefined;
  return (
    r.jsonrpc === '2.0' &&
    typeof r.method === 'string' &&
    idOk &&
    (r.params === undefined || Array.isArray(r.params))
  );
}

/** Runs one JSON-RPC request against `methods`; every failure becomes a JSON-RPC error object. */
export function dispatch(
  methods: Record<string, Handler>,
  request: unknown,
  onInternalError: (method: string, error: unknown) => void,
): JsonRpcResponse {
  if (!isRequest(request)) return errorResponse(null, RPC_INVALID_REQUEST, 'Invalid request');
  const id = request.id ?? null;
  try {
    const handler = Object.hasOwn(methods, request.method) ? methods[request.method] : undefined;
    if (!handler) methodNotFound(request.method);
    return { jsonrpc: '2.0', id, result: handler(request.params ?? []) };
  } catch (e) {
    if (e instanceof RpcError) return errorResponse(id, e.rpcCode, e.message, e.data);
    onInternalError(request.method, e);
    return errorResponse(id, RPC_INTERNAL_ERROR, 'Internal error');
  }
}
