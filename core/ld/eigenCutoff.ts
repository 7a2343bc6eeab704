// Which eigen-pairs a panel keeps (DESIGN §4): sumLambda is the sum of the positive
// eigenvalues and k the first count whose cumulative sum reaches cut-off × sumLambda. The
// pairs are stored as float32, as SBayesRC's own files are. One counting rule serves building
// a block, validating a stored one and truncating it to a lower cut-off.
import { BadInputError } from '../errors.js';
import type { EigenBlock } from '../formats/types.js';
import type { SymmetricEigen } from '../numeric/linalg/symmetricEigen.js';

/** Relative tolerance for sums of stored eigenvalues (float32 values, summed in float64). */
export const EIGEN_SUM_TOL = 1e-5;

/**
 * First count (1-based) of `values` whose cumulative sum reaches target × (1 − tol), or
 * values.length + 1 when none does.
 */
export function countReaching(values: ArrayLike<number>, target: number, tol: number): number {
  let cum = 0;
  for (let i = 0; i < values.length; i++) {
    cum += values[i]!;
    if (cum >= target * (1 - tol)) return i + 1;
  }
  return values.length + 1;
}

/** Length of the positive prefix of descending `values`. */
function positiveCount(values: Float64Array): number {
  let n = 0;
  while (n < values.length && values[n]! > 0) n++;
  return n;
}

export function positiveSum(values: Float64Array): number {
  let sum = 0;
  // Descending: the positive values are a prefix. Summed in the same order as the cumulative
  // sum in keptCount, so at cut-off 1 the last positive value reaches the target exactly.
  for (let i = 0; i < values.length && values[i]! > 0; i++) sum += values[i]!;
  return sum;
}

/** k for descending `values` (at least 1; never past the last positive value). */
export function keptCount(values: Float64Array, cutoff: number): number {
  if (!(cutoff > 0 && cutoff <= 1)) throw new RangeError(`eigen cut-off must be in (0, 1], got ${cutoff}`);
  const positive = positiveCount(values);
  // Exact here (tol 0): the values are float64 straight from the solver.
  let k = Math.min(countReaching(values.subarray(0, positive), cutoff * positiveSum(values), 0), positive);
  // A positive value too small for float32 would be stored as 0, which no reader accepts;
  // such a value cannot have been needed to reach the target anyway.
  while (k > 1 && Math.fround(values[k - 1]!) <= 0) k--;
  return Math.max(k, 1);
}

/** The stored form of a decomposition: the first k pairs in float32. */
export function toEigenBlock(eig: SymmetricEigen, cutoff: number): EigenBlock {
  const m = eig.n;
  const k = keptCount(eig.values, cutoff);
  return {
    m,
    k,
    sumLambda: positiveSum(eig.values),
    cutoff,
    values: Float32Array.from(eig.values.subarray(0, k)),
    vectors: Float32Array.from(eig.vectors.subarray(0, m * k)),
  };
}

/**
 * The block at a lower cut-off: a prefix of the eigenpairs (column-major makes the vectors a
 * prefix too). A cut-off above the stored one cannot be honoured: the data are gone.
 */
export function truncateEigen(block: EigenBlock, cutoff: number, file: string): EigenBlock {
  if (cutoff > block.cutoff * (1 + 1e-6)) {
    throw new BadInputError(file, `requested eigen cut-off ${cutoff} is above the stored ${block.cutoff}; rebuild the LD panel with a higher cut-off`);
  }
  const k = Math.min(block.k, countReaching(block.values, cutoff * block.sumLambda, EIGEN_SUM_TOL));
  if (k === block.k) return { ...block, cutoff };
  return {
    m: block.m,
    k,
    sumLambda: block.sumLambda,
    cutoff,
    values: block.values.subarray(0, k),
    vectors: block.vectors.subarray(0, block.m * k),
  };
}
