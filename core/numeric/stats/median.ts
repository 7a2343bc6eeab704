// The median of a column of numbers (imputation's N_med and V_p, a fit's GWAS N).

/** Median of the first `count` values (mean of the two middle ones for an even count). NaN when empty. */
export function median(values: Float64Array, count = values.length): number {
  if (count === 0) return NaN;
  const sorted = values.slice(0, count).sort();
  const mid = count >>> 1;
  return count % 2 === 1 ? sorted[mid]! : 0.5 * (sorted[mid - 1]! + sorted[mid]!);
}
