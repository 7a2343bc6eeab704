// Small dense symmetric positive-definite matrices (covariate cross-products, Newton steps),
// row-major Float64Array n×n. Sizes are tens of columns, so plain loops beat any blocking.

/** Pivots at or below this fraction of their column's original diagonal count as zero. */
const DEFAULT_RELATIVE_TOLERANCE = 1e-10;

/**
 * Cholesky factorisation A = L Lᵀ in place: reads only the lower triangle of `a`, leaves L there
 * and zeroes the strict upper triangle. Returns false (contents then unspecified) when A is not
 * numerically positive definite: a pivot ≤ relTol × its original diagonal means the column is,
 * to that precision, a combination of the earlier ones (1 − R² ≤ relTol), which is
 * scale-invariant unlike an absolute threshold.
 */
export function choleskyInPlace(a: Float64Array, n: number, relTol = DEFAULT_RELATIVE_TOLERANCE): boolean {
  checkSquare(a, n);
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    const diag = a[rowJ + j]!;
    let d = diag;
    for (let k = 0; k < j; k++) d -= a[rowJ + k]! * a[rowJ + k]!;
    if (!(d > relTol * diag) || !(diag > 0) || !Number.isFinite(d)) return false;
    const ljj = Math.sqrt(d);
    a[rowJ + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let s = a[rowI + j]!;
      for (let k = 0; k < j; k++) s -= a[rowI + k]! * a[rowJ + k]!;
      a[rowI + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) a[rowJ + k] = 0;
  }
  return true;
}

/** Solves L Lᵀ x = b in place for one right-hand side (L from `choleskyInPlace`). */
export function choleskySolveInPlace(l: Float64Array, n: number, b: Float64Array): Float64Array {
  return choleskySolveMany(l, n, b, 1);
}

/** Solves L Lᵀ X = B in place; B is row-major n × nrhs (column r is the r-th right-hand side). */
export function choleskySolveMany(l: Float64Array, n: number, b: Float64Array, nrhs: number): Float64Array {
  checkSquare(l, n);
  if (b.length !== n * nrhs) throw new RangeError(`right-hand side has ${b.length} values, expected ${n}×${nrhs}`);
  // Forward: L Y = B.
  for (let i = 0; i < n; i++) {
    const lii = l[i * n + i]!;
    for (let r = 0; r < nrhs; r++) {
      let s = b[i * nrhs + r]!;
      for (let k = 0; k < i; k++) s -= l[i * n + k]! * b[k * nrhs + r]!;
      b[i * nrhs + r] = s / lii;
    }
  }
  // Backward: Lᵀ X = Y.
  for (let i = n - 1; i >= 0; i--) {
    const lii = l[i * n + i]!;
    for (let r = 0; r < nrhs; r++) {
      let s = b[i * nrhs + r]!;
      for (let k = i + 1; k < n; k++) s -= l[k * n + i]! * b[k * nrhs + r]!;
      b[i * nrhs + r] = s / lii;
    }
  }
  return b;
}

/** Inverse of a symmetric positive-definite matrix (full, symmetric), or null if it is not SPD. `a` is left unchanged. */
export function invertSpd(a: Float64Array, n: number, relTol = DEFAULT_RELATIVE_TOLERANCE): Float64Array | null {
  const l = Float64Array.from(a);
  if (!choleskyInPlace(l, n, relTol)) return null;
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  choleskySolveMany(l, n, inv, n);
  // Average the two triangles: exact symmetry for callers that read either one.
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const v = 0.5 * (inv[i * n + j]! + inv[j * n + i]!);
      inv[i * n + j] = v;
      inv[j * n + i] = v;
    }
  }
  return inv;
}

/** log det A = 2 Σ log L_ii for A = L Lᵀ. */
export function logDetFromCholesky(l: Float64Array, n: number): number {
  checkSquare(l, n);
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(l[i * n + i]!);
  return 2 * s;
}

/**
 * Columns of a symmetric positive-semidefinite matrix (a cross-product XᵀX) that are, within
 * `tol`, linear combinations of earlier columns, in increasing order. Gram–Schmidt on the
 * covariance, i.e. Cholesky in the given order skipping dependent columns: column j's pivot is
 * its diagonal times 1 − R²_j on the kept earlier columns, and j is reported when that fraction
 * is ≤ tol (an all-zero column is always reported). Earlier columns are kept in preference, so
 * the message names the redundant ones. `a` is left unchanged.
 */
export function rankDeficientColumns(a: Float64Array, n: number, tol = DEFAULT_RELATIVE_TOLERANCE): number[] {
  checkSquare(a, n);
  const l = new Float64Array(n * n);
  const kept = new Uint8Array(n);
  const dependent: number[] = [];
  for (let j = 0; j < n; j++) {
    const diag = a[j * n + j]!;
    let d = diag;
    for (let k = 0; k < j; k++) if (kept[k]) d -= l[j * n + k]! * l[j * n + k]!;
    if (!(d > tol * diag) || !(diag > 0)) {
      dependent.push(j);
      continue;
    }
    kept[j] = 1;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      for (let k = 0; k < j; k++) if (kept[k]) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / ljj;
    }
  }
  return dependent;
}

function checkSquare(a: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 0 || a.length !== n * n) throw new RangeError(`matrix has ${a.length} values, expected ${n}×${n}`);
}
