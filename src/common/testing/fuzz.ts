/**
 * Seeded, bounded fuzzing for decoders of untrusted bytes: random inputs and mutations of valid
 * encodings (bit flips, byte changes, truncations, extensions, splices). The same seed gives the same
 * inputs, so a failure names an input that can be replayed.
 */

/** xorshift32: small, fast, deterministic; not for anything but test inputs. */
export function seededRandom(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x / 0x1_0000_0000;
  };
}

export interface FuzzOptions {
  readonly seed: number;
  /** Inputs generated in all (bounded: the run always stops). */
  readonly count: number;
  /** Longest random input. */
  readonly maxLength?: number;
}

/** `count` inputs: about a quarter random, the rest mutations of `valid` encodings. */
export function* fuzzInputs(valid: readonly Uint8Array[], o: FuzzOptions): Generator<Uint8Array> {
  const rnd = seededRandom(o.seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const maxLength = o.maxLength ?? 512;
  for (let i = 0; i < o.count; i++) {
    if (valid.length === 0 || int(4) === 0) {
      const out = new Uint8Array(int(maxLength + 1));
      for (let k = 0; k < out.length; k++) out[k] = int(256);
      yield out;
      continue;
    }
    const base = valid[int(valid.length)]!;
    let out = base.slice();
    const edits = 1 + int(3);
    for (let e = 0; e < edits; e++) {
      switch (int(5)) {
        case 0:
          if (out.length) out[int(out.length)]! ^= 1 << int(8);
          break;
        case 1:
          if (out.length) out[int(out.length)] = [0, 0xff, 0x7f, 0x80][int(4)]!;
          break;
        case 2:
          out = out.slice(0, int(out.length + 1));
          break;
        case 3: {
          const extra = new Uint8Array(1 + int(64));
          for (let k = 0; k < extra.length; k++) extra[k] = int(256);
          out = new Uint8Array([...out, ...extra]);
          break;
        }
        default: {
          // A length or count field read as huge: four 0xff bytes somewhere.
          const at = int(Math.max(1, out.length - 3));
          out.fill(0xff, at, at + 4);
        }
      }
    }
    yield out;
  }
}
