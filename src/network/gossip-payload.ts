import { sha256 } from '../common/index.js';
import { NetworkError } from './errors.js';
import { decodeMessage, type MessageTypeName, type NetworkMessage } from './messages.js';

/**
 * Gossip payload = publish nonce [8] | message. Gossip is unsigned (StrictNoSign) and a message's id
 * is the SHA-256 of its payload: relays deduplicate by content, and the nonce lets a node publish
 * the same message again later (consensus re-gossip, compute results) and still be heard.
 */
export const GOSSIP_NONCE_BYTES = 8;

/** Gossipsub message id: SHA-256 of the payload (nonce included). */
export function gossipMessageId(data: Uint8Array): Uint8Array {
  return sha256(data);
}

/** An encoded message under a publish nonce (u64 LE). */
export function gossipPayload(nonce: bigint, message: Uint8Array): Uint8Array {
  const data = new Uint8Array(GOSSIP_NONCE_BYTES + message.length);
  new DataView(data.buffer).setBigUint64(0, nonce, true);
  data.set(message, GOSSIP_NONCE_BYTES);
  return data;
}

/** The message in a gossip payload, of the allowed types; a NetworkError otherwise. */
export function decodeGossipPayload(data: Uint8Array, allowed: ReadonlySet<MessageTypeName>): NetworkMessage {
  if (data.length < GOSSIP_NONCE_BYTES) {
    throw new NetworkError('MESSAGE_TRUNCATED', 'gossip payload shorter than its nonce', {
      field: 'nonce',
      needed: GOSSIP_NONCE_BYTES,
      remaining: data.length,
    });
  }
  return decodeMessage(data.subarray(GOSSIP_NONCE_BYTES), allowed);
}
