// Fold GWAS inside a study: genotypes streamed from the store's `genotypes` table, phenotypes
// and covariates from `sample_values`; results into `gwas` (one set per fold, keyed by run)
// and `folds`, in one transaction. Without folds, one GWAS on all analysis samples (a training
// ancestry's fit) and no `folds` rows. Same kernels as the CLI path.
import { BadInputError } from '../errors.js';
import { forEachGenotypeChunk } from '../genotypes/storeGenotypes.js';
import type { BimTable, FamTable, SampleTable } from '../formats/types.js';
import type { Store } from '../store/store.js';
import { buildDesign } from './design.js';
import { type GwasResults, LinearFoldGwas, allocateResults } from './linearFoldGwas.js';
import { LogisticGwas } from './logisticGwas.js';
import type { GwasModel, FoldGwasRequest, FoldGwasSummary } from '../../contracts/gwas.js';

export function foldGwasSetName(runId: string, k: number): string {
  return `${runId}/fold${k + 1}`;
}

export function allSamplesGwasSetName(runId: string, cohort: string): string {
  return `${runId}/${cohort}`;
}

export async function foldGwasInStore(store: Store, req: FoldGwasRequest): Promise<FoldGwasSummary> {
  const fam = await famFromStore(store, req.cohort);
  const bim = await bimFromStore(store, req.cohort);
  const pheno = await sampleTableFromStore(store, req.phenoDataset, 'pheno');
  const covar = req.covarDataset ? await sampleTableFromStore(store, req.covarDataset, 'covar') : undefined;
  const design = buildDesign({
    fam,
    famPath: `store cohort ${req.cohort}`,
    pheno,
    phenoPath: `store phenotypes ${req.phenoDataset}`,
    phenoName: req.phenoName,
    ...(covar ? { covar, covarPath: `store covariates ${req.covarDataset}` } : {}),
    ...(req.covarNames ? { covarNames: req.covarNames } : {}),
    model: req.model,
    ...(req.folds ? { folds: req.folds } : {}),
  });
  const results = allocateResults(design.nGwas, bim.id.length);
  const kernel = req.model === 'linear' ? new LinearFoldGwas(design) : new LogisticGwas(design);
  const layout = await forEachGenotypeChunk(store, req.cohort, (c) =>
    c.dosage ? kernel.processDosageChunk(c.dosage, c.nVariants, results, c.firstVariant) : kernel.processChunk(c.packed, c.nVariants, (fam.iid.length + 3) >>> 2, results, c.firstVariant),
  );
  const withFolds = req.folds !== undefined;
  const gwasSets = withFolds ? Array.from({ length: design.nGwas }, (_, k) => foldGwasSetName(req.runId, k)) : [allSamplesGwasSetName(req.runId, req.cohort)];
  await store.transaction(async (tx) => {
    for (const set of gwasSets) await tx.run(`DELETE FROM gwas WHERE gwas_set = $s`, { s: set });
    if (!withFolds) {
      // This run's folds of the cohort (if any) belong to its cross-validation: left alone.
      appendGwas(await tx.appender('gwas'), gwasSets[0]!, 'all', bim, results, 0);
      return;
    }
    await tx.run(`DELETE FROM folds WHERE run_id = $r AND cohort = $c`, { r: req.runId, c: req.cohort });
    const folds = await tx.appender('folds');
    for (let a = 0; a < design.fid.length; a++) {
      folds.appendVarchar(req.runId);
      folds.appendVarchar(req.cohort);
      folds.appendVarchar(design.fid[a]!);
      folds.appendVarchar(design.iid[a]!);
      folds.appendInteger(design.fold[a]! + 1);
      folds.endRow();
    }
    const gw = await tx.appender('gwas');
    for (let k = 0; k < design.nGwas; k++) appendGwas(gw, gwasSets[k]!, `fold${k + 1}`, bim, results, k);
  });
  const foldSizes = new Array<number>(withFolds ? design.nGwas : 0).fill(0);
  if (withFolds) design.fold.forEach((f) => foldSizes[f]!++);
  return { gwasSets, samples: design.fid.length, variants: layout.nVariants, foldSizes, failedVariants: failedCounts(results) };
}

function appendGwas(a: import('@duckdb/node-api').DuckDBAppender, set: string, source: string, bim: BimTable, r: GwasResults, k: number): void {
  let idx = 0;
  for (let j = 0; j < r.nVariants; j++) {
    const o = k * r.nVariants + j;
    if (r.err[o] !== 0) continue; // failed variants are counted in the summary, not stored as NaN
    a.appendVarchar(set);
    a.appendInteger(idx++);
    a.appendVarchar(bim.id[j]!);
    a.appendVarchar(bim.chrom[j]!);
    a.appendInteger(bim.pos[j]!);
    a.appendVarchar(bim.a1[j]!);
    a.appendVarchar(bim.a2[j]!);
    a.appendDouble(r.freq[o]!);
    a.appendDouble(r.b[o]!);
    a.appendDouble(r.se[o]!);
    a.appendDouble(r.p[o]!);
    a.appendDouble(r.n[o]!);
    a.appendVarchar(source);
    a.endRow();
  }
}

function failedCounts(r: GwasResults): number[] {
  const out = new Array<number>(r.nGwas).fill(0);
  for (let k = 0; k < r.nGwas; k++) for (let j = 0; j < r.nVariants; j++) if (r.err[k * r.nVariants + j] !== 0) out[k]!++;
  return out;
}

export async function famFromStore(store: Store, cohort: string): Promise<FamTable> {
  const rows = await store.all<{ fid: string; iid: string; father: string | null; mother: string | null; sex: number }>(
    `SELECT fid, iid, father, mother, sex FROM samples WHERE cohort = $c ORDER BY idx`,
    { c: cohort },
  );
  if (rows.length === 0) throw new BadInputError(store.paths.database, `no cohort '${cohort}' in the store`);
  return {
    fid: rows.map((r) => r.fid),
    iid: rows.map((r) => r.iid),
    father: rows.map((r) => r.father ?? '0'),
    mother: rows.map((r) => r.mother ?? '0'),
    sex: Int8Array.from(rows, (r) => r.sex),
    phenotype: rows.map(() => '-9'),
  };
}

export async function bimFromStore(store: Store, cohort: string): Promise<BimTable> {
  const rows = await store.all<{ chrom: string; id: string; cm: number; pos: number; a1: string; a2: string }>(
    `SELECT chrom, id, cm, pos, a1, a2 FROM variants WHERE cohort = $c ORDER BY idx`,
    { c: cohort },
  );
  return {
    chrom: rows.map((r) => r.chrom),
    id: rows.map((r) => r.id),
    cm: Float64Array.from(rows, (r) => r.cm),
    pos: Int32Array.from(rows, (r) => r.pos),
    a1: rows.map((r) => r.a1),
    a2: rows.map((r) => r.a2),
  };
}

/** A phenotype/covariate dataset back in SampleTable shape (long → wide). */
export async function sampleTableFromStore(store: Store, dataset: string, kind: 'pheno' | 'covar'): Promise<SampleTable> {
  const rows = await store.all<{ fid: string; iid: string; name: string; value: number | null; text: string | null }>(
    `SELECT fid, iid, name, value, text FROM sample_values WHERE dataset = $d AND kind = $k ORDER BY rowid`,
    { d: dataset, k: kind },
  );
  if (rows.length === 0) throw new BadInputError(store.paths.database, `no ${kind === 'pheno' ? 'phenotype' : 'covariate'} dataset '${dataset}' in the store`);
  const sampleIndex = new Map<string, number>();
  const fid: string[] = [];
  const iid: string[] = [];
  const numeric = new Map<string, number[]>();
  const text = new Map<string, string[]>();
  for (const r of rows) {
    const key = `${r.fid}\t${r.iid}`;
    let i = sampleIndex.get(key);
    if (i === undefined) {
      i = fid.length;
      sampleIndex.set(key, i);
      fid.push(r.fid);
      iid.push(r.iid);
    }
    if (r.text !== null) {
      const col = text.get(r.name) ?? [];
      text.set(r.name, col);
      col[i] = r.text ?? '';
    } else {
      const col = numeric.get(r.name) ?? [];
      numeric.set(r.name, col);
      col[i] = r.value ?? NaN;
    }
  }
  return {
    fid,
    iid,
    numeric: [...numeric].map(([name, v]) => ({ name, values: Float64Array.from({ length: fid.length }, (_, i) => v[i] ?? NaN) })),
    text: [...text].map(([name, v]) => ({ name, values: Array.from({ length: fid.length }, (_, i) => v[i] ?? '') })),
  };
}
