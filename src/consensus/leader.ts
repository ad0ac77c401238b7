/**
 * Leader of (height, round): a draw weighted by stake x reputation, seeded by
 * sha256("paraloom:leader:v1" | previous block hash | height u64 LE | round u32 LE).
 * Every validator computes the same leader from agreed inputs; a new round re-draws, so a crashed
 * leader is skipped after one timeout with probability 1 - its weight share.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToBigintBE, concatBytes } from '../common/index.js';
import { ConsensusError } from './errors.js';
import type { Member, ValidatorSet } from './validator-set.js';

const TAG = new TextEncoder().encode('paraloom:leader:v1');

export function leaderSeed(previousHash: Uint8Array, height: bigint, round: number): Uint8Array {
  if (previousHash.length !== 32)
    throw new ConsensusError('ARGUMENT_INVALID', 'previous hash must be 32 bytes');
  const hr = new Uint8Array(12);
  const view = new DataView(hr.buffer);
  view.setBigUint64(0, height, true);
  view.setUint32(8, round, true);
  return sha256(concatBytes(TAG, previousHash, hr));
}

export function selectLeader(
  set: ValidatorSet,
  previousHash: Uint8Array,
  height: bigint,
  round: number,
): Member {
  const weights = set.members.map((m) => m.stake * BigInt(m.reputation));
  const total = weights.reduce((a, b) => a + b, 0n);
  // A 256-bit draw reduced modulo a total below 2^128 has a bias below 2^-128: negligible.
  const draw = bytesToBigintBE(leaderSeed(previousHash, height, round)) % total;
  let acc = 0n;
  for (let i = 0; i < weights.length; i++) {
    acc += weights[i]!;
    if (draw < acc) return set.members[i]!;
  }
  return set.members[set.members.length - 1]!;
}
