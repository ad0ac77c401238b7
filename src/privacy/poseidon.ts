import type { WasmPoseidon } from 'circomlibjs';
import { poseidon1, poseidon2, poseidon3, poseidon4 } from 'poseidon-lite';
import type { Field } from './field.js';

// circomlib Poseidon (BN254, x^5): identical to circomlib's circuit template and to Solana's
// sol_poseidon syscall (Bn254X5, big-endian inputs). Known answers are pinned in poseidon.test.ts,
// for both implementations below.
//
// poseidon-lite (BigInt arithmetic) needs no set-up, so short-lived tools and module-load constants
// use it. A node appends every block's commitments to a depth-32 tree (about one hash per leaf plus
// 32 per block), so it loads circomlibjs's WebAssembly Poseidon once (about 1 s) and hashes about
// 3.3 times faster from then on (bench:privacy prints both).

let wasm: WasmPoseidon | undefined;
let loading: Promise<void> | undefined;

/** Switches this process to circomlibjs's WebAssembly Poseidon (same function, faster). */
export function loadWasmPoseidon(): Promise<void> {
  loading ??= import('circomlibjs').then(async ({ buildPoseidon }) => {
    wasm = await buildPoseidon();
  });
  return loading;
}

/** Which implementation hashes now (bench and tests). */
export function poseidonImplementation(): 'wasm' | 'poseidon-lite' {
  return wasm ? 'wasm' : 'poseidon-lite';
}

/** Only for tests and the bench's baseline: back to poseidon-lite. */
export function unloadWasmPoseidon(): void {
  wasm = undefined;
  loading = undefined;
}

const viaWasm = (w: WasmPoseidon, inputs: bigint[]): Field => w.F.toObject(w(inputs)) as Field;

export function hash1(a: Field): Field {
  return wasm ? viaWasm(wasm, [a]) : (poseidon1([a]) as Field);
}

export function hash2(a: Field, b: Field): Field {
  return wasm ? viaWasm(wasm, [a, b]) : (poseidon2([a, b]) as Field);
}

export function hash3(a: Field, b: Field, c: Field): Field {
  return wasm ? viaWasm(wasm, [a, b, c]) : (poseidon3([a, b, c]) as Field);
}

export function hash4(a: Field, b: Field, c: Field, d: Field): Field {
  return wasm ? viaWasm(wasm, [a, b, c, d]) : (poseidon4([a, b, c, d]) as Field);
}
