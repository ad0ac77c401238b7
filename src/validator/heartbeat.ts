/**
 * The validator heartbeat: a signed "I am up" that binds the validator's Solana key to the libp2p
 * peer publishing it, on one deployment. Signed bytes (docs/protocol.md, "Validator signatures"):
 *
 *   "paraloom:heartbeat:v1" | program_id [32] | cluster u8 | validator [32] |
 *   peer_id_len u8 | peer_id (multihash bytes) | timestamp_ms u64 LE | height u64 LE
 *
 * The HEARTBEAT message carries the peer id's bytes; the receiver accepts it only when they are the
 * peer the validator registered on chain (gossip itself is unsigned: docs/protocol.md, "Gossip").
 */

import { peerIdFromString } from '@libp2p/peer-id';
import { address, getAddressEncoder } from '@solana/kit';
import { CLUSTER_IDS } from '../bridge/index.js';
import { concatBytes, u64ToBytesLE } from '../common/index.js';
import { verifyEd25519 } from './ed25519.js';
import { ValidatorError } from './errors.js';
import type { SigningDomain } from './signing.js';

export const HEARTBEAT_DOMAIN = 'paraloom:heartbeat:v1';

interface HeartbeatFieldsBase {
  /** Ed25519 public key of the validator (its Solana address bytes). */
  readonly validator: Uint8Array;
  readonly timestampMs: bigint;
  /** L2 height the node has reached (0 until the ledger exists). */
  readonly height: bigint;
}

export interface HeartbeatFields extends HeartbeatFieldsBase {
  /** libp2p peer id (string form) of the node that publishes the heartbeat. */
  readonly peerId: string;
}

/** A heartbeat as received: the peer id as the multihash bytes the message carries. */
export interface ReceivedHeartbeatFields extends HeartbeatFieldsBase {
  readonly peerId: Uint8Array;
}

const enc = new TextEncoder();
const addressEncoder = getAddressEncoder();

export function peerIdBytes(peerId: string): Uint8Array {
  try {
    return peerIdFromString(peerId).toMultihash().bytes;
  } catch (err) {
    throw new ValidatorError('ARGUMENT_INVALID', 'not a libp2p peer id', { peerId }, { cause: err });
  }
}

export function heartbeatMessage(domain: SigningDomain, f: HeartbeatFields): Uint8Array {
  return heartbeatBytes(domain, f, peerIdBytes(f.peerId));
}

function heartbeatBytes(domain: SigningDomain, f: HeartbeatFieldsBase, peer: Uint8Array): Uint8Array {
  if (f.validator.length !== 32) {
    throw new ValidatorError('ARGUMENT_INVALID', 'validator key is 32 bytes', { length: f.validator.length });
  }
  if (peer.length === 0 || peer.length > 255) {
    throw new ValidatorError('ARGUMENT_INVALID', 'peer id is 1..255 bytes', { length: peer.length });
  }
  let program: Uint8Array;
  try {
    program = new Uint8Array(addressEncoder.encode(address(domain.programId)));
  } catch (err) {
    throw new ValidatorError('ARGUMENT_INVALID', 'program id is not a base58 address', {}, { cause: err });
  }
  return concatBytes(
    enc.encode(HEARTBEAT_DOMAIN),
    program,
    Uint8Array.of(CLUSTER_IDS[domain.cluster]),
    f.validator,
    Uint8Array.of(peer.length),
    peer,
    u64ToBytesLE(f.timestampMs),
    u64ToBytesLE(f.height),
  );
}

/** Strict RFC 8032 verification, as for votes; any malformed input is simply "not valid". */
export function verifyHeartbeat(
  domain: SigningDomain,
  f: HeartbeatFields | ReceivedHeartbeatFields,
  signature: Uint8Array,
): boolean {
  if (signature.length !== 64 || f.validator.length !== 32) return false;
  let message: Uint8Array;
  try {
    message = heartbeatBytes(domain, f, typeof f.peerId === 'string' ? peerIdBytes(f.peerId) : f.peerId);
  } catch {
    return false;
  }
  return verifyEd25519(signature, message, f.validator);
}
