import { beforeAll, describe, expect, it } from 'vitest';
import { FIELD_MODULUS } from '../field.js';
import { twistPointOutsideG2 } from '../testing/index.js';
import { isInG2Subgroup } from './g2-subgroup.js';
import { BASE_FIELD_MODULUS, initCurve, mcl } from './mcl.js';

beforeAll(initCurve);

/** [k]Q for any k >= 0 (mcl's mul reduces its scalar mod r, which would erase what is tested here). */
function mulBig(q: mcl.G2, k: bigint): mcl.G2 {
  let acc = new mcl.G2();
  for (let bit = BigInt(k.toString(2).length - 1); bit >= 0n; bit--) {
    acc = mcl.dbl(acc);
    if ((k >> bit) & 1n) acc = mcl.add(acc, q);
  }
  return acc;
}

/** The twist has r·h points, h = 2p − r = 10069 · (a 241-bit composite). */
const TWIST_COFACTOR = 2n * BASE_FIELD_MODULUS - FIELD_MODULUS;
const SMALL_FACTOR = 10069n;

describe('G2 subgroup check (endomorphism test)', () => {
  it('accepts points of G2', () => {
    for (let i = 0; i < 20; i++) expect(isInG2Subgroup(mcl.hashAndMapToG2(`in-${i}`))).toBe(true);
  });

  it('agrees with the [r]Q == 0 test on twist points outside G2', () => {
    let outside = 0;
    for (let seed = 1; outside < 20 && seed < 200; seed++) {
      const q = twistPointOutsideG2(seed);
      if (!q) continue;
      expect(q.isValid()).toBe(true);
      expect(isInG2Subgroup(q)).toBe(q.isValidOrder());
      if (!q.isValidOrder()) outside++;
    }
    expect(outside).toBe(20);
  });

  it('refuses a point of G2 plus a component of small order 10069 (which a random batch could miss)', () => {
    expect(TWIST_COFACTOR % SMALL_FACTOR).toBe(0n);
    let found = 0;
    for (let seed = 1; found < 3 && seed < 200; seed++) {
      const q = twistPointOutsideG2(seed);
      if (!q) continue;
      const t = mulBig(q, FIELD_MODULUS * (TWIST_COFACTOR / SMALL_FACTOR));
      if (t.isZero()) continue;
      expect(mulBig(t, SMALL_FACTOR).isZero()).toBe(true);
      const p = mcl.add(mcl.hashAndMapToG2(`small-${seed}`), t);
      expect(p.isValid()).toBe(true);
      expect(p.isValidOrder()).toBe(false);
      expect(isInG2Subgroup(p)).toBe(false);
      expect(isInG2Subgroup(t)).toBe(false);
      found++;
    }
    expect(found).toBe(3);
  });

  it('accepts multiples of G2 points and the identity', () => {
    const g = mcl.hashAndMapToG2('multiples');
    expect(isInG2Subgroup(new mcl.G2())).toBe(true);
    expect(isInG2Subgroup(mcl.dbl(g))).toBe(true);
    expect(isInG2Subgroup(mcl.neg(g))).toBe(true);
  });
});
