import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { auditCeremony, releaseSnarkjs } from '../src/ceremony/index.js';
import { OWNERSHIP_DEV_KEYS_DIR } from '../src/compute/index.js';

// snarkjs' full phase-2 verification of the committed ownership keys (about a minute on 2 cores).
// Like the transact audit, it needs the local phase-1 file, so it runs only where that exists.
const PTAU = fileURLToPath(new URL('../.cache/ptau/pot15_final.ptau', import.meta.url));
const present = existsSync(PTAU);
const title = present
  ? 'committed ownership ceremony [slow]'
  : 'committed ownership ceremony [skipped: no .cache/ptau/pot15_final.ptau; npm run setup:dev-keys makes it]';

afterAll(releaseSnarkjs);

describe.skipIf(!present)(title, () => {
  it('re-verifies from the r1cs and the phase-1 file', { timeout: 900_000 }, async () => {
    const { report } = await auditCeremony({ dir: OWNERSHIP_DEV_KEYS_DIR, ptau: PTAU });
    expect(report.circuit).toBe('ownership');
    expect(report.finalized).toBe(true);
    const kinds = report.contributions.map((c) => c.kind);
    expect(kinds.filter((k) => k === 'contribution').length).toBeGreaterThanOrEqual(2);
    expect(kinds.at(-1)).toBe('beacon');
  });
});
