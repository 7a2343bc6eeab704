// Feature files of the nonlinear comparison, one folder per fold and feature set, from the store:
// the samples with a phenotype, every covariate and a fold (and, for pgs+covariates, every fold's
// score), in cohort order. X holds the covariates, then the fold's own score (computed with that
// fold's training-only fit for every sample) or the fold GWAS's top SNPs, LD-pruned within the
// fold's training samples; a missing dosage is the training samples' mean. The held-out samples
// of fold k appear in its files only marked by split = 1, so nothing of them guides a fit.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { BadInputError } from '../errors.js';
import { caseStatus, column } from '../evaluation/evaluationSamples.js';
import { writeFileAtomic } from '../files/atomicWrite.js';
import { encodeNpy } from '../formats/npy.js';
import { MISSING_DOSAGE, unpackVariant } from '../genotypes/bedCodec.js';
import { DOSAGE_MISSING, DOSAGE_SCALE } from '../genotypes/dosageSource.js';
import { cohortLayout, forEachGenotypeChunk } from '../genotypes/storeGenotypes.js';
import { sampleTableFromStore } from '../gwas/gwasStore.js';
import type { Store } from '../store/store.js';
import { type PruneCandidate, pruneByLd, standardise } from './ldPrune.js';
import type { FoldFeatures, HashedFile, NonlinearFeaturesRequest, NonlinearFeaturesSummary, NonlinearInputs } from '../../contracts/nonlinear.js';

/** Candidates per kept SNP read before pruning (pruning within LD blocks drops most of a block). */
const CANDIDATES_PER_SNP = 3;

interface FeatureSamples {
  /** Cohort positions (genotype columns) of the kept samples, in cohort order. */
  at: Int32Array;
  fold: Int32Array;
  y: Float64Array;
  covariates: Float64Array[];
  covariateNames: string[];
  pgs: Float64Array[];
}

export async function buildNonlinearFeatures(store: Store, req: NonlinearFeaturesRequest): Promise<NonlinearFeaturesSummary> {
  if (req.dirs.length !== req.folds) throw new BadInputError(store.paths.database, `feature folders for ${req.dirs.length} folds, expected ${req.folds}`);
  const samples = await featureSamples(store, req);
  const out: FoldFeatures[][] = Array.from({ length: req.folds }, () => []);
  if (req.pgsScoreNames) {
    for (let k = 0; k < req.folds; k++) {
      const dir = dirOf(req, k, 'pgs+covariates');
      out[k]!.push(await writeFeatures(dir, 'pgs+covariates', samples, k + 1, [samples.pgs[k]!], ['pgs']));
    }
  }
  if (req.snps) {
    const selected = await selectSnps(store, req, samples);
    for (let k = 0; k < req.folds; k++) {
      const dir = dirOf(req, k, 'snps+covariates');
      out[k]!.push(await writeFeatures(dir, 'snps+covariates', samples, k + 1, selected[k]!.columns, selected[k]!.names));
    }
  }
  return { folds: out };
}

function dirOf(req: NonlinearFeaturesRequest, k: number, inputs: NonlinearInputs): string {
  const dir = req.dirs[k]?.[inputs];
  if (dir === undefined) throw new Error(`no feature folder for fold ${k + 1}, ${inputs}`);
  return dir;
}

async function featureSamples(store: Store, req: NonlinearFeaturesRequest): Promise<FeatureSamples> {
  const db = store.paths.database;
  const cohort = await store.all<{ fid: string; iid: string }>(`SELECT fid, iid FROM samples WHERE cohort = $c ORDER BY idx`, { c: req.cohort });
  if (cohort.length === 0) throw new BadInputError(db, `no cohort '${req.cohort}' in the store`);
  const index = new Map<string, number>();
  cohort.forEach((s, i) => index.set(`${s.fid}\t${s.iid}`, i));
  const key = (r: { fid: string; iid: string }): number | undefined => index.get(`${r.fid}\t${r.iid}`);

  const fold = new Int32Array(cohort.length);
  for (const r of await store.all<{ fid: string; iid: string; fold: number }>(`SELECT fid, iid, fold FROM folds WHERE run_id = $r AND cohort = $c`, { r: req.foldsRunId, c: req.cohort })) {
    const i = key(r);
    if (i !== undefined) fold[i] = r.fold;
  }
  const y = column(await sampleTableFromStore(store, req.phenoDataset, 'pheno'), req.phenoName, `phenotype dataset '${req.phenoDataset}'`, db, cohort);
  let covariates: Float64Array[] = [];
  let covariateNames: string[] = [];
  if (req.covarDataset !== undefined) {
    const table = await sampleTableFromStore(store, req.covarDataset, 'covar');
    covariateNames = req.covarNames ?? table.numeric.map((c) => c.name);
    covariates = covariateNames.map((name) => column(table, name, `covariate dataset '${req.covarDataset}'`, db, cohort));
  }
  const pgs: Float64Array[] = [];
  for (const name of req.pgsScoreNames ?? []) {
    const col = new Float64Array(cohort.length).fill(NaN);
    const rows = await store.all<{ fid: string; iid: string; score: number }>(`SELECT fid, iid, score FROM scores WHERE run_id = $r AND cohort = $c AND score_name = $n`, { r: req.runId, c: req.cohort, n: name });
    if (rows.length === 0) throw new BadInputError(db, `run '${req.runId}' has no score '${name}' for cohort '${req.cohort}'`);
    for (const r of rows) {
      const i = key(r);
      if (i !== undefined) col[i] = r.score;
    }
    pgs.push(col);
  }
  const keep: number[] = [];
  for (let i = 0; i < cohort.length; i++) {
    if (fold[i] === 0 || !Number.isFinite(y[i]!)) continue;
    if (covariates.some((c) => !Number.isFinite(c[i]!)) || pgs.some((c) => !Number.isFinite(c[i]!))) continue;
    keep.push(i);
  }
  for (let k = 1; k <= req.folds; k++) {
    const held = keep.filter((i) => fold[i] === k).length;
    if (held === 0 || held === keep.length) throw new BadInputError(db, `fold ${k} of run '${req.foldsRunId}' has ${held} of ${keep.length} usable samples held out: nothing to train or to judge on`);
  }
  const pick = (x: Float64Array): Float64Array => Float64Array.from(keep, (i) => x[i]!);
  const yy = pick(y);
  return {
    at: Int32Array.from(keep),
    fold: Int32Array.from(keep, (i) => fold[i]!),
    y: req.trait === 'binary' ? caseStatus(yy, req.phenoName, db) : yy,
    covariates: covariates.map(pick),
    covariateNames,
    pgs: pgs.map(pick),
  };
}

interface SelectedSnps {
  columns: Float64Array[];
  names: string[];
}

/** Each fold's kept SNPs as feature columns (missing = the fold's training mean). */
async function selectSnps(store: Store, req: NonlinearFeaturesRequest, samples: FeatureSamples): Promise<SelectedSnps[]> {
  const snps = req.snps!;
  if (snps.gwasSets.length !== req.folds) throw new BadInputError(store.paths.database, `GWAS sets for ${snps.gwasSets.length} folds, expected ${req.folds}`);
  const perFold: (PruneCandidate & { id: string })[][] = [];
  const wanted = new Set<number>();
  for (const set of snps.gwasSets) {
    // Variant order breaks p-value ties, so the selection is the same on every run.
    const rows = await store.all<{ idx: number; chrom: string; pos: number; snp: string }>(
      `SELECT idx, chrom, pos, snp FROM gwas WHERE gwas_set = $s AND isfinite(p) ORDER BY p, idx LIMIT $n`,
      { s: set, n: snps.topSnps * CANDIDATES_PER_SNP },
    );
    if (rows.length === 0) throw new BadInputError(store.paths.database, `GWAS set '${set}' has no SNP with a p-value`);
    perFold.push(rows.map((r) => ({ row: r.idx, chrom: r.chrom, pos: r.pos, id: r.snp })));
    for (const r of rows) wanted.add(r.idx);
  }
  const genotypes = await variantValues(store, req.cohort, [...wanted].sort((a, b) => a - b), samples.at);
  return perFold.map((candidates, k) => {
    const training = trainingRows(samples.fold, k + 1);
    const trainingValues = (variant: number): Float64Array => Float64Array.from(training, (r) => genotypes.get(variant)![r]!);
    const cache = new Map<number, Float64Array>();
    const kept = pruneByLd(
      candidates,
      (variant) => {
        let v = cache.get(variant);
        if (!v) cache.set(variant, (v = standardise(trainingValues(variant))));
        return v;
      },
      { keep: snps.topSnps, r2: snps.pruneR2, windowBp: snps.pruneWindowKb * 1000 },
    );
    const columns = kept.map((c) => {
      const variant = candidates[c]!.row;
      const values = genotypes.get(variant)!;
      const t = trainingValues(variant);
      let sum = 0;
      let count = 0;
      for (const v of t) if (!Number.isNaN(v)) ((sum += v), count++);
      const mean = count > 0 ? sum / count : 0;
      return Float64Array.from(values, (v) => (Number.isNaN(v) ? mean : v));
    });
    return { columns, names: kept.map((c) => candidates[c]!.id) };
  });
}

function trainingRows(fold: Int32Array, k: number): Int32Array {
  const rows: number[] = [];
  for (let r = 0; r < fold.length; r++) if (fold[r] !== k) rows.push(r);
  return Int32Array.from(rows);
}

/** ALT (A1) dosages of `variants` (sorted cohort indices) for the samples at cohort positions `at`; NaN missing. */
async function variantValues(store: Store, cohort: string, variants: readonly number[], at: Int32Array): Promise<Map<number, Float32Array>> {
  const out = new Map<number, Float32Array>();
  const { nSamples } = await cohortLayout(store, cohort);
  const codes = new Uint8Array(nSamples);
  let next = 0;
  await forEachGenotypeChunk(store, cohort, (chunk) => {
    const end = chunk.firstVariant + chunk.nVariants;
    while (next < variants.length && variants[next]! < end) {
      const v = variants[next++]!;
      const local = v - chunk.firstVariant;
      const values = new Float32Array(at.length);
      if (chunk.dosage) {
        const row = local * nSamples;
        for (let r = 0; r < at.length; r++) {
          const u = chunk.dosage[row + at[r]!]!;
          values[r] = u === DOSAGE_MISSING ? NaN : u / DOSAGE_SCALE;
        }
      } else {
        const bpv = chunk.packed.length / chunk.nVariants;
        unpackVariant(chunk.packed, local * bpv, nSamples, codes);
        for (let r = 0; r < at.length; r++) {
          const d = codes[at[r]!]!;
          values[r] = d === MISSING_DOSAGE ? NaN : d;
        }
      }
      out.set(v, values);
    }
  });
  if (next !== variants.length) throw new Error(`cohort '${cohort}' has no variant ${variants[next]} of the GWAS sets`);
  return out;
}

async function writeFeatures(dir: string, inputs: NonlinearInputs, s: FeatureSamples, k: number, extra: readonly ArrayLike<number>[], extraNames: readonly string[]): Promise<FoldFeatures> {
  const n = s.y.length;
  const cols = [...s.covariates, ...extra];
  const p = cols.length;
  const x = new Float64Array(n * p);
  for (let r = 0; r < n; r++) for (let c = 0; c < p; c++) x[r * p + c] = cols[c]![r]!;
  const split = Int8Array.from(s.fold, (f) => (f === k ? 1 : 0));
  const files: HashedFile[] = [];
  const put = async (name: string, bytes: Uint8Array): Promise<void> => {
    const path = join(dir, name);
    await writeFileAtomic(path, bytes);
    files.push({ path, sha256: createHash('sha256').update(bytes).digest('hex') });
  };
  await put('X.npy', encodeNpy({ dtype: 'float64', data: x, shape: [n, p] }));
  await put('y.npy', encodeNpy({ dtype: 'float64', data: s.y, shape: [n] }));
  await put('split.npy', encodeNpy({ dtype: 'int8', data: split, shape: [n] }));
  await put('columns.json', new TextEncoder().encode(`${JSON.stringify({ names: [...s.covariateNames, ...extraNames], covariates: s.covariates.length })}\n`));
  let heldOut = 0;
  for (const v of split) heldOut += v;
  return { inputs, dir, samples: n, training: n - heldOut, heldOut, features: extra.length, files };
}
