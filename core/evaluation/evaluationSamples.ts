// Evaluation samples from the store: a run's scores of a cohort joined to the phenotype and
// covariates in `sample_values`. Samples without the phenotype or a covariate are dropped, as in
// the GWAS design; a binary phenotype is recoded to 0/1 (from PLINK's 1/2 or 0/1).
import { BadInputError } from '../errors.js';
import { sampleTableFromStore } from '../gwas/gwasStore.js';
import type { SampleTable } from '../formats/types.js';
import type { Store } from '../store/store.js';
import type { PhenotypeInputs } from '../../contracts/evaluation.js';
import type { Trait } from '../../contracts/evaluation.js';

export interface EvaluationSamplesRequest extends PhenotypeInputs {
  runId: string;
  cohort: string;
  scoreNames: readonly string[];
}

export interface EvaluationSamples {
  /** Cohort order (samples.idx); only samples with at least one of the scores. */
  fid: string[];
  iid: string[];
  y: Float64Array;
  covariates: Float64Array[];
  /** One column per score name; NaN where the sample has no such score. */
  scores: Float64Array[];
}

export async function evaluationSamples(store: Store, req: EvaluationSamplesRequest): Promise<EvaluationSamples> {
  const db = store.paths.database;
  const cohort = await store.all<{ fid: string; iid: string }>(`SELECT fid, iid FROM samples WHERE cohort = $c ORDER BY idx`, { c: req.cohort });
  if (cohort.length === 0) throw new BadInputError(db, `no cohort '${req.cohort}' in the store`);
  const index = new Map<string, number>();
  cohort.forEach((s, i) => index.set(`${s.fid}\t${s.iid}`, i));

  const scoreCols = req.scoreNames.map(() => new Float64Array(cohort.length).fill(NaN));
  for (const [c, name] of req.scoreNames.entries()) {
    const rows = await store.all<{ fid: string; iid: string; score: number }>(`SELECT fid, iid, score FROM scores WHERE run_id = $r AND cohort = $c AND score_name = $n`, {
      r: req.runId,
      c: req.cohort,
      n: name,
    });
    if (rows.length === 0) throw new BadInputError(db, `run '${req.runId}' has no score '${name}' for cohort '${req.cohort}'`);
    for (const r of rows) {
      const i = index.get(`${r.fid}\t${r.iid}`);
      if (i !== undefined) scoreCols[c]![i] = r.score;
    }
  }

  const y = column(await sampleTableFromStore(store, req.phenoDataset, 'pheno'), req.phenoName, `phenotype dataset '${req.phenoDataset}'`, db, cohort);
  let covariates: Float64Array[] = [];
  if (req.covarDataset !== undefined) {
    const table = await sampleTableFromStore(store, req.covarDataset, 'covar');
    const names = req.covarNames ?? table.numeric.map((c) => c.name);
    covariates = names.map((name) => column(table, name, `covariate dataset '${req.covarDataset}'`, db, cohort));
  } else if (req.covarNames && req.covarNames.length > 0) {
    throw new BadInputError(db, `covariates ${req.covarNames.join(', ')} requested without a covariate dataset`);
  }

  const keep: number[] = [];
  for (let i = 0; i < cohort.length; i++) {
    if (!Number.isFinite(y[i]!) || covariates.some((c) => !Number.isFinite(c[i]!))) continue;
    if (scoreCols.some((s) => Number.isFinite(s[i]!))) keep.push(i);
  }
  if (keep.length === 0) throw new BadInputError(db, `no scored sample of run '${req.runId}', cohort '${req.cohort}' has phenotype '${req.phenoName}' and complete covariates`);
  const pick = (x: Float64Array): Float64Array => Float64Array.from(keep, (i) => x[i]!);
  const yy = pick(y);
  return {
    fid: keep.map((i) => cohort[i]!.fid),
    iid: keep.map((i) => cohort[i]!.iid),
    y: req.trait === 'binary' ? caseStatus(yy, req.phenoName, db) : yy,
    covariates: covariates.map(pick),
    scores: scoreCols.map(pick),
  };
}

/** A numeric column in cohort order (NaN for samples the table lacks). */
export function column(table: SampleTable, name: string, what: string, db: string, cohort: readonly { fid: string; iid: string }[]): Float64Array {
  const col = table.numeric.find((c) => c.name === name);
  if (!col) throw new BadInputError(db, `${what} has no numeric column '${name}' (columns: ${table.numeric.map((c) => c.name).join(', ')})`);
  const at = new Map<string, number>();
  table.fid.forEach((f, r) => at.set(`${f}\t${table.iid[r]}`, r));
  return Float64Array.from(cohort, (s) => {
    const r = at.get(`${s.fid}\t${s.iid}`);
    return r === undefined ? NaN : col.values[r]!;
  });
}

/** 0/1 case status from PLINK 1/2 (control/case) or 0/1 coding, as the GWAS design reads it. */
export function caseStatus(y: Float64Array, name: string, db: string): Float64Array {
  const values = new Set(y);
  const plink = [...values].every((v) => v === 1 || v === 2);
  if (!plink && ![...values].every((v) => v === 0 || v === 1)) {
    throw new BadInputError(db, `phenotype '${name}' is not binary: expected 1/2 (control/case) or 0/1, found ${[...values].slice(0, 5).join(', ')}`);
  }
  return plink ? y.map((v) => (v === 2 ? 1 : 0)) : y;
}
