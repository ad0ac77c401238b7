import { babyjubjub } from '@noble/curves/misc.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToBigintBE, concatBytes } from '../common/index.js';
import { PrivacyError } from './errors.js';

// Pedersen commitments on Baby Jubjub (the twisted Edwards curve over BN254's scalar field, so a
// circuit can open them cheaply): C = v·G + r·H, G = circomlib's subgroup base B8, H a point nobody
// knows the discrete log of, found by hashing (try-and-increment on y, then cofactor clearing).
// Additively homomorphic: C(v1, r1) + C(v2, r2) = C(v1 + v2, r1 + r2). Exported for hidden-amount
// commitments, but nothing calls it yet outside its tests: compute results are committed to by
// signed SHA-256 hashes (compute/result.ts), and notes by Poseidon.

const Point = babyjubjub.Point;
type Point = ReturnType<typeof Point.fromAffine>;
/** Order of the prime subgroup; values and blindings live in Z_l. */
export const PEDERSEN_ORDER = Point.Fn.ORDER;
const H_DOMAIN = new TextEncoder().encode('paraloom/v1/pedersen/H');
const A = 168700n;
const D = 168696n;

function deriveH(): Point {
  const Fp = Point.Fp;
  for (let counter = 0; counter < 1000; counter++) {
    const y = Fp.create(bytesToBigintBE(sha256(concatBytes(H_DOMAIN, Uint8Array.of(counter)))));
    const y2 = Fp.sqr(y);
    // a·x² + y² = 1 + d·x²·y²  =>  x² = (1 - y²) / (a - d·y²)
    const denominator = Fp.sub(A, Fp.mul(D, y2));
    if (Fp.is0(denominator)) continue;
    const x2 = Fp.div(Fp.sub(Fp.ONE, y2), denominator);
    let x: bigint;
    try {
      x = Fp.sqrt(x2);
    } catch {
      continue;
    }
    const h = Point.fromAffine({ x, y }).clearCofactor();
    if (!h.is0()) return h;
  }
  throw new PrivacyError('PEDERSEN_INVALID', 'could not derive the generator H');
}

export const PEDERSEN_G: Point = Point.BASE;
export const PEDERSEN_H: Point = deriveH();

function scalar(value: bigint, what: string): bigint {
  if (value < 0n || value >= PEDERSEN_ORDER) {
    throw new PrivacyError('PEDERSEN_INVALID', `${what} must be in [0, l)`, {
      what,
      value: value.toString(),
    });
  }
  return value;
}

function mul(p: Point, k: bigint): Point {
  return k === 0n ? Point.ZERO : p.multiply(k);
}

export class PedersenCommitment {
  private constructor(readonly point: Point) {}

  static commit(value: bigint, blinding: bigint): PedersenCommitment {
    return new PedersenCommitment(
      mul(PEDERSEN_G, scalar(value, 'value')).add(mul(PEDERSEN_H, scalar(blinding, 'blinding'))),
    );
  }

  /** 32-byte encoding (y little-endian, sign of x in the top bit), checked on decode. */
  static fromBytes(bytes: Uint8Array): PedersenCommitment {
    if (bytes.length !== 32) throw new PrivacyError('PEDERSEN_INVALID', 'commitment must be 32 bytes');
    let p: Point;
    try {
      p = Point.fromBytes(bytes);
    } catch (e) {
      throw new PrivacyError('PEDERSEN_INVALID', 'not a Baby Jubjub point', {}, { cause: e });
    }
    if (!p.isTorsionFree()) throw new PrivacyError('PEDERSEN_INVALID', 'point is not in the prime subgroup');
    return new PedersenCommitment(p);
  }

  toBytes(): Uint8Array {
    return this.point.toBytes();
  }

  add(other: PedersenCommitment): PedersenCommitment {
    return new PedersenCommitment(this.point.add(other.point));
  }

  /** Opening check: does (value, blinding) open this commitment? */
  opens(value: bigint, blinding: bigint): boolean {
    return this.point.equals(PedersenCommitment.commit(value, blinding).point);
  }

  equals(other: PedersenCommitment): boolean {
    return this.point.equals(other.point);
  }
}

export function randomPedersenBlinding(): bigint {
  const bytes = new Uint8Array(48);
  crypto.getRandomValues(bytes);
  return bytesToBigintBE(bytes) % PEDERSEN_ORDER;
}
