import * as mcl from 'mcl-wasm';
import mclRaw from 'mcl-wasm/dist/mcl.js';

// mcl-wasm (BN_SNARK1 = BN254, the curve of circom/snarkjs and of Solana's alt_bn128 syscalls) does
// the pairing arithmetic. Its JS wrapper lacks the multi-Miller-loop that the C library exports,
// so millerLoopVec below calls that export with the wrapper's own stack-allocation helpers.

/** Base field modulus of BN254 (coordinates). */
export const BASE_FIELD_MODULUS =
  21888242871839275222246405745257275088696311157297823662689037894645226208583n;

let ready: Promise<void> | undefined;
let initialized = false;

export function initCurve(): Promise<void> {
  ready ??= mcl.init(mcl.BN_SNARK1).then(() => {
    // Decoders check subgroup membership themselves (faster endomorphism test for G2).
    mcl.verifyOrderG1(false);
    mcl.verifyOrderG2(false);
    initialized = true;
  });
  return ready;
}

export function assertCurveReady(): void {
  if (!initialized) throw new Error('curve not initialised: await initCurve() (privacyReady()) first');
}

interface RawModule {
  stackSave(): number;
  stackRestore(p: number): void;
  salloc(a: Uint32Array): number;
  sallocArray(a: Uint32Array[]): number;
  copyFromHeap32(a: Uint32Array, p: number): void;
  _mclBn_millerLoopVec(out: number, g1: number, g2: number, n: number): void;
}
interface HasBuffer {
  a_: Uint32Array;
}
const raw = (): RawModule => (mclRaw as unknown as { mod: RawModule }).mod;

/** prod_i e(P_i, Q_i) before the final exponentiation, sharing the squarings of one Miller loop. */
export function millerLoopVec(g1: readonly mcl.G1[], g2: readonly mcl.G2[]): mcl.GT {
  if (g1.length !== g2.length || g1.length === 0) throw new RangeError('millerLoopVec: bad lengths');
  const m = raw();
  const out = new mcl.GT();
  const stack = m.stackSave();
  try {
    const outPos = m.salloc((out as unknown as HasBuffer).a_);
    const g1Pos = m.sallocArray(g1.map((p) => (p as unknown as HasBuffer).a_));
    const g2Pos = m.sallocArray(g2.map((p) => (p as unknown as HasBuffer).a_));
    m._mclBn_millerLoopVec(outPos, g1Pos, g2Pos, g1.length);
    m.copyFromHeap32((out as unknown as HasBuffer).a_, outPos);
    return out;
  } finally {
    m.stackRestore(stack);
  }
}

export { mcl };
