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
  private spareNormal = NaN;

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
    const r = new Rng(Uint32Array.from(state.slice(0, 4)));
    r.spareNormal = state.length > 4 && state[4] !== undefined ? new Float64Array(Uint32Array.from(state.slice(4, 6)).buffer)[0]! : NaN;
    return r;
  }

  /** The full state (4 words + the cached normal as 2 words), for checkpoints. */
  state(): Uint32Array {
    const out = new Uint32Array(6);
    out[0] = this.s0;
    out[1] = this.s1;
    out[2] = this.s2;
    out[3] = this.s3;
    out.set(new Uint32Array(new Float64Array([this.spareNormal]).buffer), 4);
    return out;
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

  /** Standard normal (Marsaglia polar method; the second variate is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const z = this.spareNormal;
      this.spareNormal = NaN;
      return z;
    }
    for (;;) {
      const u = 2 * this.uniform() - 1;
      const v = 2 * this.uniform() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const m = Math.sqrt((-2 * Math.log(s)) / s);
        this.spareNormal = v * m;
        return u * m;
      }
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

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
