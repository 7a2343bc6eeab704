// Which eigen-pairs a panel keeps (DESIGN §4): sumLambda is the sum of the positive
// eigenvalues and k the first count whose cumulative sum reaches cut-off × sumLambda. The
// pairs are stored as float32, as SBayesRC's own files are.
import type { EigenBlock } from '../formats/types.js';
import type { SymmetricEigen } from '../numeric/linalg/symmetricEigen.js';

export function positiveSum(values: Float64Array): number {
  let sum = 0;
  // Descending: the positive values are a prefix. Summed in the same order as the cumulative
  // sum below, so at cut-off 1 the last positive value reaches the target exactly.
  for (let i = 0; i < values.length && values[i]! > 0; i++) sum += values[i]!;
  return sum;
}

/** k for descending `values` (at least 1; never past the last positive value). */
export function keptCount(values: Float64Array, cutoff: number): number {
  if (!(cutoff > 0 && cutoff <= 1)) throw new RangeError(`eigen cut-off must be in (0, 1], got ${cutoff}`);
  const target = cutoff * positiveSum(values);
  let cum = 0;
  let k = 0;
  while (k < values.length && values[k]! > 0) {
    cum += values[k]!;
    k++;
    if (cum >= target) break;
  }
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
