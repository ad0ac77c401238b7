import { mcl } from './mcl.js';

// G2 subgroup membership by the endomorphism test for BN curves (Dai, Lin, Zhao, Zhou, "Fast
// subgroup membership testings for G1, G2 and GT on pairing-friendly curves", eprint 2022/348):
//   Q in G2  <=>  [x+1]Q + psi([x]Q) + psi^2([x]Q) == psi^3([2x]Q),   x = 4965661367192848881.
// One 63-bit scalar multiplication instead of a 254-bit [r]Q. psi is the untwist-Frobenius-twist
// map: psi(x, y) = (conj(x) * xi^((p-1)/3), conj(y) * xi^((p-1)/2)) with xi = 9 + u.
// psi^2 needs no conjugation: it is (x, y) -> (w x, -y) with w = N(xi^((p-1)/3)), a cube root of
// unity in Fp (N(xi^((p-1)/2)) = xi^((p^2-1)/2) = -1, xi being a non-square). As psi is a group
// endomorphism the test is evaluated as
//   [x]Q + Q + A == psi([2]A - [x]Q)   with A = psi^2([x]Q)   (psi^2([2x]Q) = [2]A),
// one psi and one cheap psi^2 where the textbook form takes six psi maps.
// g2-subgroup.test.ts checks it against mcl's [r]Q test, including points with a small-order part.

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
  /** N(psiX): psi^2 scales x by it. */
  psi2X: mcl.Fp2;
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
    const psiX = fp2(PSI_X[0], PSI_X[1]);
    constants = { psiX, psiY: fp2(PSI_Y[0], PSI_Y[1]), psi2X: mcl.mul(psiX, conjugate(psiX)), x };
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

// psi^2(X : Y : Z) = (w·X : -Y : Z): w scales x = X/Z^2 alone.
function psi2(q: mcl.G2): mcl.G2 {
  const r = new mcl.G2();
  r.setX(mcl.mul(q.getX(), getConstants().psi2X));
  r.setY(mcl.neg(q.getY()));
  r.setZ(q.getZ());
  return r;
}

/** True when `q` (already known to be on the twist curve) lies in the order-r subgroup. */
export function isInG2Subgroup(q: mcl.G2): boolean {
  const xq = mcl.mul(q, getConstants().x);
  const a = psi2(xq);
  return mcl.add(mcl.add(xq, q), a).isEqual(psi(mcl.sub(mcl.dbl(a), xq)));
}
