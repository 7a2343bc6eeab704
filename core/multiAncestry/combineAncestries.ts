// SBayesRC-multi inside a study: the target cohort's per-ancestry scores (`scores`, this run)
// joined to phenotype and covariates, combined with mixing weights fitted on a seeded tuning
// split; test metrics and weights into `metrics`, and the combined score of every target sample
// scored by every ancestry (tuning, test, and those without a phenotype) into `scores` as
// `SBayesRC-multi` (Σ_a w_a / sd_a · s_a, each fit's weights counted on the target's A1 allele:
// combinedScore.ts), all in one transaction that first deletes the run's earlier rows of those
// kinds, so a retry replaces and never duplicates.
import { BadInputError } from '../errors.js';
import { evaluationSamples } from '../evaluation/evaluationSamples.js';
import { replaceMetricRowsIn } from '../evaluation/metricRows.js';
import type { Store } from '../store/store.js';
import { COMBINED_METHOD, COMBINED_SCOPE, SINGLE_METHOD, TUNING_COMPARISON_METHOD, evaluateCombination } from './combinedMetrics.js';
import { COMBINED_SCORE_NAME, combineRawScores, combinedScoreModel, rawScoreScale } from './combinedScore.js';
import { type AncestryFitWeights, combineFitWeights } from './combinedWeights.js';
import type { CombineAncestriesRequest, CombineAncestriesSummary } from '../../contracts/evaluation.js';

export async function combineAncestriesInStore(store: Store, req: CombineAncestriesRequest): Promise<CombineAncestriesSummary> {
  const db = store.paths.database;
  const m = req.ancestries.length;
  if (m === 0 || req.scoreNames.length !== m) throw new BadInputError(db, `${req.scoreNames.length} score names for ${m} ancestries: need one per ancestry`);
  if (new Set(req.ancestries).size !== m || req.ancestries.includes(COMBINED_SCOPE)) {
    throw new BadInputError(db, `ancestries must be distinct and not '${COMBINED_SCOPE}': ${req.ancestries.join(', ')}`);
  }
  if (req.scoreNames.includes(COMBINED_SCORE_NAME)) throw new BadInputError(db, `'${COMBINED_SCORE_NAME}' is the combined score's name: no ancestry's score may use it`);
  if (!(req.tuningFraction > 0 && req.tuningFraction < 1)) throw new BadInputError(db, `tuning fraction must be in (0, 1), got ${req.tuningFraction}`);
  const data = await evaluationSamples(store, req);
  // Only samples scored by every ancestry's PGS take part.
  const keep: number[] = [];
  for (let i = 0; i < data.y.length; i++) if (data.scores.every((s) => Number.isFinite(s[i]!))) keep.push(i);
  const pick = (x: Float64Array): Float64Array => Float64Array.from(keep, (i) => x[i]!);
  const result = evaluateCombination(
    {
      y: pick(data.y),
      covariates: data.covariates.map(pick),
      scores: data.scores.map(pick),
      ancestries: req.ancestries,
      tuningFraction: req.tuningFraction,
      seed: req.seed,
      ...(req.weighting ? { weighting: req.weighting } : {}),
    },
    { trait: req.trait, ...(req.prevalence !== undefined ? { prevalence: req.prevalence } : {}) },
  );
  const fitScopes = await fitScopesOf(store, req);
  const a2Offset = await targetA2Offsets(store, req.runId, req.cohort, req.ancestries, fitScopes);
  const model = combinedScoreModel(result.model, { cohort: req.cohort, ancestries: req.ancestries, scoreNames: req.scoreNames, fitScopes, a2Offset, weighting: req.weighting?.kind ?? 'tuning' });
  const scale = rawScoreScale(model);
  const all = await scoredSamples(store, req.runId, req.cohort, req.scoreNames);
  const combined = scale === null ? new Float64Array(0) : combineRawScores(scale, all.scores, model.a2Offset);

  await store.transaction(async (tx) => {
    // Deletes first, then the appenders (flushed at the commit).
    await tx.run(`DELETE FROM scores WHERE run_id = $r AND cohort = $c AND score_name = $n`, { r: req.runId, c: req.cohort, n: model.scoreName });
    await replaceMetricRowsIn(
      tx,
      req.runId,
      result.rows,
      { method: SINGLE_METHOD, scopes: { exact: req.ancestries } },
      { method: COMBINED_METHOD, scopes: { exact: [COMBINED_SCOPE] } },
      { method: TUNING_COMPARISON_METHOD, scopes: { exact: [COMBINED_SCOPE] } },
    );
    const a = await tx.appender('scores');
    for (let i = 0; i < combined.length; i++) {
      a.appendVarchar(req.runId);
      a.appendVarchar(req.cohort);
      a.appendVarchar(all.fid[i]!);
      a.appendVarchar(all.iid[i]!);
      a.appendVarchar(model.scoreName);
      a.appendDouble(combined[i]!);
      a.appendInteger(all.alleleCt[i]!);
      a.endRow();
    }
  });
  const { rows, weights, tuning, test } = result;
  return { rows, weights, tuning, test, model, scored: combined.length };
}

/** The fit behind each ancestry's PGS: as requested, else the run's only fit of that ancestry (null: none). */
async function fitScopesOf(store: Store, req: CombineAncestriesRequest): Promise<(string | null)[]> {
  if (req.fitScopes !== undefined) {
    if (req.fitScopes.length !== req.ancestries.length) throw new BadInputError(store.paths.database, `${req.fitScopes.length} fit scopes for ${req.ancestries.length} ancestries`);
    return [...req.fitScopes];
  }
  const fits = await store.all<{ scope: string }>(`SELECT scope FROM fits WHERE run_id = $r ORDER BY scope`, { r: req.runId });
  return req.ancestries.map((a) => {
    const own = fits.filter((f) => f.scope.split('/')[0] === a);
    return own.length === 1 ? own[0]!.scope : null;
  });
}

/**
 * Per ancestry, Σ 2β over its fit's rows that the scorer matched to the target's A2 allele (the
 * constant those weights added to the PGS), found with the rule the export aligns by
 * (combinedWeights.ts); 0 for an ancestry without a recorded fit.
 */
async function targetA2Offsets(store: Store, runId: string, cohort: string, ancestries: readonly string[], scopes: readonly (string | null)[]): Promise<number[]> {
  const fits: AncestryFitWeights[] = [];
  for (const [k, scope] of scopes.entries()) {
    const rows =
      scope === null
        ? []
        : await store.all<{ snp: string; a1: string; beta: number }>(`SELECT snp, a1, beta FROM effects WHERE run_id = $r AND scope = $s ORDER BY rowid`, { r: runId, s: scope });
    if (scope !== null && rows.length === 0) throw new BadInputError(store.paths.database, `run '${runId}' has no effects of fit '${scope}' (ancestry ${ancestries[k]})`);
    fits.push({ ancestry: ancestries[k]!, scope: scope ?? '', rows: rows.map((r) => ({ snp: r.snp, chrom: null, pos: null, a1: r.a1, a2: null, beta: r.beta })) });
  }
  const variants = await store.all<{ id: string; a1: string; a2: string }>(`SELECT id, a1, a2 FROM variants WHERE cohort = $c ORDER BY idx`, { c: cohort });
  const reference = { id: variants.map((v) => v.id), a1: variants.map((v) => v.a1), a2: variants.map((v) => v.a2) };
  return combineFitWeights(fits, fits.map(() => 1), reference).counts.map((c) => c.a2Offset);
}

interface ScoredSamples {
  fid: string[];
  iid: string[];
  /** One column per score name, cohort order. */
  scores: Float64Array[];
  /** The largest allele count among the sample's per-ancestry scores (those scores' union counts at least this many). */
  alleleCt: Int32Array;
}

/** Every sample of the cohort (samples.idx order) with a finite score of each name in this run. */
async function scoredSamples(store: Store, runId: string, cohort: string, names: readonly string[]): Promise<ScoredSamples> {
  const samples = await store.all<{ fid: string; iid: string }>(`SELECT fid, iid FROM samples WHERE cohort = $c ORDER BY idx`, { c: cohort });
  const index = new Map<string, number>();
  samples.forEach((s, i) => index.set(`${s.fid}\t${s.iid}`, i));
  const cols = names.map(() => new Float64Array(samples.length).fill(NaN));
  const ct = new Int32Array(samples.length);
  for (const [k, name] of names.entries()) {
    const rows = await store.all<{ fid: string; iid: string; score: number; allele_ct: number }>(
      `SELECT fid, iid, score, allele_ct FROM scores WHERE run_id = $r AND cohort = $c AND score_name = $n`,
      { r: runId, c: cohort, n: name },
    );
    for (const r of rows) {
      const i = index.get(`${r.fid}\t${r.iid}`);
      if (i === undefined) continue;
      cols[k]![i] = r.score;
      ct[i] = Math.max(ct[i]!, Number(r.allele_ct));
    }
  }
  const keep: number[] = [];
  for (let i = 0; i < samples.length; i++) if (cols.every((c) => Number.isFinite(c[i]!))) keep.push(i);
  return {
    fid: keep.map((i) => samples[i]!.fid),
    iid: keep.map((i) => samples[i]!.iid),
    scores: cols.map((c) => Float64Array.from(keep, (i) => c[i]!)),
    alleleCt: Int32Array.from(keep, (i) => ct[i]!),
  };
}

