// The study file: one JSON document that fully describes a study: name, seed, store, inputs
// and design (QC, imputation and SBayesRC settings are added with those steps). Paths are
// relative to the study file's folder. Unknown keys are errors so a misspelt setting never
// silently falls back to a default.
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { qcThresholdsSchema } from './qcThresholds.js';
import { identifier } from './identifiers.js';

/** Genotype formats a study cohort or an LD reference may come in. */
export const GENOTYPE_FORMATS = ['bed', 'pgen', 'vcf', 'bgen'] as const;
import { SUMSTATS_ROLES } from './sumstatsRoles.js';
import { NONLINEAR_INPUTS, NONLINEAR_MODELS } from './nonlinearModels.js';

export const STUDY_DEFAULTS = {
  seed: 1,
  folds: 10,
  tuningFraction: 0.5,
  /** How SBayesRC-multi learns its mixing weights (see MIXING_WEIGHTINGS). */
  weighting: 'tuning',
  /**
   * N_t/N of the in-silico split of the target GWAS for `weighting: "summary"`. The half fit only
   * measures the target score's calibration slope (SE ≈ 1/sqrt(N_v·R²_half)), so an even split
   * beats 0.8: on a 3,000-sample GWAS N_v·R² is ~350 at 0.5 against ~175 at 0.8.
   */
  summaryTrainFraction: 0.5,
  /** Eigen cut-off of panels built from reference genotypes. */
  ldCutoff: 0.995,
  imputeCutoff: 0.995,
  sbayesrc: { iterations: 3000, burnIn: 1000, cutoff: 0.995, chains: 1, threads: 1, checkpointEvery: 100, baseline: false },
  /** Folds (or training ancestries) whose pipelines run at once. */
  concurrency: 2,
  /** -9 in the phenotype file is missing (PLINK's convention; what `ingest --pheno` always did). */
  phenotypeMissingMinus9: true,
  nonlinear: { topSnps: 2000, pruneR2: 0.2, pruneWindowKb: 1000, innerFraction: 0.2 },
} as const;

export const crossValidationDesign = z
  .object({
    type: z.literal('cross-validation'),
    folds: z.number().int().min(2).max(100).default(STUDY_DEFAULTS.folds),
    ancestry: identifier,
  })
  .strict();

/**
 * How the mixing weights are learnt: `tuning` — least squares on the target's tuning samples
 * (phenotypes needed); `summary` — from the target's GWAS alone, split in silico into training
 * and validation halves (no target phenotypes used); `fixed` — the study's `weights`, per SD of
 * each ancestry's score in the target.
 */
export const MIXING_WEIGHTINGS = ['tuning', 'summary', 'fixed'] as const;

export const crossAncestryDesign = z
  .object({
    type: z.literal('cross-ancestry'),
    train: z.array(identifier).min(1),
    target: identifier,
    tuningFraction: z.number().gt(0).lt(1).default(STUDY_DEFAULTS.tuningFraction),
    weighting: z.enum(MIXING_WEIGHTINGS).default(STUDY_DEFAULTS.weighting),
    summaryTrainFraction: z.number().gt(0).lt(1).default(STUDY_DEFAULTS.summaryTrainFraction),
    /** `weighting: "fixed"`: one weight per training ancestry (per SD of its score). */
    weights: z.record(identifier, z.number().refine(Number.isFinite, 'a finite number')).optional(),
  })
  .strict()
  .superRefine((d, ctx) => {
    if (d.weighting === 'summary' && !d.train.includes(d.target)) {
      ctx.addIssue({ code: 'custom', path: ['weighting'], message: `summary weighting learns from the target's GWAS: '${d.target}' must be one of the train ancestries (a cohort or given summary statistics)` });
    }
    if (d.weighting === 'fixed') {
      const given = Object.keys(d.weights ?? {});
      const missing = d.train.filter((a) => !given.includes(a));
      const extra = given.filter((a) => !d.train.includes(a));
      if (d.weights === undefined || missing.length > 0 || extra.length > 0) {
        ctx.addIssue({ code: 'custom', path: ['weights'], message: `fixed weighting needs one weight per train ancestry (${d.train.join(', ')})${missing.length ? `; missing ${missing.join(', ')}` : ''}${extra.length ? `; not trained: ${extra.join(', ')}` : ''}` });
      }
    } else if (d.weights !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['weights'], message: `weights are used with weighting "fixed" only (this design: "${d.weighting}")` });
    }
  });

/** Input paths: read only, so anywhere the user can read (absolute, `..`, other disks). */
const path = z
  .string()
  .min(1)
  .refine((p) => !p.includes('\0'), { message: 'a path cannot contain a NUL character' });

/**
 * Whether a store path written in a study file leaves the study file's folder. A study file is
 * data that travels (shared, downloaded, generated), and the store is where a study WRITES: so
 * the file may only name a store inside its own folder — a relative path with no step out of it
 * (`../x`, `a/../../x`) and not absolute. Inputs may live anywhere (they are only read); a store
 * elsewhere is chosen by the user with `--store` or PGSFLOW_STORE, which are not restricted.
 */
export function storePathEscapes(p: string): boolean {
  const s = p.replace(/\\/g, '/');
  if (s.startsWith('/') || /^[A-Za-z]:/.test(s)) return true;
  let depth = 0;
  for (const seg of s.split('/')) {
    if (seg === '..') depth--;
    else if (seg !== '' && seg !== '.') depth++;
    if (depth < 0) return true;
  }
  return false;
}

const storePath = path.refine((p) => !storePathEscapes(p), {
  message: 'the store must be inside the study file\'s folder (a relative path without ../ out of it, not absolute): a study file may not write elsewhere; use --store or PGSFLOW_STORE for a store outside',
});

/**
 * A cohort's genotypes in any supported format: PLINK 1 `.bed` or PLINK 2 `.pgen` prefixes, VCF/BCF
 * or BGEN files; one, or one per chromosome (same samples in each).
 */
export const genotypesInput = z
  .object({
    format: z.enum(GENOTYPE_FORMATS),
    path: z.union([path, z.array(path).min(1)]),
    /** BGEN: an Oxford .sample file (default: the BGEN's own sample identifiers). */
    sample: path.optional(),
    /** BGEN: whether the first allele of each variant is REF (default true, as UK Biobank's). */
    refFirst: z.boolean().optional(),
    /** VCF/BCF: the FORMAT field holding dosages (default DS when declared, else GT). */
    dosageField: z.enum(['DS', 'GP', 'HDS']).optional(),
  })
  .strict()
  .refine((g) => g.format === 'bgen' || (g.sample === undefined && g.refFirst === undefined), { message: 'sample and refFirst apply to BGEN only', path: ['sample'] })
  .refine((g) => g.format === 'vcf' || g.dosageField === undefined, { message: 'dosageField applies to VCF/BCF only', path: ['dosageField'] });

export const cohortInput = z
  .object({
    ancestry: identifier,
    /** PLINK 1 prefixes (one, or one per chromosome); or `genotypes`. */
    bfile: z.array(path).min(1).optional(),
    genotypes: genotypesInput.optional(),
  })
  .strict()
  .refine((c) => (c.bfile === undefined) !== (c.genotypes === undefined), { message: 'give a cohort either bfile or genotypes, not both', path: ['genotypes'] });

/** Summary statistics with how to read them (column roles as in `--columns`). */
const sumstatsFileInput = z
  .object({
    file: path,
    columns: z.partialRecord(z.enum(SUMSTATS_ROLES), z.string().min(1)).optional(),
    n: z.number().positive().optional(),
    maxBadRows: z.number().min(0).max(1).optional(),
  })
  .strict();

export const phenotypeInput = z
  .object({
    file: path,
    column: identifier,
    type: z.enum(['quantitative', 'binary']).default('quantitative'),
    /** Population prevalence, for liability-scale R² of binary traits. */
    prevalence: z.number().gt(0).lt(1).optional(),
    /**
     * Whether -9 in the phenotype file means missing (PLINK's missing phenotype), as NA, '.' and
     * a blank TSV cell always do; false when -9 is a real value of the trait. Covariates keep -9.
     */
    missingMinus9: z.boolean().default(STUDY_DEFAULTS.phenotypeMissingMinus9),
  })
  .strict()
  .refine((p) => p.type === 'binary' || p.prevalence === undefined, {
    message: 'prevalence applies to binary traits only',
    path: ['prevalence'],
  });

export const ldInput = z.discriminatedUnion('type', [
  z
    .object({
      type: z.literal('folders'),
      /** An existing SBayesRC LD folder per ancestry. */
      folders: z.record(identifier, path),
    })
    .strict(),
  z
    .object({
      type: z.literal('build'),
      /** LD block file (Block Chrom StartBP EndBP, or BED). */
      blocks: path,
      /**
       * Reference genotypes per ancestry to build eigen panels from: PLINK 1 prefixes, or any
       * genotype format as a cohort's `genotypes` (dosages are correlated as they are).
       */
      reference: z.record(identifier, z.union([z.array(path).min(1), genotypesInput])),
      cutoff: z.number().gt(0).max(1).default(STUDY_DEFAULTS.ldCutoff),
    })
    .strict(),
]);

export const studyInputs = z
  .object({
    cohorts: z.array(cohortInput).min(1),
    phenotype: phenotypeInput,
    covariates: z.object({ file: path, columns: z.array(identifier).optional() }).strict().optional(),
    annotations: path.optional(),
    ld: ldInput,
    /**
     * External GWAS summary statistics per ancestry, used instead of fold GWAS: a path, or
     * `{ file, columns?, n?, maxBadRows? }` when the header needs help (any dialect is detected).
     */
    sumstats: z.record(identifier, z.union([path, sumstatsFileInput])).optional(),
  })
  .strict();

export const imputeSettings = z
  .object({
    /** Impute panel SNPs missing from the GWAS before fitting (SBayesRC needs every panel SNP). */
    enabled: z.boolean().default(true),
    cutoff: z.number().gt(0).max(1).default(STUDY_DEFAULTS.imputeCutoff),
  })
  .strict();

const D = STUDY_DEFAULTS.sbayesrc;
export const sbayesrcSettings = z
  .object({
    iterations: z.number().int().min(2).default(D.iterations),
    burnIn: z.number().int().min(0).default(D.burnIn),
    cutoff: z.number().gt(0).max(1).default(D.cutoff),
    /** Choose the cut-off by pseudo-validation over this grid instead of `cutoff`. */
    tune: z.array(z.number().gt(0).max(1)).min(1).optional(),
    chains: z.number().int().min(1).max(16).default(D.chains),
    threads: z.number().int().min(1).max(64).default(D.threads),
    checkpointEvery: z.number().int().min(1).default(D.checkpointEvery),
    /** Also fit SBayesR (no annotations) on the same data, as the paper's baseline. */
    baseline: z.boolean().default(D.baseline),
  })
  .strict()
  .refine((s) => s.iterations > s.burnIn, { message: 'iterations must exceed burnIn', path: ['iterations'] });

export const executionSettings = z
  .object({
    concurrency: z.number().int().min(1).max(64).default(STUDY_DEFAULTS.concurrency),
  })
  .strict();

/**
 * Nonlinear models against the linear score on the same folds (cross-validation only). The
 * linear baselines are always fitted: `linear` on pgs+covariates, `elasticnet` on snps+covariates.
 */
export const nonlinearSettings = z
  .object({
    models: z.array(z.enum(NONLINEAR_MODELS)).min(1).default(['gbdt', 'mlp']),
    inputs: z.array(z.enum(NONLINEAR_INPUTS)).min(1).default(['pgs+covariates', 'snps+covariates']),
    /** SNPs kept (by fold GWAS p-value, LD-pruned within the training samples) for snps+covariates. */
    topSnps: z.number().int().min(1).max(100_000).default(STUDY_DEFAULTS.nonlinear.topSnps),
    /** Pruning: r² above which a SNP is dropped for a better one within the window. */
    pruneR2: z.number().gt(0).lt(1).default(STUDY_DEFAULTS.nonlinear.pruneR2),
    pruneWindowKb: z.number().int().min(1).max(100_000).default(STUDY_DEFAULTS.nonlinear.pruneWindowKb),
    /** Share of each fold's training samples held back for early stopping and hyper-parameters. */
    innerFraction: z.number().min(0.05).max(0.5).default(STUDY_DEFAULTS.nonlinear.innerFraction),
    /** Seed of the inner splits and the models (default: the study's seed). */
    seed: z.number().int().min(0).max(2 ** 31 - 1).optional(),
  })
  .strict();

export const studySchema = z
  .object({
    $schema: z.string().optional(),
    name: identifier,
    description: z.string().optional(),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(STUDY_DEFAULTS.seed),
    /** Store folder, relative to the study file and inside its folder (see storePathEscapes). */
    store: storePath.optional(),
    inputs: studyInputs,
    design: z.discriminatedUnion('type', [crossValidationDesign, crossAncestryDesign]),
    qc: qcThresholdsSchema.prefault({}),
    impute: imputeSettings.prefault({}),
    sbayesrc: sbayesrcSettings.prefault({}),
    execution: executionSettings.prefault({}),
    nonlinear: nonlinearSettings.optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    // Every ancestry the design names must have a cohort (and LD for it).
    const cohorts = new Set(s.inputs.cohorts.map((c) => c.ancestry));
    const ldAncestries = new Set(Object.keys(s.inputs.ld.type === 'folders' ? s.inputs.ld.folders : s.inputs.ld.reference));
    const named =
      s.design.type === 'cross-validation'
        ? [{ a: s.design.ancestry, path: ['design', 'ancestry'] }]
        : [
            ...s.design.train.map((a, i) => ({ a, path: ['design', 'train', i] })),
            { a: s.design.target, path: ['design', 'target'] },
          ];
    if (s.nonlinear !== undefined && s.design.type !== 'cross-validation') {
      ctx.addIssue({ code: 'custom', path: ['nonlinear'], message: 'nonlinear models are compared with the linear score on cross-validation folds: give a cross-validation design' });
    }
    if (s.design.type === 'cross-validation' && s.inputs.sumstats !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['inputs', 'sumstats'], message: 'external summary statistics apply to cross-ancestry designs; a cross-validation computes its own fold GWAS' });
    }
    for (const { a, path: p } of named) {
      if (!cohorts.has(a) && !(s.inputs.sumstats && a in s.inputs.sumstats && p[1] === 'train')) {
        ctx.addIssue({ code: 'custom', path: p, message: `no cohort with ancestry '${a}' in inputs.cohorts` });
      }
      if (!ldAncestries.has(a) && p[1] !== 'target') {
        ctx.addIssue({ code: 'custom', path: p, message: `no LD input for ancestry '${a}' in inputs.ld` });
      }
    }
  });

export type Study = z.output<typeof studySchema>;
/** A study file as written (defaults not yet filled in). */
export type StudyFileInput = z.input<typeof studySchema>;

export function parseStudy(value: unknown, source = 'study'): Study {
  const parsed = studySchema.safeParse(value);
  if (!parsed.success) throw ConfigError.fromZod(source, parsed.error);
  return parsed.data;
}

export async function readStudyFile(path: string): Promise<Study> {
  const text = await readFile(path, 'utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(path, [{ field: '(root)', message: `not valid JSON: ${(e as Error).message}` }]);
  }
  return parseStudy(value, path);
}

/** JSON Schema of the study file, for editor completion (`pgsflow schema > study.schema.json`). */
export function studyJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(studySchema, { io: 'input' }) as Record<string, unknown>;
}
