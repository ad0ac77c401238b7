import { getBase58Encoder, getBase64Encoder } from '@solana/kit';
import { RPC_INVALID_PARAMS, RpcError } from './errors.js';

// Limits of a real cluster, with the values Agave uses (sdk `packet`, `clock`, compute-budget).

/** Largest serialized transaction a cluster accepts (signatures included). */
export const PACKET_DATA_SIZE = 1232;
/** Longest encoded transaction the RPC reads before decoding: the encodings of 1,232 bytes. */
export const MAX_BASE58_SIZE = 1683;
export const MAX_BASE64_SIZE = 1644;
/** A blockhash older than this many blocks no longer lands a transaction. */
export const MAX_PROCESSING_AGE = 150n;
/**
 * Preflight and simulateTransaction check the blockhash against a shorter age, so that what they
 * accept can still be forwarded to a leader and land.
 */
export const MAX_TRANSACTION_FORWARDING_DELAY = 6n;
export const MAX_SIMULATION_AGE = MAX_PROCESSING_AGE - MAX_TRANSACTION_FORWARDING_DELAY;
/** Blockhashes the bank remembers (getFeeForMessage still prices a message whose hash is in it). */
export const MAX_RECENT_BLOCKHASHES = 300n;
export const LAMPORTS_PER_SIGNATURE = 5000n;
export const MAX_COMPUTE_UNIT_LIMIT = 1_400_000;
export const DEFAULT_INSTRUCTION_COMPUTE_UNIT_LIMIT = 200_000;
export const MAX_BUILTIN_ALLOCATION_COMPUTE_UNIT_LIMIT = 3_000;

// The Rust type names the RPC puts in its decoding errors.
export const VERSIONED_TRANSACTION_TYPE = 'solana_transaction::versioned::VersionedTransaction';
export const VERSIONED_MESSAGE_TYPE = 'solana_message::versioned::VersionedMessage';

export type BinaryEncoding = 'base58' | 'base64';

const base58 = getBase58Encoder();
const base64 = getBase64Encoder();
const BASE64_ALPHABET = /^[A-Za-z0-9+/]*={0,2}$/;

/** The transaction encodings the RPC accepts (`binary` is the legacy name of base58). */
export function binaryEncoding(value: unknown, fallback: BinaryEncoding): BinaryEncoding {
  if (value === undefined || value === null) return fallback;
  if (value === 'base58' || value === 'binary') return 'base58';
  if (value === 'base64') return 'base64';
  throw new RpcError(
    RPC_INVALID_PARAMS,
    `unsupported encoding: ${String(value).slice(0, 32)}. Supported encodings: base58, base64`,
  );
}

/**
 * Decodes an encoded transaction (or message) as the RPC does: the encoded length is capped before
 * decoding and the decoded length after, each with the RPC's own -32602 message.
 */
export function decodeWire(encoded: unknown, encoding: BinaryEncoding, typeName: string): Uint8Array {
  if (typeof encoded !== 'string') {
    throw new RpcError(RPC_INVALID_PARAMS, 'Invalid params: transaction must be an encoded string');
  }
  const maxEncoded = encoding === 'base58' ? MAX_BASE58_SIZE : MAX_BASE64_SIZE;
  if (encoded.length > maxEncoded) {
    throw new RpcError(
      RPC_INVALID_PARAMS,
      `${encoding} encoded ${typeName} too large: ${encoded.length} bytes (max: encoded/raw ${maxEncoded}/${PACKET_DATA_SIZE})`,
    );
  }
  let wire: Uint8Array;
  try {
    if (encoding === 'base64' && !BASE64_ALPHABET.test(encoded)) throw new Error('Invalid symbol');
    wire = new Uint8Array(encoding === 'base58' ? base58.encode(encoded) : base64.encode(encoded));
  } catch (e) {
    throw new RpcError(
      RPC_INVALID_PARAMS,
      `invalid ${encoding} encoding: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  if (wire.length > PACKET_DATA_SIZE) {
    throw new RpcError(
      RPC_INVALID_PARAMS,
      `decoded ${typeName} too large: ${wire.length} bytes (max: ${PACKET_DATA_SIZE} bytes)`,
    );
  }
  return wire;
}
