import { sha256 } from '@noble/hashes/sha2.js';
import { type Address, getAddressEncoder } from '@solana/kit';
import { codecs, concatBytes, type FieldCodec } from '../common/index.js';
import { bridgeWriter } from './codec.js';
import { ANCHOR_DOMAIN, VOTE_DOMAIN } from './constants.js';

const enc = new TextEncoder();
const addr = getAddressEncoder();

export interface AnchorFields {
  height: bigint;
  root: Uint8Array; // 32 bytes, big-endian field element
  depositsConsumed: bigint;
  depositAcc: Uint8Array;
  withdrawalsRoot: Uint8Array;
  blockHash: Uint8Array;
  /**
   * The latest expiration_slot among the withdrawals this anchor approves (0 when it approves none): its
   * Approval account lives until then. Signed, so a submitter cannot shorten an approval's life.
   */
  maxExpirationSlot: bigint;
}

export const ANCHOR_BODY_BYTES = 152;

/**
 * The anchor body's layout as a value: what validators sign (after the domain, program id and cluster)
 * and what coordinator messages embed. anchor_root's instruction data is this body without depositAcc
 * (the program uses its own accumulator of depositsConsumed).
 */
export const anchorFieldsLayout: FieldCodec<AnchorFields> = codecs.struct({
  height: codecs.u64,
  root: codecs.fixedBytes(32),
  depositsConsumed: codecs.u64,
  depositAcc: codecs.fixedBytes(32),
  withdrawalsRoot: codecs.fixedBytes(32),
  blockHash: codecs.fixedBytes(32),
  maxExpirationSlot: codecs.u64,
});

/** The 152-byte anchor body; ARGUMENT_INVALID for a field that does not fit. */
export function encodeAnchorFields(f: AnchorFields): Uint8Array {
  const w = bridgeWriter('anchor body', ANCHOR_BODY_BYTES);
  anchorFieldsLayout.write(w, f);
  return w.finish();
}

/**
 * What validators sign for an anchor: sha256(domain tag | program id | cluster u8 | anchor body). The tag
 * and program id keep a signature from being replayed as a vote or against another deployment.
 */
export function anchorDigest(programId: Address, cluster: number, f: AnchorFields): Uint8Array {
  return sha256(
    concatBytes(
      enc.encode(ANCHOR_DOMAIN),
      addr.encode(programId) as Uint8Array,
      Uint8Array.of(cluster),
      encodeAnchorFields(f),
    ),
  );
}

export const VOTE_TYPES = { prevote: 1, precommit: 2 } as const;
export type VoteType = keyof typeof VOTE_TYPES;

export interface VoteFields {
  height: bigint;
  round: number;
  voteType: VoteType;
  blockHash: Uint8Array;
}

/** 94-byte vote message: tag(16) | program id | cluster u8 | height u64 | round u32 | type u8 | block hash. */
export function encodeVoteMessage(programId: Address, cluster: number, v: VoteFields): Uint8Array {
  return bridgeWriter('vote message', 94)
    .fixed(enc.encode(VOTE_DOMAIN), 16, 'domain')
    .fixed(addr.encode(programId) as Uint8Array, 32, 'programId')
    .u8(cluster, 'cluster')
    .u64(v.height, 'height')
    .u32(v.round, 'round')
    .u8(VOTE_TYPES[v.voteType], 'type')
    .fixed(v.blockHash, 32, 'blockHash')
    .finish();
}

/** height u64 | round u32 | type u8: the part of a vote that identifies its slot (slash record seed). */
export function voteSlotKey(v: Omit<VoteFields, 'blockHash'>): Uint8Array {
  return bridgeWriter('vote slot', 13)
    .u64(v.height, 'height')
    .u32(v.round, 'round')
    .u8(VOTE_TYPES[v.voteType], 'type')
    .finish();
}
