import { type AnchorFields, encodeAnchorFields } from '../bridge/index.js';
import { CoordinatorError } from './errors.js';

/** DIRECT kinds of the anchor signing round (docs/protocol.md, "Anchoring"). */
export const DIRECT_KINDS = { anchorSignRequest: 0x0101, anchorSignature: 0x0102 } as const;

const ANCHOR_BODY_BYTES = 144;
export const ANCHOR_SIGNATURE_BYTES = 32 + 64 + ANCHOR_BODY_BYTES;

export interface AnchorSignRequest {
  readonly fromHeight: bigint;
  readonly height: bigint;
}

export interface AnchorSignature {
  readonly publicKey: Uint8Array;
  readonly signature: Uint8Array;
  readonly fields: AnchorFields;
}

/** fromHeight u64 LE | height u64 LE */
export function encodeSignRequest(r: AnchorSignRequest): Uint8Array {
  const out = new Uint8Array(16);
  const v = new DataView(out.buffer);
  v.setBigUint64(0, r.fromHeight, true);
  v.setBigUint64(8, r.height, true);
  return out;
}

export function decodeSignRequest(body: Uint8Array): AnchorSignRequest {
  if (body.length !== 16) {
    throw new CoordinatorError('MESSAGE_MALFORMED', 'anchor sign request must be 16 bytes', {
      length: body.length,
    });
  }
  const v = new DataView(body.buffer, body.byteOffset, 16);
  return { fromHeight: v.getBigUint64(0, true), height: v.getBigUint64(8, true) };
}

/** public key [32] | signature [64] | the 144-byte anchor body (anchor_root's data, LE integers) */
export function encodeAnchorSignature(s: AnchorSignature): Uint8Array {
  const out = new Uint8Array(ANCHOR_SIGNATURE_BYTES);
  out.set(s.publicKey, 0);
  out.set(s.signature, 32);
  out.set(encodeAnchorFields(s.fields), 96);
  return out;
}

export function decodeAnchorSignature(body: Uint8Array): AnchorSignature {
  if (body.length !== ANCHOR_SIGNATURE_BYTES) {
    throw new CoordinatorError(
      'MESSAGE_MALFORMED',
      `anchor signature must be ${ANCHOR_SIGNATURE_BYTES} bytes`,
      {
        length: body.length,
      },
    );
  }
  const f = body.subarray(96);
  const v = new DataView(f.buffer, f.byteOffset, ANCHOR_BODY_BYTES);
  return {
    publicKey: body.slice(0, 32),
    signature: body.slice(32, 96),
    fields: {
      height: v.getBigUint64(0, true),
      root: f.slice(8, 40),
      depositsConsumed: v.getBigUint64(40, true),
      depositAcc: f.slice(48, 80),
      withdrawalsRoot: f.slice(80, 112),
      blockHash: f.slice(112, 144),
    },
  };
}
