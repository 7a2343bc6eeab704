// Calibration by PGS decile: samples ranked by score within each subgroup (a fold's held-out
// samples, scored by that fold's weights), cut into ten near-equal groups, pooled across subgroups;
// per decile the mean observed phenotype with its standard error, and the mean score.
import { COMBINED_SCORE_NAME } from '../multiAncestry/combinedScore.js';

export interface DecilePoint {
  decile: number; // 1..10
  n: number;
  meanScore: number;
  meanObserved: number;
  /** Standard error of the mean observed phenotype (NaN with fewer than two samples). */
  se: number;
}

export interface CalibrationGroup {
  label: string;
  n: number;
  points: DecilePoint[];
}

export function calibrationByDecile(label: string, subgroups: readonly { score: readonly number[]; y: readonly number[] }[], bins = 10): CalibrationGroup {
  const acc = Array.from({ length: bins }, () => ({ n: 0, s: 0, y: 0, yy: 0 }));
  let total = 0;
  for (const g of subgroups) {
    const order = g.score.map((_, i) => i).sort((a, b) => g.score[a]! - g.score[b]! || a - b);
    const n = order.length;
    order.forEach((i, rank) => {
      const d = Math.min(bins - 1, Math.floor((rank * bins) / n));
      const a = acc[d]!;
      a.n++;
      a.s += g.score[i]!;
      a.y += g.y[i]!;
      a.yy += g.y[i]! * g.y[i]!;
    });
    total += n;
  }
  const points = acc
    .map((a, d) => {
      const mean = a.y / a.n;
      const variance = a.n > 1 ? (a.yy - a.n * mean * mean) / (a.n - 1) : NaN;
      return { decile: d + 1, n: a.n, meanScore: a.s / a.n, meanObserved: mean, se: Math.sqrt(Math.max(0, variance) / a.n) };
    })
    .filter((p) => p.n > 0);
  return { label, n: total, points };
}

/**
 * The calibration series a stored score belongs to: held-out fold scores `<method>/fold<k>` pool
 * into `<method>` (subgroup k); a cross-ancestry run's per-ancestry scores are `<ancestry>
 * weights`, its combined score `SBayesRC-multi (combined)`.
 */
export function calibrationSeries(scoreName: string): { label: string; subgroup: string } {
  const m = /^(.+)\/fold(\d+)$/.exec(scoreName);
  if (m) return { label: m[1]!, subgroup: m[2]! };
  if (scoreName === COMBINED_SCORE_NAME) return { label: `${scoreName} (combined)`, subgroup: '' };
  return { label: `${scoreName} weights`, subgroup: '' };
}
