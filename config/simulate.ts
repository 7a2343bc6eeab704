// Options of `pgsflow simulate` with every default named (they are recorded in truth/params.json).
import { z } from 'zod';
import { ConfigError } from './errors.js';
import { identifier } from './identifiers.js';
import { GENOTYPE_FORMATS } from './study.js';

export const SIMULATE_DEFAULTS = {
  ancestries: ['EUR'],
  samples: [5000],
  refSamples: 2000,
  snps: 10_000,
  blockSnps: 200,
  ldRho: 0.95,
  fst: 0.1,
  causalFraction: 0.01,
  h2: 0.5,
  annotations: 4,
  missingRate: 0,
  seed: 1,
} as const;

/** Covariate columns the simulator writes to covar.tsv (N_PCS = 10 principal components). */
export const SIMULATED_COVARIATES = ['sex', 'age', ...Array.from({ length: 10 }, (_, k) => `PC${k + 1}`)] as const;

/**
 * --gxe C:S: the genetic deviation scaled by (1 + S·z), z = covariate C standardised within its
 * cohort. Given as the text 'C:S' (the CLI's form) or as { covariate, slope }; recorded as the latter.
 */
const gxeSchema = z.preprocess(
  (v, ctx) => {
    if (typeof v !== 'string') return v;
    const m = /^([^:]*):([^:]*)$/.exec(v.trim());
    const slope = m && m[2]!.trim() !== '' ? Number(m[2]) : Number.NaN;
    if (!m || m[1]!.trim() === '' || !Number.isFinite(slope)) {
      ctx.addIssue({ code: 'custom', message: `expected C:S (a covariate name and a number, e.g. age:0.5), got '${v}'` });
      return z.NEVER;
    }
    return { covariate: m[1]!.trim(), slope };
  },
  z
    .object({
      covariate: z.enum(SIMULATED_COVARIATES, {
        error: (iss) => `unknown covariate '${String(iss.input)}' (the simulator writes ${SIMULATED_COVARIATES.join(', ')})`,
      }),
      slope: z.number({ error: 'the slope S must be a finite number' }).finite(),
    })
    .strict(),
);

export const simulateOptionsSchema = z
  .object({
    ancestries: z.array(identifier).min(1).default([...SIMULATE_DEFAULTS.ancestries]),
    samples: z.array(z.number().int().min(10).max(5_000_000)).min(1).default([...SIMULATE_DEFAULTS.samples]),
    refSamples: z.number().int().min(10).max(1_000_000).default(SIMULATE_DEFAULTS.refSamples),
    /** SNP count; default 10,000 synthetic, or every founder SNP with --founders. */
    snps: z.number().int().min(10).max(50_000_000).optional(),
    blockSnps: z.number().int().min(2).max(100_000).default(SIMULATE_DEFAULTS.blockSnps),
    founders: z.array(z.string().min(1)).optional(),
    founderPops: z.array(z.string().min(1)).optional(),
    /** One value for every ancestry, or one per ancestry (synthetic genotypes only). */
    ldRho: z.union([z.number().min(0).lt(1), z.array(z.number().min(0).lt(1)).min(1)]).default(SIMULATE_DEFAULTS.ldRho),
    fst: z.number().gt(0).lt(1).default(SIMULATE_DEFAULTS.fst),
    causalFraction: z.number().gt(0).max(1).default(SIMULATE_DEFAULTS.causalFraction),
    h2: z.number().gt(0).lt(1).default(SIMULATE_DEFAULTS.h2),
    annotations: z.number().int().min(0).max(100).default(SIMULATE_DEFAULTS.annotations),
    binaryPrevalence: z.number().gt(0).lt(1).optional(),
    missingRate: z.number().min(0).max(0.5).default(SIMULATE_DEFAULTS.missingRate),
    seed: z.number().int().min(0).max(2 ** 31 - 1).default(SIMULATE_DEFAULTS.seed),
    // No defaults for these two: absent, the options (recorded in truth/params.json) and every
    // file stay byte-identical to a simulator without them.
    /** Format of the target cohorts under geno/ (absent: PLINK 1 .bed); ref/ panels stay .bed. */
    format: z.enum(GENOTYPE_FORMATS).optional(),
    /** SD of the Gaussian blur turning hard calls into dosages (pgen, VCF, BGEN only; absent or 0: hard calls). */
    dosageNoise: z.number().min(0).max(1).optional(),
    // No defaults either (absent: no interaction, every file as without them).
    /** Gene–environment interaction: genetic deviation × (1 + slope · standardised covariate). */
    gxe: gxeSchema.optional(),
    /** Fraction F of the genetic variance from products of pairs of causal SNPs, 0 ≤ F < 1. */
    epistasis: z
      .number({ error: 'expected a number F with 0 ≤ F < 1' })
      .min(0, { error: 'the fraction F must be ≥ 0' })
      .lt(1, { error: 'the fraction F must be < 1 (some additive variance stays)' })
      .optional(),
    // Cross-ancestry architecture (no defaults either: absent, effects are shared exactly as
    // before, rg = 1 and no private causal variants, and every file stays as without them).
    /** --rg R: correlation of the causal effects of shared causal variants between any two ancestries. */
    rg: z
      .number({ error: '--rg expects a number R with −1 ≤ R ≤ 1' })
      .min(-1, { error: '--rg must be ≥ −1 (a correlation)' })
      .max(1, { error: '--rg must be ≤ 1 (a correlation)' })
      .optional(),
    /** --private-causal F: the fraction of each ancestry's causal variants causal in that ancestry only. */
    privateCausal: z
      .number({ error: '--private-causal expects a fraction F with 0 ≤ F < 1' })
      .min(0, { error: '--private-causal F must be ≥ 0' })
      .lt(1, { error: '--private-causal F must be < 1 (some causal variants are shared)' })
      .optional(),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.samples.length !== o.ancestries.length && o.samples.length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['samples'], message: `give one sample size, or one per ancestry (${o.ancestries.length})` });
    }
    if (new Set(o.ancestries).size !== o.ancestries.length) {
      ctx.addIssue({ code: 'custom', path: ['ancestries'], message: 'ancestries must be distinct' });
    }
    if ((o.dosageNoise ?? 0) > 0 && (o.format ?? 'bed') === 'bed') {
      ctx.addIssue({ code: 'custom', path: ['dosageNoise'], message: 'a .bed holds hard calls only: give --format pgen, vcf or bgen with --dosage-noise' });
    }
    if (Array.isArray(o.ldRho) && o.ldRho.length !== o.ancestries.length && o.ldRho.length !== 1) {
      ctx.addIssue({ code: 'custom', path: ['ldRho'], message: `give one --ld-rho, or one per ancestry (${o.ancestries.length})` });
    }
    for (const key of ['rg', 'privateCausal'] as const) {
      if (o[key] !== undefined && o.ancestries.length < 2) {
        ctx.addIssue({ code: 'custom', path: [key], message: `${key === 'rg' ? '--rg' : '--private-causal'} needs at least two ancestries` });
      }
    }
    // Equal correlation R between every pair of A ancestries is a valid correlation matrix only for R ≥ −1/(A − 1).
    if (o.rg !== undefined && o.ancestries.length > 2 && o.rg < -1 / (o.ancestries.length - 1)) {
      ctx.addIssue({ code: 'custom', path: ['rg'], message: `--rg must be ≥ −1/(A − 1) = ${(-1 / (o.ancestries.length - 1)).toFixed(4)} with A = ${o.ancestries.length} ancestries (one correlation for every pair)` });
    }
    if ((o.founders === undefined) !== (o.founderPops === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['founderPops'], message: '--founders and --founder-pops go together' });
    }
  });

export type SimulateOptions = z.output<typeof simulateOptionsSchema>;
export type SimulateOptionsInput = z.input<typeof simulateOptionsSchema>;

export function parseSimulateOptions(value: unknown): SimulateOptions {
  const parsed = simulateOptionsSchema.safeParse(value);
  if (!parsed.success) throw ConfigError.fromZod('simulate options', parsed.error);
  return parsed.data;
}

export type SimulateFormat = NonNullable<SimulateOptions['format']>;
export type SimulateGxe = NonNullable<SimulateOptions['gxe']>;

/** AR(1) latent correlation of ancestry `a` (a single --ld-rho value applies to all). */
export function ldRhoFor(o: SimulateOptions, a: number): number {
  return typeof o.ldRho === 'number' ? o.ldRho : o.ldRho.length === 1 ? o.ldRho[0]! : o.ldRho[a]!;
}

/** Whether effects differ across ancestries (--rg or --private-causal given). */
export function crossAncestryArchitecture(o: SimulateOptions): { rg: number; privateCausal: number } | null {
  return o.rg === undefined && o.privateCausal === undefined ? null : { rg: o.rg ?? 1, privateCausal: o.privateCausal ?? 0 };
}

/** Sample size of ancestry `a` (a single --samples value applies to all). */
export function samplesFor(o: SimulateOptions, a: number): number {
  return o.samples.length === 1 ? o.samples[0]! : o.samples[a]!;
}
