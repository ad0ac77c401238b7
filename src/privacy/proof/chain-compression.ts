import { bigintToBytesBE, bytesToBigintBE } from '../../common/index.js';
import { BASE_FIELD_MODULUS, mcl } from '../curve/mcl.js';
import {
  g1Coordinates,
  g1FromCompressed,
  g2Coordinates,
  g2FromCompressed,
  type PointRole,
} from '../curve/points.js';
import { PrivacyError } from '../errors.js';

// The compressed form Solana's `sol_alt_bn128_compression` syscall decompresses (ops 1 and 3, big-endian):
// G1 = x (32 B big-endian); G2 = x.c1 || x.c0 (64 B big-endian). The two top bits of the first byte are
// flags, as the arkworks serialization Agave's solana-bn254 crate byte-reverses defines them: bit 7 set
// when y is the larger of {y, -y}, bit 6 for the point at infinity. Fp2 elements compare c1 first, then c0.
// This is not the wire form (mcl's, little-endian, y parity): the program cannot decompress that one.

const Y_IS_LARGER = 0x80;
const INFINITY = 0x40;
const HALF_Q = (BASE_FIELD_MODULUS - 1n) / 2n;

function invalid(role: PointRole, reason: string): PrivacyError {
  return new PrivacyError('PROOF_POINT_INVALID', `${role}: ${reason}`, { point: role });
}

/** y > -y for a coordinate of Fp (0 is not larger than itself). */
const fpIsLarger = (y: bigint): boolean => y > HALF_Q;
/** y > -y in Fp2, ordered by c1 then c0. */
const fp2IsLarger = ([c0, c1]: readonly [bigint, bigint]): boolean =>
  c1 !== 0n ? fpIsLarger(c1) : fpIsLarger(c0);

const be32 = (v: bigint): Uint8Array => bigintToBytesBE(v, 32);

export function g1ToChainCompressed(p: mcl.G1): Uint8Array {
  if (p.isZero()) throw invalid('G1', 'the point at infinity has no chain encoding');
  const [x, y] = g1Coordinates(p);
  const out = be32(x);
  if (fpIsLarger(y)) out[0]! |= Y_IS_LARGER;
  return out;
}

export function g2ToChainCompressed(p: mcl.G2): Uint8Array {
  if (p.isZero()) throw invalid('G2', 'the point at infinity has no chain encoding');
  const [[x0, x1], y] = g2Coordinates(p);
  const out = new Uint8Array(64);
  out.set(be32(x1), 0);
  out.set(be32(x0), 32);
  if (fp2IsLarger(y)) out[0]! |= Y_IS_LARGER;
  return out;
}

/** x from a big-endian coordinate whose first byte may carry the flags; refuses x >= q. */
function coordinate(bytes: Uint8Array, withFlags: boolean, role: PointRole): bigint {
  const copy = bytes.slice(0, 32);
  if (withFlags) copy[0]! &= 0x3f;
  const v = bytesToBigintBE(copy);
  if (v >= BASE_FIELD_MODULUS) throw invalid(role, 'coordinate is not canonical (>= q)');
  return v;
}

function flagsOf(first: number, role: PointRole): boolean {
  if ((first & INFINITY) !== 0) throw invalid(role, 'point at infinity');
  return (first & Y_IS_LARGER) !== 0;
}

/** mcl's compressed form of x (coordinates little-endian, y-parity bit clear): one of the two points at x. */
function mclCompressed(xs: readonly bigint[]): Uint8Array {
  const out = new Uint8Array(32 * xs.length);
  for (const [i, x] of xs.entries()) out.set(bigintToBytesBE(x, 32).reverse(), 32 * i);
  return out;
}

/** Decompresses as the syscall does and checks the point as every proof point is checked (curve, subgroup). */
export function g1FromChainCompressed(bytes: Uint8Array, role: PointRole): mcl.G1 {
  if (bytes.length !== 32) throw invalid(role, 'chain-compressed G1 must be 32 bytes');
  const larger = flagsOf(bytes[0]!, role);
  const p = g1FromCompressed(mclCompressed([coordinate(bytes, true, role)]), role);
  return fpIsLarger(g1Coordinates(p)[1]) === larger ? p : mcl.neg(p);
}

export function g2FromChainCompressed(bytes: Uint8Array, role: PointRole): mcl.G2 {
  if (bytes.length !== 64) throw invalid(role, 'chain-compressed G2 must be 64 bytes');
  const larger = flagsOf(bytes[0]!, role);
  const c1 = coordinate(bytes.subarray(0, 32), true, role);
  const c0 = coordinate(bytes.subarray(32, 64), false, role);
  const p = g2FromCompressed(mclCompressed([c0, c1]), role);
  return fp2IsLarger(g2Coordinates(p)[1]) === larger ? p : mcl.neg(p);
}
