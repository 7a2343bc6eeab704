// Seedable, splittable PRNG: xoshiro128** (32-bit state words, fast with Math.imul) seeded by
// splitmix32 over (seed, stream keys). One independent stream per (seed, block, …) gives results
// that do not depend on thread count or processing order, and the 4-word state can be saved in a
// checkpoint and restored exactly.

function splitmix32(state: { s: number }): number {
  state.s = (state.s + 0x9e3779b9) | 0;
  let z = state.s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const TWO_POW_32 = 4294967296;

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  private constructor(s: Uint32Array) {
    this.s0 = s[0]! | 0;
    this.s1 = s[1]! | 0;
    this.s2 = s[2]! | 0;
    this.s3 = s[3]! | 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // all-zero state is a fixed point
  }

  /** An independent stream for `seed` and any number of integer keys (block index, role, …). */
  static stream(seed: number, ...keys: number[]): Rng {
    const st = { s: seed | 0 };
    let h = splitmix32(st);
    for (const k of keys) {
      st.s = (h ^ Math.imul(k | 0, 0x27d4eb2d)) | 0;
      h = splitmix32(st);
      h ^= splitmix32(st);
    }
    st.s = h | 0;
    const s = new Uint32Array(4);
    for (let i = 0; i < 4; i++) s[i] = splitmix32(st);
    return new Rng(s);
  }

  /** Restore a saved state (see `state()`). */
  static fromState(state: Uint32Array | readonly number[]): Rng {
    return new Rng(Uint32Array.from(state.slice(0, 4)));
  }

  /** The complete generator state (4 words): nothing else is cached, so this resumes exactly. */
  state(): Uint32Array {
    return Uint32Array.of(this.s0, this.s1, this.s2, this.s3);
  }

  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9);
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result >>> 0;
  }

  /** Uniform on (0, 1) with 53 random bits; never exactly 0 or 1. */
  uniform(): number {
    const hi = this.nextU32() >>> 5; // 27 bits
    const lo = this.nextU32() >>> 6; // 26 bits
    return (hi * 67108864 + lo + 0.5) / 9007199254740992;
  }

  /** Uniform integer in [0, n), n ≤ 2^32, without modulo bias. */
  below(n: number): number {
    if (n <= 1) return 0;
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (;;) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
  }

  /**
   * Standard normal by the ziggurat method (Marsaglia & Tsang 2000, 128 layers): ~99 % of
   * draws cost two 32-bit outputs and one multiply. The layer index comes from its own
   * output so value and layer bits are independent (the original's known flaw).
   */
  normal(): number {
    for (;;) {
      const hz = this.nextU32() | 0;
      const iz = this.nextU32() & 127;
      if (Math.abs(hz) < ZIG_K[iz]!) return hz * ZIG_W[iz]!;
      const x = hz * ZIG_W[iz]!;
      if (iz === 0) {
        // Base layer: sample the tail beyond R by Marsaglia's exponential method.
        let xt: number;
        let y: number;
        do {
          xt = -Math.log(this.uniform()) / ZIG_R;
          y = -Math.log(this.uniform());
        } while (y + y < xt * xt);
        return hz > 0 ? ZIG_R + xt : -ZIG_R - xt;
      }
      if (ZIG_F[iz]! + this.uniform() * (ZIG_F[iz - 1]! - ZIG_F[iz]!) < Math.exp(-0.5 * x * x)) return x;
    }
  }

  /** Gamma(shape, scale 1): Marsaglia–Tsang, with the shape < 1 boost. */
  gamma(shape: number): number {
    if (!(shape > 0)) throw new RangeError(`gamma shape must be > 0, got ${shape}`);
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.uniform(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  chiSquared(df: number): number {
    return 2 * this.gamma(df / 2);
  }

  beta(a: number, b: number): number {
    const x = this.gamma(a);
    return x / (x + this.gamma(b));
  }

  /** Dirichlet draw into `out` (same length as alpha). */
  dirichlet(alpha: ArrayLike<number>, out: Float64Array): Float64Array {
    let sum = 0;
    for (let i = 0; i < alpha.length; i++) {
      const g = this.gamma(alpha[i]!);
      out[i] = g;
      sum += g;
    }
    for (let i = 0; i < alpha.length; i++) out[i] = out[i]! / sum;
    return out;
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }
}

// Ziggurat tables for the standard normal: ZIG_K[i] integer acceptance bounds, ZIG_W[i]
// scale from a signed 32-bit integer to x, ZIG_F[i] = exp(−x_i²/2) at the layer edges.
const ZIG_R = 3.442619855899;
const ZIG_K = new Float64Array(128);
const ZIG_W = new Float64Array(128);
const ZIG_F = new Float64Array(128);
(() => {
  const m1 = 2147483648;
  const vn = 9.91256303526217e-3;
  let dn = ZIG_R;
  let tn = dn;
  const q = vn / Math.exp(-0.5 * dn * dn);
  ZIG_K[0] = (dn / q) * m1;
  ZIG_K[1] = 0;
  ZIG_W[0] = q / m1;
  ZIG_W[127] = dn / m1;
  ZIG_F[0] = 1;
  ZIG_F[127] = Math.exp(-0.5 * dn * dn);
  for (let i = 126; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(vn / dn + Math.exp(-0.5 * dn * dn)));
    ZIG_K[i + 1] = (dn / tn) * m1;
    tn = dn;
    ZIG_F[i] = Math.exp(-0.5 * dn * dn);
    ZIG_W[i] = dn / m1;
  }
})();

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
