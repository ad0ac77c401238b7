import { beforeAll, describe, expect, it } from 'vitest';
import { isInG2Subgroup } from './g2-subgroup.js';
import { initCurve, mcl } from './mcl.js';
import { twistPointOutsideG2 } from './test-points.js';

beforeAll(initCurve);

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
});
