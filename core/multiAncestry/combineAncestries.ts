// SBayesRC-multi inside a study: the target cohort's per-ancestry scores (`scores`, this run)
// joined to phenotype and covariates, combined with mixing weights fitted on a seeded tuning
// split, test metrics and weights into `metrics` in one transaction replacing the run's earlier
// rows of those scopes.
import { BadInputError } from '../errors.js';
import { evaluationSamples } from '../evaluation/evaluationSamples.js';
import { writeMetricRows } from '../evaluation/metricRows.js';
import type { Store } from '../store/store.js';
import { COMBINED_METHOD, COMBINED_SCOPE, SINGLE_METHOD, evaluateCombination } from './combinedMetrics.js';
import type { MetricRow, PhenotypeInputs, CombineAncestriesRequest, CombineAncestriesSummary } from '../../contracts/evaluation.js';

export async function combineAncestriesInStore(store: Store, req: CombineAncestriesRequest): Promise<CombineAncestriesSummary> {
  const db = store.paths.database;
  const m = req.ancestries.length;
  if (m === 0 || req.scoreNames.length !== m) throw new BadInputError(db, `${req.scoreNames.length} score names for ${m} ancestries: need one per ancestry`);
  if (new Set(req.ancestries).size !== m || req.ancestries.includes(COMBINED_SCOPE)) {
    throw new BadInputError(db, `ancestries must be distinct and not '${COMBINED_SCOPE}': ${req.ancestries.join(', ')}`);
  }
  if (!(req.tuningFraction > 0 && req.tuningFraction < 1)) throw new BadInputError(db, `tuning fraction must be in (0, 1), got ${req.tuningFraction}`);
  const data = await evaluationSamples(store, req);
  // Only samples scored by every ancestry's PGS take part.
  const keep: number[] = [];
  for (let i = 0; i < data.y.length; i++) if (data.scores.every((s) => Number.isFinite(s[i]!))) keep.push(i);
  const pick = (x: Float64Array): Float64Array => Float64Array.from(keep, (i) => x[i]!);
  const result = evaluateCombination(
    { y: pick(data.y), covariates: data.covariates.map(pick), scores: data.scores.map(pick), ancestries: req.ancestries, tuningFraction: req.tuningFraction, seed: req.seed },
    { trait: req.trait, ...(req.prevalence !== undefined ? { prevalence: req.prevalence } : {}) },
  );
  await writeMetricRows(store, req.runId, result.rows, { method: SINGLE_METHOD, scopes: { exact: req.ancestries } }, { method: COMBINED_METHOD, scopes: { exact: [COMBINED_SCOPE] } });
  return result;
}
