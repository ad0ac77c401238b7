import { mcl } from '../curve/mcl.js';

/**
 * A point on the twist curve y² = x³ + 3/(9+u) built from an arbitrary x, with no cofactor
 * clearing, so it is (almost always) outside the order-r subgroup. For tests of the decoders.
 */
export function twistPointOutsideG2(seed: number): mcl.G2 | undefined {
  const fp2 = (a: bigint, b: bigint) => {
    const f = new mcl.Fp2();
    f.setStr(`${a} ${b}`, 10);
    return f;
  };
  const b = mcl.div(fp2(3n, 0n), fp2(9n, 1n));
  const x = fp2(BigInt(seed) * 7919n + 3n, BigInt(seed) + 11n);
  const [ok, y] = mcl.squareRoot(mcl.add(mcl.mul(mcl.sqr(x), x), b));
  if (!ok) return undefined;
  const q = new mcl.G2();
  q.setX(x);
  q.setY(y);
  q.setZ(fp2(1n, 0n));
  return q;
}
