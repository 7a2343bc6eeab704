// Summary statistics over the rows still in play (index lists into a column).

/** Median of `values` at `rows`; NaN for no rows. */
export function medianAt(values: Float64Array, rows: Int32Array): number {
  const n = rows.length;
  if (n === 0) return NaN;
  const xs = new Float64Array(n);
  for (let k = 0; k < n; k++) xs[k] = values[rows[k]!]!;
  xs.sort();
  const h = n >>> 1;
  return n % 2 === 1 ? xs[h]! : (xs[h - 1]! + xs[h]!) / 2;
}

/** Mean and sample SD (n − 1) of `values` at `rows`, two-pass for accuracy. */
export function meanSdAt(values: Float64Array, rows: Int32Array): { mean: number; sd: number } {
  const n = rows.length;
  if (n === 0) return { mean: NaN, sd: NaN };
  let sum = 0;
  for (let k = 0; k < n; k++) sum += values[rows[k]!]!;
  const mean = sum / n;
  if (n < 2) return { mean, sd: NaN };
  let ss = 0;
  for (let k = 0; k < n; k++) {
    const d = values[rows[k]!]! - mean;
    ss += d * d;
  }
  return { mean, sd: Math.sqrt(ss / (n - 1)) };
}
