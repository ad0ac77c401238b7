import { poseidon1, poseidon2, poseidon3, poseidon4 } from 'poseidon-lite';
import type { Field } from './field.js';

// circomlib Poseidon (BN254, x^5): identical to circomlib's circuit template and to Solana's
// sol_poseidon syscall (Bn254X5, big-endian inputs). Known answers are pinned in poseidon.test.ts.

export function hash1(a: Field): Field {
  return poseidon1([a]) as Field;
}

export function hash2(a: Field, b: Field): Field {
  return poseidon2([a, b]) as Field;
}

export function hash3(a: Field, b: Field, c: Field): Field {
  return poseidon3([a, b, c]) as Field;
}

export function hash4(a: Field, b: Field, c: Field, d: Field): Field {
  return poseidon4([a, b, c, d]) as Field;
}
