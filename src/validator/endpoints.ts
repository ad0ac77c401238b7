/**
 * A validator's network endpoints as the ValidatorAccount stores them: the libp2p peer id as its
 * multihash bytes (<= 64), and binary multiaddrs each prefixed by a u16 LE length (<= 256 in all).
 * Peers read them to dial registered validators without any bootstrap list.
 */
import { multiaddr } from '@multiformats/multiaddr';
import { base58 } from '@scure/base';
import { ValidatorError } from './errors.js';
import { peerIdBytes } from './heartbeat.js';

export const MAX_PEER_ID_BYTES = 64;
export const MAX_MULTIADDR_BYTES = 256;

export interface Endpoints {
  readonly peerId: string;
  /** Without the /p2p/<peer id> suffix (the peer id is stored beside them). */
  readonly multiaddrs: readonly string[];
}

/**
 * Only addresses another machine can dial: a TCP port of 0 or an unspecified host (0.0.0.0, ::) is
 * a listen instruction, not an address, so it is left out.
 */
export function dialable(addr: string): boolean {
  const parts = multiaddr(addr).getComponents();
  if (parts.some((c) => (c.name === 'tcp' || c.name === 'udp') && c.value === '0')) return false;
  return !parts.some(
    (c) => (c.name === 'ip4' && c.value === '0.0.0.0') || (c.name === 'ip6' && c.value === '::'),
  );
}

export function encodeEndpoints(e: Endpoints): { peerId: Uint8Array; multiaddrs: Uint8Array } {
  const peerId = peerIdBytes(e.peerId);
  if (peerId.length > MAX_PEER_ID_BYTES) {
    throw new ValidatorError('ENDPOINTS_INVALID', `peer id over ${MAX_PEER_ID_BYTES} bytes`, {
      peerId: e.peerId,
    });
  }
  const parts: Uint8Array[] = [];
  let size = 0;
  for (const a of e.multiaddrs) {
    const bytes = multiaddr(a).decapsulateCode(421).bytes; // 421: /p2p
    if (size + 2 + bytes.length > MAX_MULTIADDR_BYTES) {
      throw new ValidatorError(
        'ENDPOINTS_INVALID',
        `multiaddrs over ${MAX_MULTIADDR_BYTES} bytes on chain; announce fewer addresses`,
        { multiaddrs: e.multiaddrs },
      );
    }
    const prefixed = new Uint8Array(2 + bytes.length);
    new DataView(prefixed.buffer).setUint16(0, bytes.length, true);
    prefixed.set(bytes, 2);
    parts.push(prefixed);
    size += prefixed.length;
  }
  const multiaddrs = new Uint8Array(size);
  let off = 0;
  for (const p of parts) {
    multiaddrs.set(p, off);
    off += p.length;
  }
  return { peerId, multiaddrs };
}

/** Decodes what another validator stored; anything malformed yields no endpoints rather than an error. */
export function decodeEndpoints(peerId: Uint8Array, multiaddrs: Uint8Array): Endpoints | undefined {
  if (peerId.length === 0) return undefined;
  const id = base58.encode(peerId);
  const out: string[] = [];
  const view = new DataView(multiaddrs.buffer, multiaddrs.byteOffset, multiaddrs.byteLength);
  let off = 0;
  while (off + 2 <= multiaddrs.length) {
    const len = view.getUint16(off, true);
    off += 2;
    if (off + len > multiaddrs.length) return { peerId: id, multiaddrs: out };
    try {
      out.push(multiaddr(multiaddrs.subarray(off, off + len)).toString());
    } catch {
      // One bad address does not hide the others.
    }
    off += len;
  }
  return { peerId: id, multiaddrs: out };
}
