import { describe, expect, it } from 'vitest';
import { meshDegrees } from './node.js';

describe('gossipsub mesh degrees', () => {
  it('are gossipsub defaults at D 6, keep Dout < Dlo <= D <= Dhi, and turn relaying off at 0', () => {
    expect(meshDegrees(6)).toEqual({ D: 6, Dlo: 4, Dhi: 12, Dscore: 4, Dout: 2 });
    expect(meshDegrees(0)).toEqual({ D: 0, Dlo: 0, Dhi: 0, Dscore: 0, Dout: 0 });
    for (let d = 1; d <= 32; d++) {
      const m = meshDegrees(d);
      expect(m.Dout).toBeLessThan(m.Dlo);
      expect(m.Dlo).toBeLessThanOrEqual(d);
      expect(m.Dhi).toBeGreaterThanOrEqual(d);
      expect(m.Dout).toBeLessThanOrEqual(d / 2);
    }
  });
});
