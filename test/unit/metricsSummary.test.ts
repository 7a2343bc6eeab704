import { describe, expect, it } from 'vitest';
import { formatMetricsSummary } from '../../client/study/metricsSummary.js';
import type { MetricRow } from '../../contracts/evaluation.js';

const row = (scope: string, method: string, metric: string, value: number | null, se: number | null, n: number): MetricRow => ({ scope, method, metric, value, se, n });

describe('metrics summary table', () => {
  it('pivots folds × methods with mean ± SE, skipping non-headline metrics', () => {
    const text = formatMetricsSummary([
      row('fold-1', 'SBayesRC', 'r2', 0.41, null, 400),
      row('fold-1', 'SBayesRC', 'pearson', 0.64, null, 400),
      row('fold-1', 'SBayesR', 'r2', 0.4, null, 400),
      row('folds', 'SBayesRC', 'r2', 0.405, 0.0085, 10),
      row('folds', 'SBayesR', 'r2', 0.39941, 0.0083, 10),
    ]);
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^scope\s+n\s+SBayesRC r2\s+SBayesR r2$/);
    expect(lines[1]).toMatch(/^fold-1\s+400\s+0\.4100\s+0\.4000$/);
    expect(lines[2]).toMatch(/^mean ± SE\s+10\s+0\.4050 ± 0\.0085\s+0\.3994 ± 0\.0083$/);
    expect(text).not.toContain('pearson');
  });

  it('lists cross-ancestry mixing weights under the table', () => {
    const text = formatMetricsSummary([
      row('EUR', 'SBayesRC', 'r2', 0.39, null, 750),
      row('combined', 'SBayesRC-multi', 'r2', 0.43, null, 750),
      row('combined', 'SBayesRC-multi', 'weight:EUR', 0.2363, null, 750),
      row('combined', 'SBayesRC-multi', 'weight:EAS', 0.4543, null, 750),
    ]);
    expect(text).toContain('mixing weights (standardised scores): EUR 0.2363, EAS 0.4543');
    expect(text).toMatch(/combined\s+750\s+0\.4300/);
  });
});
