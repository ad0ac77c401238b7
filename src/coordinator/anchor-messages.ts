import { ANCHOR_BODY_BYTES, type AnchorFields, anchorFieldsLayout } from '../bridge/index.js';
import { codecs, createCodec } from '../common/index.js';
import { malformedMessage } from './codec.js';

/** DIRECT kinds of the anchor signing round (docs/protocol.md, "Anchoring"). */
export const DIRECT_KINDS = { anchorSignRequest: 0x0101, anchorSignature: 0x0102 } as const;

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
const signRequestCodec = createCodec<AnchorSignRequest>({
  what: 'anchor sign request',
  readError: malformedMessage,
  ...codecs.struct({ fromHeight: codecs.u64, height: codecs.u64 }),
});

/** public key [32] | signature [64] | the 144-byte anchor body (anchor_root's data, LE integers) */
const anchorSignatureCodec = createCodec<AnchorSignature>({
  what: 'anchor signature',
  readError: malformedMessage,
  ...codecs.struct({
    publicKey: codecs.fixedBytes(32),
    signature: codecs.fixedBytes(64),
    fields: anchorFieldsLayout,
  }),
});

export const ANCHOR_SIGNATURE_BYTES = 32 + 64 + ANCHOR_BODY_BYTES;

export function encodeSignRequest(r: AnchorSignRequest): Uint8Array {
  return signRequestCodec.encode(r);
}

export function decodeSignRequest(body: Uint8Array): AnchorSignRequest {
  return signRequestCodec.decode(body);
}

export function encodeAnchorSignature(s: AnchorSignature): Uint8Array {
  return anchorSignatureCodec.encode(s);
}

export function decodeAnchorSignature(body: Uint8Array): AnchorSignature {
  return anchorSignatureCodec.decode(body);
}
