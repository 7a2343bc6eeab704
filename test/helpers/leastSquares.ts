// Least squares by the textbook normal equations (XᵀX)β = Xᵀy, X = [1, predictors…], solved by
// Gaussian elimination with partial pivoting: the tests' independent reference for OLS-based
// metrics (no centring, no Cholesky — a different route from activities/metrics/ols.ts).
export function normalEquations(y: ArrayLike<number>, predictors: readonly ArrayLike<number>[]): { beta: number[]; r2: number } {
  const n = y.length;
  const p = predictors.length + 1;
  const x = (i: number, j: number): number => (j === 0 ? 1 : predictors[j - 1]![i]!);
  const a: number[][] = Array.from({ length: p }, (_, r) => {
    const row = new Array<number>(p + 1).fill(0);
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < p; c++) row[c]! += x(i, r) * x(i, c);
      row[p]! += x(i, r) * y[i]!;
    }
    return row;
  });
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= p; k++) a[r]![k]! -= f * a[c]![k]!;
    }
  }
  const beta = a.map((row, r) => row[p]! / row[r]!);
  let my = 0;
  for (let i = 0; i < n; i++) my += y[i]! / n;
  let rss = 0;
  let tss = 0;
  for (let i = 0; i < n; i++) {
    let f = 0;
    for (let j = 0; j < p; j++) f += beta[j]! * x(i, j);
    rss += (y[i]! - f) ** 2;
    tss += (y[i]! - my) ** 2;
  }
  return { beta, r2: 1 - rss / tss };
}
