import { bytesToBigintBE, bytesToBigintLE } from '../../common/index.js';
import { PrivacyError } from '../errors.js';
import { isInG2Subgroup } from './g2-subgroup.js';
import { BASE_FIELD_MODULUS, mcl } from './mcl.js';

// Point encodings. Compressed (wire) form follows mcl's serialization so decoding is one native
// call: G1 = x little-endian (32 B), bit 7 of byte 31 set when y is odd; G2 = x.c0 LE || x.c1 LE
// (64 B), bit 7 of byte 63 set when y.c0 is odd. Uncompressed (chain) form is Solana's alt_bn128
// input: big-endian, G1 = x || y, G2 = x.c1 || x.c0 || y.c1 || y.c0. The point at infinity has
// no encoding in either: proofs and keys never contain it.

export type PointRole = string;

function invalid(role: PointRole, reason: string): PrivacyError {
  return new PrivacyError('PROOF_POINT_INVALID', `${role}: ${reason}`, { point: role });
}

function coordinate(value: bigint, role: PointRole): bigint {
  if (value < 0n || value >= BASE_FIELD_MODULUS) throw invalid(role, 'coordinate is not canonical (>= p)');
  return value;
}

function checkG1(p: mcl.G1, role: PointRole): mcl.G1 {
  if (p.isZero()) throw invalid(role, 'point at infinity');
  if (!p.isValid()) throw invalid(role, 'not on the curve');
  return p;
}

function checkG2(p: mcl.G2, role: PointRole): mcl.G2 {
  if (p.isZero()) throw invalid(role, 'point at infinity');
  if (!p.isValid()) throw invalid(role, 'not on the twist curve');
  if (!isInG2Subgroup(p)) {
    throw new PrivacyError('PROOF_NOT_IN_SUBGROUP', `${role}: not in the G2 subgroup`, { point: role });
  }
  return p;
}

function maskedX(bytes: Uint8Array, offset: number): bigint {
  const copy = bytes.slice(offset, offset + 32);
  copy[31]! &= 0x7f;
  return bytesToBigintLE(copy);
}

export function g1FromCompressed(bytes: Uint8Array, role: PointRole): mcl.G1 {
  if (bytes.length !== 32) throw invalid(role, 'compressed G1 must be 32 bytes');
  if ((bytes[31]! & 0x40) !== 0) throw invalid(role, 'unused flag bit set');
  coordinate(maskedX(bytes, 0), role);
  const p = new mcl.G1();
  try {
    p.deserialize(bytes);
  } catch {
    throw invalid(role, 'x is not the abscissa of a curve point');
  }
  return checkG1(p, role);
}

export function g2FromCompressed(bytes: Uint8Array, role: PointRole): mcl.G2 {
  if (bytes.length !== 64) throw invalid(role, 'compressed G2 must be 64 bytes');
  if ((bytes[63]! & 0x40) !== 0 || (bytes[31]! & 0xc0) !== 0) throw invalid(role, 'unused flag bit set');
  coordinate(bytesToBigintLE(bytes.subarray(0, 32)), role);
  coordinate(maskedX(bytes, 32), role);
  const p = new mcl.G2();
  try {
    p.deserialize(bytes);
  } catch {
    throw invalid(role, 'x is not the abscissa of a twist-curve point');
  }
  return checkG2(p, role);
}

export function g1ToCompressed(p: mcl.G1): Uint8Array {
  return mcl.normalize(p).serialize();
}

export function g2ToCompressed(p: mcl.G2): Uint8Array {
  return mcl.normalize(p).serialize();
}

function fpToBE(f: mcl.Fp): Uint8Array {
  return f.serialize().reverse();
}

export function g1ToChain(p: mcl.G1): Uint8Array {
  const n = mcl.normalize(p);
  const out = new Uint8Array(64);
  out.set(fpToBE(n.getX()), 0);
  out.set(fpToBE(n.getY()), 32);
  return out;
}

export function g2ToChain(p: mcl.G2): Uint8Array {
  const n = mcl.normalize(p);
  const x = n.getX();
  const y = n.getY();
  const out = new Uint8Array(128);
  out.set(fpToBE(x.get_b()), 0);
  out.set(fpToBE(x.get_a()), 32);
  out.set(fpToBE(y.get_b()), 64);
  out.set(fpToBE(y.get_a()), 96);
  return out;
}

export function g1FromCoordinates(x: bigint, y: bigint, role: PointRole): mcl.G1 {
  const p = new mcl.G1();
  p.setStr(`1 ${coordinate(x, role)} ${coordinate(y, role)}`, 10);
  return checkG1(p, role);
}

export function g2FromCoordinates(
  x: readonly [bigint, bigint],
  y: readonly [bigint, bigint],
  role: PointRole,
): mcl.G2 {
  const p = new mcl.G2();
  const c = (v: bigint) => coordinate(v, role);
  p.setStr(`1 ${c(x[0])} ${c(x[1])} ${c(y[0])} ${c(y[1])}`, 10);
  return checkG2(p, role);
}

export function g1FromChain(bytes: Uint8Array, role: PointRole): mcl.G1 {
  if (bytes.length !== 64) throw invalid(role, 'uncompressed G1 must be 64 bytes');
  return g1FromCoordinates(
    bytesToBigintBE(bytes.subarray(0, 32)),
    bytesToBigintBE(bytes.subarray(32, 64)),
    role,
  );
}

export function g2FromChain(bytes: Uint8Array, role: PointRole): mcl.G2 {
  if (bytes.length !== 128) throw invalid(role, 'uncompressed G2 must be 128 bytes');
  const at = (i: number) => bytesToBigintBE(bytes.subarray(i * 32, i * 32 + 32));
  return g2FromCoordinates([at(1), at(0)], [at(3), at(2)], role);
}

/** Affine coordinates as decimal-free bigints, for JSON (snarkjs) output. */
export function g1Coordinates(p: mcl.G1): [bigint, bigint] {
  const n = mcl.normalize(p);
  return [BigInt(`0x${n.getX().getStr(16)}`), BigInt(`0x${n.getY().getStr(16)}`)];
}

export function g2Coordinates(p: mcl.G2): [[bigint, bigint], [bigint, bigint]] {
  const n = mcl.normalize(p);
  const h = (f: mcl.Fp) => BigInt(`0x${f.getStr(16)}`);
  return [
    [h(n.getX().get_a()), h(n.getX().get_b())],
    [h(n.getY().get_a()), h(n.getY().get_b())],
  ];
}
