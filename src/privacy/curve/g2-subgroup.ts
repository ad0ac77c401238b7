import { mcl } from './mcl.js';

// G2 subgroup membership by the endomorphism test for BN curves (El Housni, Guillevic, Piellard,
// "Co-factor clearing and subgroup membership testing on pairing-friendly curves", 2022):
//   Q in G2  <=>  [x+1]Q + psi([x]Q) + psi^2([x]Q) == psi^3([2x]Q),   x = 4965661367192848881.
// One 63-bit scalar multiplication instead of a 254-bit [r]Q. psi is the untwist-Frobenius-twist
// map: psi(x, y) = (conj(x) * xi^((p-1)/3), conj(y) * xi^((p-1)/2)) with xi = 9 + u.
// g2-subgroup.test.ts checks it against mcl's [r]Q test on points inside and outside G2.

const BN_X = 4965661367192848881n;
const PSI_X = [
  21575463638280843010398324269430826099269044274347216827212613867836435027261n,
  10307601595873709700152284273816112264069230130616436755625194854815875713954n,
] as const;
const PSI_Y = [
  2821565182194536844548159561693502659359617185244120367078079554186484126554n,
  3505843767911556378687030309984248845540243509899259641013678093033130930403n,
] as const;

interface Constants {
  psiX: mcl.Fp2;
  psiY: mcl.Fp2;
  x: mcl.Fr;
}
let constants: Constants | undefined;

function fp2(c0: bigint, c1: bigint): mcl.Fp2 {
  const f = new mcl.Fp2();
  f.setStr(`${c0} ${c1}`, 10);
  return f;
}

function getConstants(): Constants {
  if (!constants) {
    const x = new mcl.Fr();
    x.setStr(BN_X.toString(), 10);
    constants = { psiX: fp2(PSI_X[0], PSI_X[1]), psiY: fp2(PSI_Y[0], PSI_Y[1]), x };
  }
  return constants;
}

function conjugate(a: mcl.Fp2): mcl.Fp2 {
  const r = new mcl.Fp2();
  r.set_a(a.get_a());
  r.set_b(mcl.neg(a.get_b()));
  return r;
}

// Frobenius (conjugation) is a field automorphism, so psi acts on Jacobian coordinates directly:
// psi(X : Y : Z) = (conj(X)·cx : conj(Y)·cy : conj(Z)), with no inversion.
function psi(q: mcl.G2): mcl.G2 {
  const k = getConstants();
  const r = new mcl.G2();
  r.setX(mcl.mul(conjugate(q.getX()), k.psiX));
  r.setY(mcl.mul(conjugate(q.getY()), k.psiY));
  r.setZ(conjugate(q.getZ()));
  return r;
}

/** True when `q` (already known to be on the twist curve) lies in the order-r subgroup. */
export function isInG2Subgroup(q: mcl.G2): boolean {
  const k = getConstants();
  const xq = mcl.mul(q, k.x);
  const psiXq = psi(xq);
  const left = mcl.add(mcl.add(mcl.add(xq, q), psiXq), psi(psiXq));
  const right = psi(psi(psi(mcl.dbl(xq))));
  return left.isEqual(right);
}
