// The analysis design of a GWAS: which genotyped samples enter (phenotype and every covariate
// present, in --keep), the phenotype vector, the covariate matrix with an intercept, and the
// fold of each sample. Singular covariates are refused, naming them.
import { BadInputError, SingularCovariatesError } from '../errors.js';
import type { FamTable, SampleTable } from '../formats/types.js';
import { rankDeficientColumns } from '../numeric/linalg/dense.js';
import { assignFolds } from './folds.js';
import type { LinearDesign } from './linearFoldGwas.js';
import type { GwasModel } from '../../contracts/gwas.js';

export interface DesignRequest {
  fam: FamTable;
  famPath: string;
  pheno: SampleTable;
  phenoPath: string;
  phenoName: string;
  covar?: SampleTable;
  covarPath?: string;
  /** Covariate columns; default every numeric column of the covariate file. */
  covarNames?: string[];
  /** FID\tIID keys to keep; default all. */
  keep?: Set<string>;
  model: GwasModel;
  /** Cross-validation: K folds with a seed; absent = one GWAS on all analysis samples. */
  folds?: { k: number; seed: number };
}

export interface GwasDesign extends LinearDesign {
  /** Analysis samples' IDs, in .fam order. */
  fid: string[];
  iid: string[];
  /** Fold of each analysis sample (−1 without folds). */
  fold: Int32Array;
  covariateNames: string[];
  /** Logistic model: y is 0/1 (control/case). */
  model: GwasModel;
  excluded: { missingPhenotype: number; missingCovariate: number; notKept: number; notInPhenotypeFile: number };
}

export function buildDesign(req: DesignRequest): GwasDesign {
  const phenoCol = req.pheno.numeric.find((c) => c.name === req.phenoName);
  if (!phenoCol) {
    const have = [...req.pheno.numeric.map((c) => c.name), ...req.pheno.text.map((c) => `${c.name} (text)`)].join(', ');
    throw new BadInputError(req.phenoPath, `no numeric phenotype column '${req.phenoName}' (columns: ${have})`, 1);
  }
  const phenoIndex = indexSamples(req.pheno);
  const covNames = req.covarNames ?? req.covar?.numeric.map((c) => c.name) ?? [];
  const covCols: Float64Array[] = [];
  let covIndex: Map<string, number> | undefined;
  if (covNames.length > 0) {
    if (!req.covar || !req.covarPath) throw new BadInputError(req.phenoPath, `covariates ${covNames.join(', ')} requested but no covariate file given`);
    covIndex = indexSamples(req.covar);
    for (const name of covNames) {
      const col = req.covar.numeric.find((c) => c.name === name);
      if (!col) throw new BadInputError(req.covarPath, `no numeric covariate column '${name}' (columns: ${req.covar.numeric.map((c) => c.name).join(', ')})`, 1);
      covCols.push(col.values);
    }
  }

  const fam = req.fam;
  const n0 = fam.iid.length;
  const analysisIndex = new Int32Array(n0).fill(-1);
  const excluded = { missingPhenotype: 0, missingCovariate: 0, notKept: 0, notInPhenotypeFile: 0 };
  const rows: { i: number; y: number; cov: number[] }[] = [];
  for (let i = 0; i < n0; i++) {
    const key = `${fam.fid[i]}\t${fam.iid[i]}`;
    if (req.keep && !req.keep.has(key)) {
      excluded.notKept++;
      continue;
    }
    const pr = phenoIndex.get(key);
    if (pr === undefined) {
      excluded.notInPhenotypeFile++;
      continue;
    }
    const y = phenoCol.values[pr]!;
    if (!Number.isFinite(y)) {
      excluded.missingPhenotype++;
      continue;
    }
    const cov: number[] = [];
    let ok = true;
    if (covIndex) {
      const cr = covIndex.get(key);
      if (cr === undefined) ok = false;
      else
        for (const col of covCols) {
          const v = col[cr]!;
          if (!Number.isFinite(v)) ok = false;
          cov.push(v);
        }
    }
    if (!ok) {
      excluded.missingCovariate++;
      continue;
    }
    analysisIndex[i] = rows.length;
    rows.push({ i, y, cov });
  }
  const n = rows.length;
  if (n === 0) throw new BadInputError(req.phenoPath, `no sample of ${req.famPath} has a phenotype '${req.phenoName}' and complete covariates`);

  const y = Float64Array.from(rows, (r) => r.y);
  let caseStatus: Uint8Array | undefined;
  if (req.model === 'logistic') caseStatus = binaryCoding(y, req.phenoPath, req.phenoName);

  // Covariates centred on their analysis-sample means: the same fit, better conditioned sums.
  const q = covNames.length + 1;
  const covariates = new Float64Array(n * q);
  const means = new Float64Array(q);
  rows.forEach((r) => r.cov.forEach((v, c) => (means[c + 1]! += v / n)));
  rows.forEach((r, a) => {
    covariates[a * q] = 1;
    r.cov.forEach((v, c) => (covariates[a * q + c + 1] = v - means[c + 1]!));
  });
  const cc = new Float64Array(q * q);
  for (let a = 0; a < n; a++) for (let r = 0; r < q; r++) for (let c = 0; c < q; c++) cc[r * q + c]! += covariates[a * q + r]! * covariates[a * q + c]!;
  const bad = rankDeficientColumns(cc, q, 1e-10);
  if (bad.length > 0) {
    const names = bad.map((c) => (c === 0 ? 'intercept' : covNames[c - 1]!));
    throw new SingularCovariatesError(
      req.covarPath ?? req.phenoPath,
      `covariates are linearly dependent (singular design) in the ${n} analysis samples: ${names.join(', ')} ${names.length === 1 ? 'is constant or a combination of the others' : 'are constant or combinations of the others'}; drop ${names.length === 1 ? 'it' : 'them'} with --covar-name`,
    );
  }

  const fold = req.folds ? assignFolds(n, req.folds.k, req.folds.seed, caseStatus) : new Int32Array(n).fill(-1);
  const nGwas = req.folds ? req.folds.k : 1;
  const group = req.folds ? Int32Array.from(fold) : new Int32Array(n).fill(1); // no folds: everyone always trains
  return {
    nSamples: n0,
    analysisIndex,
    y: caseStatus ? Float64Array.from(caseStatus) : y,
    covariates,
    q,
    group,
    nGwas,
    fid: rows.map((r) => fam.fid[r.i]!),
    iid: rows.map((r) => fam.iid[r.i]!),
    fold,
    covariateNames: covNames,
    model: req.model,
    excluded,
  };
}

function indexSamples(t: SampleTable): Map<string, number> {
  const m = new Map<string, number>();
  t.fid.forEach((f, i) => m.set(`${f}\t${t.iid[i]}`, i));
  return m;
}

/** PLINK coding 1 = control, 2 = case; 0/1 also accepted (0 control, 1 case). */
function binaryCoding(y: Float64Array, file: string, name: string): Uint8Array {
  const values = new Set(y);
  const plink = [...values].every((v) => v === 1 || v === 2);
  const zeroOne = [...values].every((v) => v === 0 || v === 1);
  if (!plink && !zeroOne) {
    throw new BadInputError(file, `phenotype '${name}' is not binary: expected 1/2 (control/case, PLINK coding) or 0/1, found ${[...values].slice(0, 5).join(', ')}…`);
  }
  const out = Uint8Array.from(y, (v) => (plink ? (v === 2 ? 1 : 0) : v));
  const cases = out.reduce((s, v) => s + v, 0);
  if (cases === 0 || cases === out.length) throw new BadInputError(file, `phenotype '${name}' has ${cases === 0 ? 'no cases' : 'no controls'} among the analysis samples`);
  return out;
}
