// `pgsflow gwas` on genotype files: design from the phenotype/covariate files, one pass over the
// genotypes (PLINK 1 .bed hard calls, or dosages from pgen / VCF / BCF / BGEN) for every fold
// GWAS, then .ma files and folds.tsv.
import { mkdir } from 'node:fs/promises';
import { BadInputError } from '../errors.js';
import { readSampleList, sampleKeys } from '../formats/sampleList.js';
import { readSampleTable } from '../formats/sampleTable.js';
import type { BimTable, FamTable } from '../formats/types.js';
import { type GwasDesign, buildDesign } from './design.js';
import { readDosageCohort } from '../genotypes/dosageCohort.js';
import type { SkippedRecords } from '../genotypes/dosageSource.js';
import { forEachFileChunk, openGenotypeFiles } from '../genotypes/genotypeFiles.js';
import { type DosageInput, dosageChunkVariants, openDosageInput } from '../genotypes/genotypeInput.js';
import { VariantTableBuilder } from '../genotypes/variantTableBuilder.js';
import { type GwasResults, LinearFoldGwas, allocateResults } from './linearFoldGwas.js';
import { LogisticGwas } from './logisticGwas.js';
import { writeFolds, writeGwasFiles } from './writeGwas.js';
import type { GwasModel } from '../../contracts/gwas.js';

export interface GwasFilesRequest {
  /** PLINK 1 prefixes (one, or one per chromosome with the same .fam). */
  bfiles?: string[];
  /** Dosage files instead of `bfiles` (exactly one of the two). */
  genotypes?: DosageInput;
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
  /** Records a dosage reader set aside (multi-allelic, …); empty for .bed. */
  skipped: SkippedRecords[];
  seconds: number;
}

export const GWAS_CHUNK_VARIANTS = 256;

type GwasKernel = Pick<LinearFoldGwas, 'processChunk' | 'processDosageChunk'>;

/** Genotypes as the GWAS reads them: samples first (for the design), then one pass. */
interface GwasGenotypes {
  fam: FamTable;
  famPath: string;
  scan(kernel: GwasKernel, nGwas: number): Promise<{ bim: BimTable; results: GwasResults; skipped: SkippedRecords[] }>;
}

export async function gwasOnFiles(req: GwasFilesRequest): Promise<GwasSummary> {
  const started = Date.now();
  const geno = await openGwasGenotypes(req);
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
  const kernel = req.model === 'linear' ? new LinearFoldGwas(design) : new LogisticGwas(design);
  const { bim, results, skipped } = await geno.scan(kernel, design.nGwas);
  await mkdir(req.outDir, { recursive: true });
  const files = await writeGwasFiles(req.outDir, bim, results, req.folds !== undefined);
  if (req.folds) files.unshift(await writeFolds(req.outDir, design.fid, design.iid, design.fold));
  return {
    outDir: req.outDir,
    model: req.model,
    samples: design.y.length,
    variants: bim.id.length,
    gwas: design.nGwas,
    covariates: design.covariateNames,
    excluded: design.excluded,
    failedVariants: failedPerGwas(results),
    files,
    skipped,
    seconds: (Date.now() - started) / 1000,
  };
}

async function openGwasGenotypes(req: GwasFilesRequest): Promise<GwasGenotypes> {
  const bfiles = req.bfiles ?? [];
  if ((bfiles.length > 0) === (req.genotypes !== undefined)) {
    throw new BadInputError(bfiles[0] ?? req.genotypes?.paths[0] ?? '(none)', 'give PLINK 1 filesets or dosage files (pgen, VCF/BCF, BGEN), exactly one of them');
  }
  if (req.genotypes) return openDosageGenotypes(req.genotypes);
  const geno = await openGenotypeFiles(bfiles);
  return {
    fam: geno.fam,
    famPath: geno.famPath,
    async scan(kernel, nGwas) {
      const results = allocateResults(nGwas, geno.nVariants);
      await forEachFileChunk(geno, GWAS_CHUNK_VARIANTS, (c) => kernel.processChunk(c.packed, c.nVariants, geno.bytesPerVariant, results, c.firstVariant));
      return { bim: geno.bim, results, skipped: [] };
    },
  };
}

/**
 * Dosage readers stream variants without announcing how many: each chunk's results go to a
 * chunk-sized table, joined at the end. Missing dosages are dropped per variant by the kernel,
 * as plink2 --glm does.
 */
async function openDosageGenotypes(input: DosageInput): Promise<GwasGenotypes> {
  const cohort = await openDosageInput(input);
  const { fid, iid, source } = cohort.samples;
  const fam: FamTable = {
    fid,
    iid,
    father: iid.map(() => '0'),
    mother: iid.map(() => '0'),
    sex: new Int8Array(iid.length),
    phenotype: iid.map(() => '-9'),
  };
  return {
    fam,
    famPath: source,
    async scan(kernel, nGwas) {
      const bim = new VariantTableBuilder();
      const parts: GwasResults[] = [];
      const { skipped } = await readDosageCohort(cohort, dosageChunkVariants(iid.length, GWAS_CHUNK_VARIANTS), (c) => {
        const nv = c.variants.id.length;
        if (nv === 0) return;
        const part = allocateResults(nGwas, nv);
        kernel.processDosageChunk(c.dosage, nv, part, 0);
        parts.push(part);
        bim.append(c.variants);
      });
      return { bim: bim.finish(), results: joinResults(parts, nGwas), skipped };
    },
  };
}

/** Chunk results (variant ranges in order) as one table, GWAS-major as allocateResults lays it out. */
function joinResults(parts: readonly GwasResults[], nGwas: number): GwasResults {
  const total = parts.reduce((s, p) => s + p.nVariants, 0);
  const out = allocateResults(nGwas, total);
  let at = 0;
  for (const p of parts) {
    const m = p.nVariants;
    for (let k = 0; k < nGwas; k++) {
      const from = k * m;
      const to = k * total + at;
      out.b.set(p.b.subarray(from, from + m), to);
      out.se.set(p.se.subarray(from, from + m), to);
      out.t.set(p.t.subarray(from, from + m), to);
      out.p.set(p.p.subarray(from, from + m), to);
      out.freq.set(p.freq.subarray(from, from + m), to);
      out.n.set(p.n.subarray(from, from + m), to);
      out.err.set(p.err.subarray(from, from + m), to);
    }
    at += m;
  }
  return out;
}

function failedPerGwas(r: GwasResults): number[] {
  const out = new Array<number>(r.nGwas).fill(0);
  for (let k = 0; k < r.nGwas; k++) for (let j = 0; j < r.nVariants; j++) if (r.err[k * r.nVariants + j] !== 0) out[k]!++;
  return out;
}
