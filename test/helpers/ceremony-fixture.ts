import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as snarkjs from 'snarkjs';

/** A compiled tiny circuit and a small prepared phase-1 file, made in seconds for ceremony tests. */
export interface TinySetup {
  readonly work: string;
  readonly r1cs: string;
  readonly ptau: string;
}

export const TINY_POWER = 8;

export async function makeTinySetup(): Promise<TinySetup> {
  const work = await mkdtemp(join(tmpdir(), 'paraloom-ceremony-'));
  execFileSync(
    'npx',
    [
      'circom2',
      'test/fixtures/ceremony/tiny.circom',
      '--r1cs',
      '-l',
      'node_modules/circomlib/circuits',
      '-o',
      work,
    ],
    { stdio: 'pipe' },
  );
  // A throwaway phase 1: one contribution, then the Lagrange preparation phase 2 needs.
  const curve = await snarkjs.curves.getCurveFromName('bn128');
  const p0 = join(work, 'pot_0.ptau');
  const p1 = join(work, 'pot_1.ptau');
  const ptau = join(work, `pot${TINY_POWER}_final.ptau`);
  await snarkjs.powersOfTau.newAccumulator(curve, TINY_POWER, p0);
  await snarkjs.powersOfTau.contribute(p0, p1, 'test phase 1', 'test entropy');
  await snarkjs.powersOfTau.preparePhase2(p1, ptau);
  return { work, r1cs: join(work, 'tiny.r1cs'), ptau };
}
