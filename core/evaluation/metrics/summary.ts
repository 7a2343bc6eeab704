// Mean and standard error of a metric over cross-validation folds.

export interface MeanAndSe {
  mean: number;
  /** sd/√n with the n − 1 denominator; NaN when fewer than 2 values are finite. */
  se: number;
  /** Finite values used. */
  n: number;
  /** NaN values skipped (a fold whose metric was undefined). */
  ignored: number;
}

/**
 * Mean ± SE of the finite values; NaN entries are skipped and counted. ±Infinity is kept (it
 * makes the result infinite) since it signals a bug rather than an undefined metric.
 */
export function meanAndSe(values: ArrayLike<number>): MeanAndSe {
  let n = 0;
  let ignored = 0;
  let sum = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (Number.isNaN(v)) ignored++;
    else {
      n++;
      sum += v;
    }
  }
  const mean = n > 0 ? sum / n : NaN;
  let ss = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isNaN(v)) ss += (v - mean) ** 2;
  }
  const se = n >= 2 ? Math.sqrt(ss / (n - 1) / n) : NaN;
  return { mean, se, n, ignored };
}
