/**
 * Equivocation evidence: two different signed votes by one validator for one (height, round, type).
 * Self-proving: anyone can check both signatures, and the program's `slash` instruction does so on
 * chain over the same 94-byte vote messages. Canonical bytes (docs/protocol.md, "Consensus messages"):
 *
 *   version u8 (= 1) | validator [32] | height u64 | round u32 | type u8 (1 prevote, 2 precommit)
 *   | hash A [32] | signature A [64] | hash B [32] | signature B [64],  hash A < hash B
 */
import { VOTE_TYPES, voteSlotKey } from '../bridge/index.js';
import { bytesEqual, bytesToHex, concatBytes } from '../common/index.js';
import { consensusReader, consensusWriter } from './codec.js';
import { ConsensusError } from './errors.js';
import type { Vote, VoteAuthenticator, VoteType } from './types.js';
import { compareBytes, type ValidatorSet } from './validator-set.js';

export const EVIDENCE_VERSION = 1;
export const EVIDENCE_BYTES = 1 + 32 + 8 + 4 + 1 + 2 * (32 + 64);

export interface Equivocation {
  readonly a: Vote;
  readonly b: Vote;
}

/** Orders the pair canonically (smaller block hash first); throws unless it is a conflict. */
export function equivocation(x: Vote, y: Vote): Equivocation {
  if (
    x.height !== y.height ||
    x.round !== y.round ||
    x.type !== y.type ||
    !bytesEqual(x.validator, y.validator) ||
    bytesEqual(x.blockHash, y.blockHash)
  ) {
    throw new ConsensusError('EVIDENCE_INVALID', 'votes are not a conflict for one slot by one validator');
  }
  return compareBytes(x.blockHash, y.blockHash) < 0 ? { a: x, b: y } : { a: y, b: x };
}

/** validator key | height u64 | round u32 | type u8: one piece of evidence per slot and validator. */
export function evidenceId(e: Equivocation): Uint8Array {
  return concatBytes(
    e.a.validator,
    voteSlotKey({ height: e.a.height, round: e.a.round, voteType: e.a.type }),
  );
}

export function encodeEvidence(e: Equivocation): Uint8Array {
  const { a, b } = equivocation(e.a, e.b);
  return consensusWriter('evidence')
    .u8(EVIDENCE_VERSION)
    .fixed(a.validator, 32, 'validator')
    .u64(a.height)
    .u32(a.round)
    .u8(VOTE_TYPES[a.type])
    .fixed(a.blockHash, 32, 'hash A')
    .fixed(a.signature, 64, 'signature A')
    .fixed(b.blockHash, 32, 'hash B')
    .fixed(b.signature, 64, 'signature B')
    .finish();
}

export function decodeEvidence(bytes: Uint8Array): Equivocation {
  if (bytes.length !== EVIDENCE_BYTES)
    throw new ConsensusError('DECODE_FAILED', 'evidence has the wrong length', { length: bytes.length });
  const r = consensusReader(bytes, 'evidence');
  const version = r.u8();
  if (version !== EVIDENCE_VERSION)
    throw new ConsensusError('DECODE_FAILED', 'unknown evidence version', { version });
  const validator = r.bytes(32);
  const height = r.u64();
  const round = r.u32();
  const code = r.u8();
  const type: VoteType | undefined =
    code === VOTE_TYPES.prevote ? 'prevote' : code === VOTE_TYPES.precommit ? 'precommit' : undefined;
  if (!type) throw new ConsensusError('DECODE_FAILED', 'unknown vote type', { code });
  const base = { height, round, type, validator };
  const a: Vote = { ...base, blockHash: r.bytes(32), signature: r.bytes(64) };
  const b: Vote = { ...base, blockHash: r.bytes(32), signature: r.bytes(64) };
  r.end();
  if (compareBytes(a.blockHash, b.blockHash) >= 0)
    throw new ConsensusError('DECODE_FAILED', 'evidence hashes not in canonical order');
  return { a, b };
}

/** Throws EVIDENCE_INVALID unless both votes are signed by a member of `set`. */
export function verifyEvidence(
  e: Equivocation,
  set: ValidatorSet,
  auth: Pick<VoteAuthenticator, 'verify'>,
): void {
  const { a, b } = equivocation(e.a, e.b);
  if (!set.member(bytesToHex(a.validator)))
    throw new ConsensusError('EVIDENCE_INVALID', 'validator is not a member');
  if (!auth.verify(a) || !auth.verify(b))
    throw new ConsensusError('EVIDENCE_INVALID', 'bad signature in evidence');
}
