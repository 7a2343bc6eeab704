// Across-chain convergence diagnostics for scalar traces (h², nnz, σ²e): Gelman–Rubin R-hat
// and effective sample size. The reference runs one chain, so users cannot tell whether it mixed.

/** Potential scale reduction factor of equal-length chains (Gelman & Rubin 1992); NaN with < 2 chains. */
export function gelmanRubin(chains: readonly Float64Array[]): number {
  const m = chains.length;
  const n = chains[0]?.length ?? 0;
  if (m < 2 || n < 2 || chains.some((c) => c.length !== n)) return NaN;
  const means = chains.map(mean);
  const grand = means.reduce((a, b) => a + b, 0) / m;
  let b = 0;
  for (const mu of means) b += (mu - grand) ** 2;
  b = (n * b) / (m - 1);
  let w = 0;
  chains.forEach((c, i) => (w += variance(c, means[i]!)));
  w /= m;
  if (!(w > 0)) return b > 0 ? Infinity : 1; // constant chains: agreeing or not
  const varPlus = ((n - 1) / n) * w + b / n;
  return Math.sqrt(varPlus / w);
}

/**
 * Effective sample size summed over chains: n/τ per chain with τ = −1 + 2 Σ_k Γ_k,
 * Γ_k = ρ_{2k} + ρ_{2k+1}, summed while positive (Geyer's initial positive sequence).
 */
export function effectiveSampleSize(chains: readonly Float64Array[]): number {
  let total = 0;
  for (const c of chains) {
    const n = c.length;
    if (n < 4) {
      total += n;
      continue;
    }
    const mu = mean(c);
    const v = variance(c, mu) * (n - 1) / n;
    if (!(v > 0)) {
      total += n;
      continue;
    }
    const rho = (lag: number): number => {
      let s = 0;
      for (let i = 0; i + lag < n; i++) s += (c[i]! - mu) * (c[i + lag]! - mu);
      return s / n / v;
    };
    let sum = 0;
    for (let t = 0; t + 1 < n; t += 2) {
      const pair = (t === 0 ? 1 : rho(t)) + rho(t + 1);
      if (!(pair > 0)) break;
      sum += pair;
    }
    total += n / Math.max(-1 + 2 * sum, 1 / n);
  }
  return total;
}

function mean(x: Float64Array): number {
  let s = 0;
  for (const v of x) s += v;
  return s / x.length;
}

function variance(x: Float64Array, mu: number): number {
  let s = 0;
  for (const v of x) s += (v - mu) ** 2;
  return s / (x.length - 1);
}
