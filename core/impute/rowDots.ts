// The one kernel behind every product here: dot products of rows of one row-major matrix with
// rows of another (W_T W_Tᵀ, W_I W_Tᵀ, the Cholesky and triangular-solve updates). Done as
// independent dots it streams the second matrix from memory once per row of the first, which
// makes it memory-bound; here the second matrix is taken in tiles that stay in cache, and 2 × 4
// dots share their loads.

export type Floats = Float32Array | Float64Array;

/** Columns per pass and rows of y per tile: a tile (≤ 32 × 512 values) stays in L2. */
const KC = 512;
const YB = 32;

/**
 * out[outOff + a·ldo + b] += sign · Σ_{c<len} x[xOff + a·ldx + c] · y[yOff + b·ldy + c] for a < na,
 * b < nb. `sign` is +1 or −1 (an update subtracts).
 */
export function addRowDots(
  x: Floats,
  xOff: number,
  ldx: number,
  na: number,
  y: Floats,
  yOff: number,
  ldy: number,
  nb: number,
  len: number,
  out: Float64Array,
  outOff: number,
  ldo: number,
  sign: 1 | -1,
): void {
  for (let c0 = 0; c0 < len; c0 += KC) {
    const c1 = Math.min(len, c0 + KC);
    for (let b0 = 0; b0 < nb; b0 += YB) {
      const b1 = Math.min(nb, b0 + YB);
      let a = 0;
      for (; a + 1 < na; a += 2) {
        const x0 = xOff + a * ldx;
        const x1 = x0 + ldx;
        const o0 = outOff + a * ldo;
        const o1 = o0 + ldo;
        let b = b0;
        for (; b + 3 < b1; b += 4) {
          const y0 = yOff + b * ldy;
          const y1 = y0 + ldy;
          const y2 = y1 + ldy;
          const y3 = y2 + ldy;
          let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
          for (let c = c0; c < c1; c++) {
            const u = x[x0 + c]!;
            const v = x[x1 + c]!;
            const w0 = y[y0 + c]!;
            const w1 = y[y1 + c]!;
            const w2 = y[y2 + c]!;
            const w3 = y[y3 + c]!;
            s00 += u * w0;
            s01 += u * w1;
            s02 += u * w2;
            s03 += u * w3;
            s10 += v * w0;
            s11 += v * w1;
            s12 += v * w2;
            s13 += v * w3;
          }
          out[o0 + b]! += sign * s00;
          out[o0 + b + 1]! += sign * s01;
          out[o0 + b + 2]! += sign * s02;
          out[o0 + b + 3]! += sign * s03;
          out[o1 + b]! += sign * s10;
          out[o1 + b + 1]! += sign * s11;
          out[o1 + b + 2]! += sign * s12;
          out[o1 + b + 3]! += sign * s13;
        }
        for (; b < b1; b++) {
          const y0 = yOff + b * ldy;
          let s0 = 0;
          let s1 = 0;
          for (let c = c0; c < c1; c++) {
            const w = y[y0 + c]!;
            s0 += x[x0 + c]! * w;
            s1 += x[x1 + c]! * w;
          }
          out[o0 + b]! += sign * s0;
          out[o1 + b]! += sign * s1;
        }
      }
      for (; a < na; a++) {
        const x0 = xOff + a * ldx;
        const o0 = outOff + a * ldo;
        for (let b = b0; b < b1; b++) {
          const y0 = yOff + b * ldy;
          let s = 0;
          for (let c = c0; c < c1; c++) s += x[x0 + c]! * y[y0 + c]!;
          out[o0 + b]! += sign * s;
        }
      }
    }
  }
}

/** Σ_{i<n} x[xOff+i]·y[yOff+i], four accumulators (for single dots). */
export function dot(x: ArrayLike<number>, xOff: number, y: ArrayLike<number>, yOff: number, n: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    s0 += x[xOff + i]! * y[yOff + i]!;
    s1 += x[xOff + i + 1]! * y[yOff + i + 1]!;
    s2 += x[xOff + i + 2]! * y[yOff + i + 2]!;
    s3 += x[xOff + i + 3]! * y[yOff + i + 3]!;
  }
  for (; i < n; i++) s0 += x[xOff + i]! * y[yOff + i]!;
  return s0 + s1 + (s2 + s3);
}
