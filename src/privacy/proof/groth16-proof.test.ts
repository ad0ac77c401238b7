import { beforeAll, describe, expect, it } from 'vitest';
import { bigintToBytesLE, concatBytes } from '../../common/index.js';
import { BASE_FIELD_MODULUS, initCurve, mcl } from '../curve/mcl.js';
import { PrivacyError } from '../errors.js';
import { twistPointOutsideG2 } from '../testing/index.js';
import {
  Groth16Proof,
  PROOF_CHAIN_BYTES,
  PROOF_CHAIN_COMPRESSED_BYTES,
  PROOF_WIRE_BYTES,
} from './groth16-proof.js';

beforeAll(initCurve);

function sampleProofWire(): Uint8Array {
  const a = mcl.hashAndMapToG1('A');
  const b = mcl.hashAndMapToG2('B');
  const c = mcl.hashAndMapToG1('C');
  return concatBytes(Uint8Array.of(1), a.serialize(), b.serialize(), c.serialize());
}

function errorCode(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return e instanceof PrivacyError ? e.code : `untyped: ${String(e)}`;
  }
  return 'accepted';
}

/** An x in [0, p) for which x³ + 3 has no square root. */
function g1AbscissaOffCurve(): Uint8Array {
  for (let x = 1n; ; x++) {
    const f = new mcl.Fp();
    f.setStr(x.toString(), 10);
    const three = new mcl.Fp();
    three.setInt(3);
    if (!mcl.squareRoot(mcl.add(mcl.mul(mcl.sqr(f), f), three))[0]) return bigintToBytesLE(x, 32);
  }
}

describe('proof codec', () => {
  it('round-trips wire, chain and snarkjs forms', () => {
    const wire = sampleProofWire();
    const proof = Groth16Proof.fromWire(wire);
    expect(proof.toWire()).toEqual(wire);
    const chain = proof.toChain();
    expect(chain.length).toBe(PROOF_CHAIN_BYTES);
    expect(Groth16Proof.fromChain(chain).toWire()).toEqual(wire);
    expect(Groth16Proof.fromSnarkjs(proof.toSnarkjs()).toWire()).toEqual(wire);
  });

  it('compresses the chain form as the alt_bn128 compression syscall reads it, and back', () => {
    const half = (BASE_FIELD_MODULUS - 1n) / 2n;
    for (const tag of ['A', 'B', 'C', 'D', 'E', 'F']) {
      const wire = concatBytes(
        Uint8Array.of(1),
        mcl.hashAndMapToG1(tag).serialize(),
        mcl.hashAndMapToG2(tag).serialize(),
        mcl.neg(mcl.hashAndMapToG1(`${tag}c`)).serialize(),
      );
      const proof = Groth16Proof.fromWire(wire);
      const chain = proof.toChain();
      const compressed = proof.toChainCompressed();
      expect(compressed.length).toBe(PROOF_CHAIN_COMPRESSED_BYTES);
      expect(Groth16Proof.fromChainCompressed(compressed).toWire()).toEqual(wire);
      const be = (b: Uint8Array) => BigInt(`0x${Buffer.from(b).toString('hex')}`);
      // x big-endian (G2: x.c1 then x.c0, exactly the uncompressed x), flags in the top bits of byte 0:
      // bit 7 when y > -y (Fp2 ordered by c1, then c0), bit 6 never (no infinity).
      const masked = new Uint8Array(compressed);
      for (const at of [0, 32, 96]) masked[at]! &= 0x3f;
      expect(masked.subarray(0, 32)).toEqual(chain.subarray(0, 32));
      expect(masked.subarray(32, 96)).toEqual(chain.subarray(64, 128));
      expect(masked.subarray(96, 128)).toEqual(chain.subarray(192, 224));
      const larger = (y: bigint) => y > half;
      expect((compressed[0]! & 0x80) !== 0).toBe(larger(be(chain.subarray(32, 64))));
      const [yc1, yc0] = [be(chain.subarray(128, 160)), be(chain.subarray(160, 192))];
      expect((compressed[32]! & 0x80) !== 0).toBe(yc1 !== 0n ? larger(yc1) : larger(yc0));
      expect((compressed[96]! & 0x80) !== 0).toBe(larger(be(chain.subarray(224, 256))));
      for (const at of [0, 32, 96]) expect(compressed[at]! & 0x40).toBe(0);
    }
    const bad = Groth16Proof.fromWire(sampleProofWire()).toChainCompressed();
    bad[96]! |= 0x40;
    expect(errorCode(() => Groth16Proof.fromChainCompressed(bad))).toBe('PROOF_POINT_INVALID');
    expect(errorCode(() => Groth16Proof.fromChainCompressed(new Uint8Array(127)))).toBe('PROOF_BAD_LENGTH');
  });

  it('writes chain form with A negated, big-endian, G2 as x.c1 x.c0 y.c1 y.c0', () => {
    const proof = Groth16Proof.fromWire(sampleProofWire());
    const chain = proof.toChain();
    const s = proof.toSnarkjs();
    const be = (i: number) => BigInt(`0x${Buffer.from(chain.subarray(i * 32, i * 32 + 32)).toString('hex')}`);
    expect(be(0).toString()).toBe(s.pi_a[0]);
    expect(be(1)).toBe(BASE_FIELD_MODULUS - BigInt(s.pi_a[1]!));
    expect(be(2).toString()).toBe(s.pi_b[0]![1]);
    expect(be(3).toString()).toBe(s.pi_b[0]![0]);
    expect(be(4).toString()).toBe(s.pi_b[1]![1]);
    expect(be(5).toString()).toBe(s.pi_b[1]![0]);
    expect(be(6).toString()).toBe(s.pi_c[0]);
  });

  it('rejects wrong lengths and unknown suite tags', () => {
    const wire = sampleProofWire();
    expect(errorCode(() => Groth16Proof.fromWire(wire.subarray(0, PROOF_WIRE_BYTES - 1)))).toBe(
      'PROOF_BAD_LENGTH',
    );
    expect(errorCode(() => Groth16Proof.fromWire(concatBytes(wire, Uint8Array.of(0))))).toBe(
      'PROOF_BAD_LENGTH',
    );
    const tagged = wire.slice();
    tagged[0] = 2;
    expect(errorCode(() => Groth16Proof.fromWire(tagged))).toBe('PROOF_UNKNOWN_SUITE');
    expect(errorCode(() => Groth16Proof.fromChain(new Uint8Array(255)))).toBe('PROOF_BAD_LENGTH');
  });

  it('rejects, in bounded time, an x with no curve point (a stall in ffjavascript)', () => {
    const wire = sampleProofWire();
    wire.set(g1AbscissaOffCurve(), 1);
    const started = performance.now();
    expect(errorCode(() => Groth16Proof.fromWire(wire))).toBe('PROOF_POINT_INVALID');
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('rejects non-canonical coordinates, infinity and stray flag bits', () => {
    const wire = sampleProofWire();
    const xPlusP = wire.slice();
    const aX =
      BigInt(`0x${Buffer.from(wire.subarray(1, 33)).reverse().toString('hex')}`) & ((1n << 255n) - 1n);
    const shifted = bigintToBytesLE(aX + BASE_FIELD_MODULUS, 32);
    if ((shifted[31]! & 0x80) === 0) {
      shifted[31]! |= wire[32]! & 0x80;
      xPlusP.set(shifted, 1);
      expect(errorCode(() => Groth16Proof.fromWire(xPlusP))).toMatch(/PROOF_POINT_INVALID/);
    }
    const zeroA = wire.slice();
    zeroA.fill(0, 1, 33);
    expect(errorCode(() => Groth16Proof.fromWire(zeroA))).toBe('PROOF_POINT_INVALID');
    const flag = wire.slice();
    flag[32]! |= 0x40;
    expect(errorCode(() => Groth16Proof.fromWire(flag))).toBe('PROOF_POINT_INVALID');
    const chain = Groth16Proof.fromWire(wire).toChain();
    chain.set(new Uint8Array(32).fill(0xff), 0);
    expect(errorCode(() => Groth16Proof.fromChain(chain))).toBe('PROOF_POINT_INVALID');
  });

  it('rejects a B on the twist curve but outside G2 (snarkjs verify does not check this)', () => {
    let q: mcl.G2 | undefined;
    for (let seed = 1; !q || q.isValidOrder(); seed++) q = twistPointOutsideG2(seed);
    const wire = sampleProofWire();
    wire.set(mcl.normalize(q).serialize(), 33);
    expect(errorCode(() => Groth16Proof.fromWire(wire))).toBe('PROOF_NOT_IN_SUBGROUP');
    const s = Groth16Proof.fromWire(sampleProofWire()).toSnarkjs();
    const n = mcl.normalize(q);
    const h = (f: mcl.Fp) => BigInt(`0x${f.getStr(16)}`).toString();
    const forged = {
      ...s,
      pi_b: [
        [h(n.getX().get_a()), h(n.getX().get_b())],
        [h(n.getY().get_a()), h(n.getY().get_b())],
        ['1', '0'],
      ],
    };
    expect(errorCode(() => Groth16Proof.fromSnarkjs(forged))).toBe('PROOF_NOT_IN_SUBGROUP');
  });
});
