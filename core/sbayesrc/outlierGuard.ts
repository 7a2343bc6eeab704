// Convergence guard (DESIGN §5.3): every 100 sweeps, SNPs whose running-mean effect is large
// (above the 80th percentile of |b̂|) yet far from b̂ are taken out of the model for good. A
// SNP the chain inflates well beyond its marginal effect is the usual sign of LD mismatch
// between the GWAS and the panel, and left in it can make the whole block diverge.

export const GUARD_EVERY = 100;

/** (same-sign, opposite-sign) relative-deviation limits, tightening at sweeps 300/600/900. */
export function guardLimits(sweep: number): readonly [number, number] {
  if (sweep < 300) return [4, 2];
  if (sweep < 600) return [3, 1.5];
  if (sweep < 900) return [2, 1.3];
  return [1.5, 1.1];
}

/** The p-quantile (linear interpolation) of |x|. */
export function absQuantile(x: Float64Array, p: number): number {
  const a = Float64Array.from(x, Math.abs).sort();
  if (a.length === 0) return 0;
  const pos = p * (a.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(lo + 1, a.length - 1);
  return a[lo]! + (pos - lo) * (a[hi]! - a[lo]!);
}

/**
 * SNPs to remove after `sweep` sweeps: |β̄_j| > threshold and |β̄_j − b̂_j|/|b̂_j| above the limit
 * for the sign relation of β̄_j and b̂_j. `threshold` is the 80th percentile of |b̂| (fixed per fit).
 */
export function guardOutliers(runningSum: Float64Array, sweep: number, bhat: Float64Array, removed: Uint8Array, threshold: number): number[] {
  const [same, opposite] = guardLimits(sweep);
  const out: number[] = [];
  for (let j = 0; j < bhat.length; j++) {
    if (removed[j] === 1) continue;
    const mean = runningSum[j]! / sweep;
    if (!(Math.abs(mean) > threshold)) continue;
    const b = bhat[j]!;
    const rel = Math.abs(mean - b) / Math.abs(b);
    const limit = mean * b > 0 ? same : opposite;
    if (rel > limit) out.push(j);
  }
  return out;
}
