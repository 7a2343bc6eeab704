// Cross-validation scoring inside a study: each held-out fold is scored with the effects fitted
// on its training set, in one pass over the cohort's genotypes; a missing call is imputed with
// the training set's frequency (from that fold's GWAS), never the scored samples'. Results go to
// the `scores` table in one transaction.
import { BadInputError } from '../errors.js';
import { foldGwasSetName } from '../gwas/gwasStore.js';
import type { Store } from '../store/store.js';
import { SKIP_SAMPLE } from './scoreKernel.js';
import { scoreStore } from './scoreStore.js';
import type { HeldOutScoreRequest, HeldOutScoreSummary } from '../../contracts/score.js';

export async function scoreHeldOutFolds(store: Store, req: HeldOutScoreRequest): Promise<HeldOutScoreSummary> {
  const k = req.weightFiles.length;
  const prefix = req.scorePrefix ?? '';
  const foldsRun = req.foldsRunId ?? req.runId;
  const samples = await store.all<{ idx: number; fold: number | null }>(
    `SELECT s.idx, f.fold FROM samples s LEFT JOIN folds f ON f.run_id = $r AND f.cohort = s.cohort AND f.fid = s.fid AND f.iid = s.iid
     WHERE s.cohort = $c ORDER BY s.idx`,
    { r: foldsRun, c: req.cohort },
  );
  if (samples.length === 0) throw new BadInputError(store.paths.database, `no cohort '${req.cohort}' in the store`);
  const sampleScore = Int32Array.from(samples, (s) => (s.fold === null ? SKIP_SAMPLE : s.fold - 1));
  if (sampleScore.every((s) => s === SKIP_SAMPLE)) throw new BadInputError(store.paths.database, `run '${foldsRun}' has no folds for cohort '${req.cohort}'`);
  if (sampleScore.some((s) => s >= k)) throw new BadInputError(store.paths.database, `run '${foldsRun}' has more folds than the ${k} weight files given`);

  const variants = await store.all<{ id: string }>(`SELECT id FROM variants WHERE cohort = $c ORDER BY idx`, { c: req.cohort });
  const index = new Map<string, number>();
  variants.forEach((v, j) => index.set(v.id, j));
  const freq: Float64Array[] = [];
  for (let f = 0; f < k; f++) {
    const set = req.frequencySets?.[f] ?? foldGwasSetName(foldsRun, f);
    const arr = new Float64Array(variants.length).fill(NaN);
    const rows = await store.all<{ snp: string; freq: number | null }>(`SELECT snp, freq FROM gwas WHERE gwas_set = $s`, { s: set });
    if (rows.length === 0) throw new BadInputError(store.paths.database, `no GWAS set '${set}' for fold ${f + 1}'s training frequencies`);
    for (const r of rows) {
      const j = index.get(r.snp);
      if (j !== undefined && r.freq !== null) arr[j] = r.freq;
    }
    freq.push(arr);
  }

  const result = await scoreStore(store, {
    cohort: req.cohort,
    weights: req.weightFiles,
    frequencies: { kind: 'variants-per-score', freq },
    center: req.center ?? false,
    sampleScore,
  });
  const perFold = new Array<number>(k).fill(0);
  await store.transaction(async (tx) => {
    // Only this prefix's fold scores: another method's scores of the run stay.
    await tx.run(`DELETE FROM scores WHERE run_id = $r AND cohort = $c AND starts_with(score_name, $p)`, { r: req.runId, c: req.cohort, p: `${prefix}fold` });
    const a = await tx.appender('scores');
    const { sums } = result;
    for (let i = 0; i < result.fid.length; i++) {
      const col = sampleScore[i]!;
      if (col < 0) continue;
      const value = sums.scores[(i - sums.sampleStart) * sums.nScores + col]!;
      a.appendVarchar(req.runId);
      a.appendVarchar(req.cohort);
      a.appendVarchar(result.fid[i]!);
      a.appendVarchar(result.iid[i]!);
      a.appendVarchar(`${prefix}fold${col + 1}`);
      a.appendDouble(value);
      a.appendInteger(sums.alleleCount[i - sums.sampleStart]!);
      a.endRow();
      perFold[col]!++;
    }
  });
  return { scored: perFold.reduce((x, y) => x + y, 0), perFold, matchedVariants: result.report.variantsUsed };
}
