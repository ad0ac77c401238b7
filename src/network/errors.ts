import { defineErrorClass, type ModuleError, type NoContext } from '../common/index.js';

/** The context each code carries, as its throw sites attach it. */
export interface NetworkErrorContexts {
  /** A message, or a field of one, longer than its cap (refused before allocating). */
  MESSAGE_TOO_LARGE: { field?: string; type?: string; length?: number; size?: number; cap?: number };
  /** A message ends before the bytes a field needs. */
  MESSAGE_TRUNCATED: { field: string; needed: number; remaining: number };
  /** Bytes left over after a complete message. */
  MESSAGE_TRAILING_BYTES: { trailing: number };
  /** A wire version this node does not speak. */
  MESSAGE_UNKNOWN_VERSION: { version: number };
  /** A message type code this node does not know. */
  MESSAGE_UNKNOWN_TYPE: { code: number };
  /** A message type that does not belong on this topic or protocol. */
  MESSAGE_NOT_ALLOWED: { type: string; purpose?: string; protocol?: string };
  /** A field value out of its domain (count over its cap, integer range, unknown kind). */
  MESSAGE_INVALID: {
    field?: string;
    count?: number;
    cap?: number;
    value?: number | string;
    kind?: number;
    min?: number;
    max?: number;
  };
  /** A frame announces more bytes than the protocol allows. */
  FRAME_TOO_LARGE: { maxBytes: number };
  /** A malformed frame length prefix. */
  FRAME_INVALID: NoContext;
  /** The stream ended before or inside a frame. */
  STREAM_ENDED: NoContext;
  /** No complete frame before the deadline. */
  TIMEOUT: { timeoutMs: number };
  /** A request, or serving one, failed (stream error, handler error). */
  REQUEST_FAILED: { protocol?: string; peer?: string };
  /** The peer answered the request with an error. */
  REMOTE_ERROR: { protocol: string; code: number };
  /** No handler for the requested protocol. */
  NO_HANDLER: NoContext;
  /** A dial to a peer address failed. */
  DIAL_FAILED: { addr: string };
  /** The network node is used before start() or after stop(). */
  NOT_STARTED: NoContext;
  /** A network setting out of its domain (`key` and `value` name it when it is a number). */
  CONFIG_INVALID: { cluster?: string; key?: string; value?: number };
  /** The identity key file is accessible by group or others. */
  IDENTITY_INSECURE: { path: string; mode: number };
  /** The identity key path is not a file, is too large, or does not hold a key. */
  IDENTITY_INVALID: { path: string; size?: number };
  /** The identity key file cannot be read, written or stat'ed. */
  IDENTITY_IO: { path: string };
}

export type NetworkErrorCode = keyof NetworkErrorContexts;

export const NetworkError = defineErrorClass<NetworkErrorContexts>('NetworkError');
export type NetworkError<C extends NetworkErrorCode = NetworkErrorCode> = ModuleError<
  NetworkErrorContexts,
  C
>;
