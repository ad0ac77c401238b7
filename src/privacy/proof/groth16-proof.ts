import { concatBytes } from '../../common/index.js';
import { assertCurveReady, mcl } from '../curve/mcl.js';
import {
  g1Coordinates,
  g1FromChain,
  g1FromCompressed,
  g1FromCoordinates,
  g1ToChain,
  g1ToCompressed,
  g2Coordinates,
  g2FromChain,
  g2FromCompressed,
  g2FromCoordinates,
  g2ToChain,
  g2ToCompressed,
} from '../curve/points.js';
import { PrivacyError } from '../errors.js';
import {
  g1FromChainCompressed,
  g1ToChainCompressed,
  g2FromChainCompressed,
  g2ToChainCompressed,
} from './chain-compression.js';

/** Suite tag of the wire form: Groth16 over BN254 with the `transact` public-input layout. */
export const PROOF_SUITE_GROTH16_BN254 = 0x01;
export const PROOF_WIRE_BYTES = 1 + 32 + 64 + 32;
export const PROOF_CHAIN_BYTES = 64 + 128 + 64;
/** What the withdraw instruction carries: -A, B, C in the compression syscall's form. */
export const PROOF_CHAIN_COMPRESSED_BYTES = 32 + 64 + 32;

/** snarkjs' JSON proof: decimal strings, projective with z = 1. */
export interface SnarkjsProof {
  pi_a: readonly string[];
  pi_b: readonly (readonly string[])[];
  pi_c: readonly string[];
  protocol?: string;
  curve?: string;
}

function decimal(text: string | undefined, role: string): bigint {
  if (typeof text !== 'string' || !/^(0|[1-9][0-9]{0,77})$/.test(text)) {
    throw new PrivacyError('PROOF_POINT_INVALID', `${role}: not a decimal coordinate`, { point: role });
  }
  return BigInt(text);
}

/**
 * A Groth16 proof whose points were checked on construction: on the curve, not infinity, B in the
 * G2 subgroup. There is no way to hold an unchecked one.
 */
export class Groth16Proof {
  private constructor(
    readonly a: mcl.G1,
    readonly b: mcl.G2,
    readonly c: mcl.G1,
  ) {}

  /** Wire form: suite tag || A (32) || B (64) || C (32), compressed. */
  static fromWire(bytes: Uint8Array): Groth16Proof {
    assertCurveReady();
    if (bytes.length !== PROOF_WIRE_BYTES) {
      throw new PrivacyError('PROOF_BAD_LENGTH', `wire proof must be ${PROOF_WIRE_BYTES} bytes`, {
        length: bytes.length,
      });
    }
    if (bytes[0] !== PROOF_SUITE_GROTH16_BN254) {
      throw new PrivacyError('PROOF_UNKNOWN_SUITE', 'unknown proof suite tag', { tag: bytes[0] });
    }
    return new Groth16Proof(
      g1FromCompressed(bytes.subarray(1, 33), 'proof.A'),
      g2FromCompressed(bytes.subarray(33, 97), 'proof.B'),
      g1FromCompressed(bytes.subarray(97, 129), 'proof.C'),
    );
  }

  /** Chain form: -A || B || C uncompressed, big-endian (the program's alt_bn128 pairing input). */
  static fromChain(bytes: Uint8Array): Groth16Proof {
    assertCurveReady();
    if (bytes.length !== PROOF_CHAIN_BYTES) {
      throw new PrivacyError('PROOF_BAD_LENGTH', `chain proof must be ${PROOF_CHAIN_BYTES} bytes`, {
        length: bytes.length,
      });
    }
    return new Groth16Proof(
      mcl.neg(g1FromChain(bytes.subarray(0, 64), 'proof.A')),
      g2FromChain(bytes.subarray(64, 192), 'proof.B'),
      g1FromChain(bytes.subarray(192, 256), 'proof.C'),
    );
  }

  /** Compressed chain form: -A (32) || B (64) || C (32), as sol_alt_bn128_compression decompresses them. */
  static fromChainCompressed(bytes: Uint8Array): Groth16Proof {
    assertCurveReady();
    if (bytes.length !== PROOF_CHAIN_COMPRESSED_BYTES) {
      throw new PrivacyError(
        'PROOF_BAD_LENGTH',
        `compressed chain proof must be ${PROOF_CHAIN_COMPRESSED_BYTES} bytes`,
        { length: bytes.length },
      );
    }
    return new Groth16Proof(
      mcl.neg(g1FromChainCompressed(bytes.subarray(0, 32), 'proof.A')),
      g2FromChainCompressed(bytes.subarray(32, 96), 'proof.B'),
      g1FromChainCompressed(bytes.subarray(96, 128), 'proof.C'),
    );
  }

  static fromSnarkjs(proof: SnarkjsProof): Groth16Proof {
    assertCurveReady();
    const { pi_a: a, pi_b: b, pi_c: c } = proof;
    if (a.length !== 3 || a[2] !== '1' || c.length !== 3 || c[2] !== '1') {
      throw new PrivacyError('PROOF_POINT_INVALID', 'snarkjs G1 points must be affine (z = 1)');
    }
    if (
      b.length !== 3 ||
      b[2]?.[0] !== '1' ||
      b[2]?.[1] !== '0' ||
      b[0]?.length !== 2 ||
      b[1]?.length !== 2
    ) {
      throw new PrivacyError('PROOF_POINT_INVALID', 'snarkjs G2 point must be affine (z = [1, 0])');
    }
    return new Groth16Proof(
      g1FromCoordinates(decimal(a[0], 'proof.A.x'), decimal(a[1], 'proof.A.y'), 'proof.A'),
      g2FromCoordinates(
        [decimal(b[0][0], 'proof.B.x0'), decimal(b[0][1], 'proof.B.x1')],
        [decimal(b[1][0], 'proof.B.y0'), decimal(b[1][1], 'proof.B.y1')],
        'proof.B',
      ),
      g1FromCoordinates(decimal(c[0], 'proof.C.x'), decimal(c[1], 'proof.C.y'), 'proof.C'),
    );
  }

  /** From points computed by this process (already valid by construction); checks them anyway. */
  static fromParts(a: mcl.G1, b: mcl.G2, c: mcl.G1): Groth16Proof {
    return Groth16Proof.fromWire(
      concatBytes(
        Uint8Array.of(PROOF_SUITE_GROTH16_BN254),
        g1ToCompressed(a),
        g2ToCompressed(b),
        g1ToCompressed(c),
      ),
    );
  }

  toWire(): Uint8Array {
    return concatBytes(
      Uint8Array.of(PROOF_SUITE_GROTH16_BN254),
      g1ToCompressed(this.a),
      g2ToCompressed(this.b),
      g1ToCompressed(this.c),
    );
  }

  toChain(): Uint8Array {
    return concatBytes(g1ToChain(mcl.neg(this.a)), g2ToChain(this.b), g1ToChain(this.c));
  }

  /** The 128 bytes the withdraw instruction carries (the program decompresses them with the syscall). */
  toChainCompressed(): Uint8Array {
    return concatBytes(
      g1ToChainCompressed(mcl.neg(this.a)),
      g2ToChainCompressed(this.b),
      g1ToChainCompressed(this.c),
    );
  }

  toSnarkjs(): SnarkjsProof {
    const [ax, ay] = g1Coordinates(this.a);
    const [[bx0, bx1], [by0, by1]] = g2Coordinates(this.b);
    const [cx, cy] = g1Coordinates(this.c);
    return {
      pi_a: [ax.toString(), ay.toString(), '1'],
      pi_b: [
        [bx0.toString(), bx1.toString()],
        [by0.toString(), by1.toString()],
        ['1', '0'],
      ],
      pi_c: [cx.toString(), cy.toString(), '1'],
      protocol: 'groth16',
      curve: 'bn128',
    };
  }
}

/**
 * A fresh proof of the same statement: A' = A/r, B' = r·B + s·δ, C' = C + (s/r)·A for random
 * r, s. Anyone can do this without the witness, so a proof's bytes never identify a transaction.
 */
export function rerandomizeProof(proof: Groth16Proof, delta: mcl.G2): Groth16Proof {
  const r = new mcl.Fr();
  const s = new mcl.Fr();
  r.setByCSPRNG();
  s.setByCSPRNG();
  const rInv = mcl.inv(r);
  return Groth16Proof.fromParts(
    mcl.mul(proof.a, rInv),
    mcl.add(mcl.mul(proof.b, r), mcl.mul(delta, s)),
    mcl.add(proof.c, mcl.mul(proof.a, mcl.mul(s, rInv))),
  );
}
