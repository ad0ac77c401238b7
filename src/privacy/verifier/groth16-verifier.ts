import { bytesToBigintLE } from '../../common/index.js';
import { assertCurveReady, mcl, millerLoopVec } from '../curve/mcl.js';
import { PrivacyError } from '../errors.js';
import { FIELD_MODULUS, type Field } from '../field.js';
import type { Groth16Proof } from '../proof/groth16-proof.js';
import type { VerifyingKey } from './verifying-key.js';

export interface VerificationItem {
  readonly proof: Groth16Proof;
  /** In circuit order; derived by the caller's domain code, never taken from a submitter. */
  readonly publicInputs: readonly Field[];
}

export interface BatchResult {
  readonly valid: boolean;
  /** Indexes (into the submitted batch) of the proofs that failed, ascending. */
  readonly invalid: readonly number[];
  readonly pairingChecks: number;
}

/** Bits of randomness per proof in the linear combination: a forged batch passes w.p. 2^-128. */
const RLC_SCALAR_BYTES = 16;

function toFr(value: Field): mcl.Fr {
  const f = new mcl.Fr();
  f.setStr(value.toString(10), 10);
  return f;
}

/** A nonzero CSPRNG scalar below 2^128, as an mcl scalar and as a bigint (the same value). */
function randomScalar(): { fr: mcl.Fr; value: bigint } {
  const bytes = new Uint8Array(RLC_SCALAR_BYTES);
  for (;;) {
    crypto.getRandomValues(bytes);
    const value = bytesToBigintLE(bytes);
    if (value === 0n) continue;
    const fr = new mcl.Fr();
    fr.setLittleEndian(bytes);
    return { fr, value };
  }
}

/**
 * Groth16 verification with the curve state and the verifying key's fixed pairings prepared once.
 * Single: e(-A, B) · e(α, β) · e(vk_x, γ) · e(C, δ) == 1 with e(α, β)'s Miller loop cached and γ, δ
 * precomputed. Batch (random linear combination, one final exponentiation): with CSPRNG r_i,
 *   Π e(r_i·A_i, B_i) · e(-Σr_i·α, β) · e(-Σ r_i·vk_x_i, γ) · e(-Σ r_i·C_i, δ) == 1,
 * where Σ r_i·vk_x_i = (Σ r_i)·IC_0 + Σ_j (Σ_i r_i·x_ij)·IC_j is one multi-scalar multiplication.
 * The scalars are drawn with Σ r_i = 1 (the last one is 1 minus the others), so e(-α, β) is a
 * cached Miller loop rather than one more per batch. Soundness is kept: with per-proof defects
 * d_i in the exponent, the check is Σ_{i<n} r_i (d_i − d_n) + d_n = 0, affine in the free
 * 128-bit r_i; if every coefficient is zero then all d_i equal a nonzero d_n and the check fails,
 * otherwise one r_i must hit a single value: probability at most 2^-128.
 */
export class Groth16Verifier {
  private readonly alphaBetaMiller: mcl.GT;
  private readonly negAlphaBetaMiller: mcl.GT;
  private readonly gammaPrepared: mcl.PrecomputedG2;
  private readonly deltaPrepared: mcl.PrecomputedG2;
  private destroyed = false;

  constructor(readonly key: VerifyingKey) {
    assertCurveReady();
    this.alphaBetaMiller = mcl.millerLoop(key.alpha, key.beta);
    this.negAlphaBetaMiller = mcl.millerLoop(mcl.neg(key.alpha), key.beta);
    this.gammaPrepared = new mcl.PrecomputedG2(key.gamma);
    this.deltaPrepared = new mcl.PrecomputedG2(key.delta);
  }

  /** Frees the precomputed G2 tables held in the WebAssembly heap. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    this.gammaPrepared.destroy();
    this.deltaPrepared.destroy();
  }

  verify(item: VerificationItem): boolean {
    const vkX = this.linearCombination(item.publicInputs);
    const ml = mcl.mul(
      mcl.mul(mcl.millerLoop(mcl.neg(item.proof.a), item.proof.b), this.alphaBetaMiller),
      mcl.precomputedMillerLoop2(vkX, this.gammaPrepared, item.proof.c, this.deltaPrepared),
    );
    return mcl.finalExp(ml).isOne();
  }

  /** One pairing check for the whole batch; on failure, bisects to name every bad proof. */
  verifyBatch(items: readonly VerificationItem[]): BatchResult {
    const counter = { checks: 0 };
    const invalid: number[] = [];
    this.bisect(items, 0, invalid, counter);
    invalid.sort((x, y) => x - y);
    return { valid: invalid.length === 0, invalid, pairingChecks: counter.checks };
  }

  private bisect(
    items: readonly VerificationItem[],
    offset: number,
    invalid: number[],
    counter: { checks: number },
  ): void {
    if (items.length === 0) return;
    counter.checks++;
    if (items.length === 1) {
      if (!this.verify(items[0]!)) invalid.push(offset);
      return;
    }
    if (this.checkBatch(items)) return;
    const mid = items.length >> 1;
    this.bisect(items.slice(0, mid), offset, invalid, counter);
    this.bisect(items.slice(mid), offset + mid, invalid, counter);
  }

  /** True iff every proof in `items` is valid (except with probability 2^-128). */
  checkBatch(items: readonly VerificationItem[]): boolean {
    const n = items.length;
    const inputCount = this.key.publicInputCount;
    const g1: mcl.G1[] = new Array(n + 2);
    const g2: mcl.G2[] = new Array(n + 2);
    const scalars: mcl.Fr[] = new Array(n);
    const cPoints: mcl.G1[] = new Array(n);
    // Σ r_i·x_ij in bigints, reduced once: cheaper than per-input scalar objects.
    const icSums: bigint[] = new Array(inputCount + 1).fill(0n);
    let freeSum = 0n;
    for (let i = 0; i < n; i++) {
      const item = items[i]!;
      this.checkInputs(item.publicInputs);
      let r: { fr: mcl.Fr; value: bigint };
      if (i < n - 1) {
        r = randomScalar();
        freeSum += r.value;
      } else {
        const value = (((1n - freeSum) % FIELD_MODULUS) + FIELD_MODULUS) % FIELD_MODULUS;
        r = { fr: toFr(value as Field), value };
      }
      scalars[i] = r.fr;
      g1[i] = mcl.mul(item.proof.a, r.fr);
      g2[i] = item.proof.b;
      cPoints[i] = item.proof.c;
      for (let j = 0; j < inputCount; j++) icSums[j + 1] += r.value * item.publicInputs[j]!;
    }
    icSums[0] = 1n; // Σ r_i
    const icScalars = icSums.map((sum) => toFr((sum % FIELD_MODULUS) as Field));
    g1[n] = mcl.neg(mcl.mulVec([...this.key.ic], icScalars));
    g2[n] = this.key.gamma;
    g1[n + 1] = mcl.neg(mcl.mulVec(cPoints, scalars));
    g2[n + 1] = this.key.delta;
    return mcl.finalExp(mcl.mul(millerLoopVec(g1, g2), this.negAlphaBetaMiller)).isOne();
  }

  private linearCombination(inputs: readonly Field[]): mcl.G1 {
    this.checkInputs(inputs);
    const ic = this.key.ic;
    const points: mcl.G1[] = [];
    const scalars: mcl.Fr[] = [];
    for (let j = 0; j < inputs.length; j++) {
      if (inputs[j] === 0n) continue;
      points.push(ic[j + 1]!);
      scalars.push(toFr(inputs[j]!));
    }
    return points.length === 0 ? ic[0]! : mcl.add(ic[0]!, mcl.mulVec(points, scalars));
  }

  private checkInputs(inputs: readonly Field[]): void {
    if (inputs.length !== this.key.publicInputCount) {
      throw new PrivacyError('PROOF_INVALID', 'wrong number of public inputs', {
        expected: this.key.publicInputCount,
        got: inputs.length,
      });
    }
  }
}
