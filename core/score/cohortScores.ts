// Whole-cohort scoring inside a study (cross-ancestry: the target cohort scored with each training
// ancestry's fit), optionally restricted to one cross-validation fold. Each weight file is one
// score; a missing call is imputed with the frequency of that score's training GWAS set, never
// the scored samples'. One pass over the genotypes; rows into `scores` in one transaction.
import { BadInputError } from '../errors.js';
import type { Store } from '../store/store.js';
import { ALL_SCORES, SKIP_SAMPLE } from './scoreKernel.js';
import { scoreStore } from './scoreStore.js';
import { readWeights } from './weights.js';
import type { CohortScoreRequest, CohortScoreSummary } from '../../contracts/score.js';

export async function scoreCohortInStore(store: Store, req: CohortScoreRequest): Promise<CohortScoreSummary> {
  const db = store.paths.database;
  const s = req.weightFiles.length;
  if (s === 0 || req.scoreNames.length !== s || req.frequencySets.length !== s) {
    throw new BadInputError(db, `${s} weight files, ${req.scoreNames.length} score names and ${req.frequencySets.length} frequency sets: need one of each per score`);
  }
  if (new Set(req.scoreNames).size !== s) throw new BadInputError(db, `score names repeat: ${req.scoreNames.join(', ')}`);
  const weights = await readWeights(req.weightFiles);
  if (weights.names.length !== s) throw new BadInputError(req.weightFiles.join(', '), `${weights.names.length} weight columns in ${s} files; each file must hold exactly one score`);
  const sampleScore = await selectSamples(store, req);
  const freq = await frequencyArrays(store, req.cohort, req.frequencySets);

  const result = await scoreStore(store, { cohort: req.cohort, weights, frequencies: { kind: 'variants-per-score', freq }, sampleScore });
  const { sums } = result;
  let scored = 0;
  await store.transaction(async (tx) => {
    for (const name of req.scoreNames) {
      await tx.run(`DELETE FROM scores WHERE run_id = $r AND cohort = $c AND score_name = $n`, { r: req.runId, c: req.cohort, n: name });
    }
    const a = await tx.appender('scores');
    for (let i = 0; i < result.fid.length; i++) {
      if (sampleScore[i] === SKIP_SAMPLE) continue;
      const row = (i - sums.sampleStart) * sums.nScores;
      for (let c = 0; c < s; c++) {
        a.appendVarchar(req.runId);
        a.appendVarchar(req.cohort);
        a.appendVarchar(result.fid[i]!);
        a.appendVarchar(result.iid[i]!);
        a.appendVarchar(req.scoreNames[c]!);
        a.appendDouble(sums.scores[row + c]!);
        a.appendInteger(sums.alleleCount[i - sums.sampleStart]!);
        a.endRow();
      }
      scored++;
    }
  });
  return { scored, matchedVariants: result.report.weightFiles.map((w) => w.used) };
}

/** ALL_SCORES per scored sample (idx order), SKIP_SAMPLE for those outside the requested fold. */
async function selectSamples(store: Store, req: CohortScoreRequest): Promise<Int32Array> {
  const db = store.paths.database;
  const rows = await store.all<{ fold: number | null }>(
    `SELECT f.fold FROM samples s LEFT JOIN folds f ON f.run_id = $r AND f.cohort = s.cohort AND f.fid = s.fid AND f.iid = s.iid
     WHERE s.cohort = $c ORDER BY s.idx`,
    { r: req.only?.foldsRunId ?? '', c: req.cohort },
  );
  if (rows.length === 0) throw new BadInputError(db, `no cohort '${req.cohort}' in the store`);
  const only = req.only;
  if (!only) return new Int32Array(rows.length).fill(ALL_SCORES);
  const out = Int32Array.from(rows, (r) => (r.fold === only.fold ? ALL_SCORES : SKIP_SAMPLE));
  if (!out.includes(ALL_SCORES)) throw new BadInputError(db, `run '${only.foldsRunId}' has no sample in fold ${only.fold} of cohort '${req.cohort}'`);
  return out;
}

/**
 * A1 frequency per cohort variant (idx order) from each GWAS set, by SNP id and alleles: another
 * cohort's set may name the other allele as A1 (1 − f then); NaN where the set lacks the variant.
 */
async function frequencyArrays(store: Store, cohort: string, sets: readonly string[]): Promise<Float64Array[]> {
  const variants = await store.all<{ id: string; a1: string; a2: string }>(`SELECT id, a1, a2 FROM variants WHERE cohort = $c ORDER BY idx`, { c: cohort });
  const index = new Map<string, number>();
  variants.forEach((v, j) => index.set(v.id, j));
  const out: Float64Array[] = [];
  for (const set of sets) {
    const arr = new Float64Array(variants.length).fill(NaN);
    const rows = await store.all<{ snp: string; a1: string; a2: string; freq: number | null }>(`SELECT snp, a1, a2, freq FROM gwas WHERE gwas_set = $s`, { s: set });
    if (rows.length === 0) throw new BadInputError(store.paths.database, `no GWAS set '${set}' for training frequencies`);
    for (const r of rows) {
      const j = index.get(r.snp);
      if (j === undefined || r.freq === null) continue;
      const v = variants[j]!;
      if (r.a1 === v.a1 && r.a2 === v.a2) arr[j] = r.freq;
      else if (r.a1 === v.a2 && r.a2 === v.a1) arr[j] = 1 - r.freq;
    }
    out.push(arr);
  }
  return out;
}
