// `pgsflow gwas` on PLINK files: design from the phenotype/covariate files, one pass over the
// genotypes for every fold GWAS, then .ma files and folds.tsv.
import { mkdir } from 'node:fs/promises';
import { readSampleList, sampleKeys } from '../formats/sampleList.js';
import { readSampleTable } from '../formats/sampleTable.js';
import { type GwasDesign, buildDesign } from './design.js';
import { forEachFileChunk, openGenotypeFiles } from '../genotypes/genotypeFiles.js';
import { type GwasResults, LinearFoldGwas, allocateResults } from './linearFoldGwas.js';
import { LogisticGwas } from './logisticGwas.js';
import { writeFolds, writeGwasFiles } from './writeGwas.js';
import type { GwasModel } from '../../contracts/gwas.js';

export interface GwasFilesRequest {
  bfiles: string[];
  pheno: string;
  phenoName: string;
  covar?: string;
  covarNames?: string[];
  keep?: string;
  folds?: { k: number; seed: number };
  model: GwasModel;
  outDir: string;
}

export interface GwasSummary {
  outDir: string;
  model: GwasModel;
  samples: number;
  variants: number;
  gwas: number;
  covariates: string[];
  excluded: GwasDesign['excluded'];
  failedVariants: number[];
  files: string[];
  seconds: number;
}

export const GWAS_CHUNK_VARIANTS = 256;

export async function gwasOnFiles(req: GwasFilesRequest): Promise<GwasSummary> {
  const started = Date.now();
  const geno = await openGenotypeFiles(req.bfiles);
  // The phenotype and named covariates must be numbers in every row: a typo is refused here
  // with its line and column (not later as "no numeric phenotype column").
  const pheno = await readSampleTable(req.pheno, { missingMinus9: true, numericColumns: [req.phenoName] });
  const covar = req.covar ? await readSampleTable(req.covar, { missingMinus9: false, ...(req.covarNames ? { numericColumns: req.covarNames } : {}) }) : undefined;
  const keep = req.keep ? sampleKeys(await readSampleList(req.keep)) : undefined;
  const design = buildDesign({
    fam: geno.fam,
    famPath: geno.famPath,
    pheno,
    phenoPath: req.pheno,
    phenoName: req.phenoName,
    ...(covar && req.covar ? { covar, covarPath: req.covar } : {}),
    ...(req.covarNames ? { covarNames: req.covarNames } : {}),
    ...(keep ? { keep } : {}),
    model: req.model,
    ...(req.folds ? { folds: req.folds } : {}),
  });
  const results = allocateResults(design.nGwas, geno.nVariants);
  const kernel = req.model === 'linear' ? new LinearFoldGwas(design) : new LogisticGwas(design);
  await forEachFileChunk(geno, GWAS_CHUNK_VARIANTS, (c) => kernel.processChunk(c.packed, c.nVariants, geno.bytesPerVariant, results, c.firstVariant));
  await mkdir(req.outDir, { recursive: true });
  const files = await writeGwasFiles(req.outDir, geno.bim, results, req.folds !== undefined);
  if (req.folds) files.unshift(await writeFolds(req.outDir, design.fid, design.iid, design.fold));
  return {
    outDir: req.outDir,
    model: req.model,
    samples: design.y.length,
    variants: geno.nVariants,
    gwas: design.nGwas,
    covariates: design.covariateNames,
    excluded: design.excluded,
    failedVariants: failedPerGwas(results),
    files,
    seconds: (Date.now() - started) / 1000,
  };
}

function failedPerGwas(r: GwasResults): number[] {
  const out = new Array<number>(r.nGwas).fill(0);
  for (let k = 0; k < r.nGwas; k++) for (let j = 0; j < r.nVariants; j++) if (r.err[k * r.nVariants + j] !== 0) out[k]!++;
  return out;
}
