// Cross-validation metrics inside a study: each held-out fold's scores (`<prefix>fold<k>`) against
// the phenotype, per fold and aggregated over folds, into `metrics` in one transaction that
// replaces the run's earlier fold rows of the same method (a retry writes no duplicates).
import { BadInputError } from '../errors.js';
import type { Store } from '../store/store.js';
import { evaluationSamples } from './evaluationSamples.js';
import { FOLDS_SCOPE, type ScoreEvaluation, evaluateScore, foldMetricRows } from './foldMetrics.js';
import { writeMetricRows } from './metricRows.js';
import type { MetricRow, PhenotypeInputs, EvaluateFoldsRequest } from '../../contracts/evaluation.js';

export async function evaluateFoldsInStore(store: Store, req: EvaluateFoldsRequest): Promise<{ rows: MetricRow[] }> {
  if (!Number.isInteger(req.folds) || req.folds < 1) throw new BadInputError(store.paths.database, `fold count must be a positive integer, got ${req.folds}`);
  const names = Array.from({ length: req.folds }, (_, k) => `${req.scorePrefix}fold${k + 1}`);
  const data = await evaluationSamples(store, { ...req, scoreNames: names });
  const opts = { trait: req.trait, ...(req.prevalence !== undefined ? { prevalence: req.prevalence } : {}) };
  // A held-out sample has one fold's score only; its NaN in the other columns drops it there.
  const perFold: ScoreEvaluation[] = data.scores.map((score) => evaluateScore(data.y, score, data.covariates, opts));
  const rows = foldMetricRows(req.method, perFold);
  await writeMetricRows(store, req.runId, rows, { method: req.method, scopes: { prefix: 'fold-', exact: [FOLDS_SCOPE] } });
  return { rows };
}
