// Covariates and phenotypes of one simulated cohort: y = g + Cγ + e with var(e) chosen so
// that var(g) / (var(g) + var(e)) = h²; binary traits by a liability threshold on y. g is the
// whole genetic value (with --gxe/--epistasis its interaction parts too, see interactions.ts).
import { normalQuantile } from '../numeric/random/normalDistribution.js';
import { Rng } from '../numeric/random/rng.js';

export const STREAM_PHENOTYPES = 5;
export const N_PCS = 10;

/** Real covariate effects on the phenotype (per unit of the covariate). */
export const COVARIATE_EFFECTS = { sexFemale: 0.1, agePerYear: 0.01, pcs: [0.05, -0.03, 0, 0, 0, 0, 0, 0, 0, 0] } as const;

export interface Covariates {
  sex: Uint8Array; // 1 male, 2 female
  age: Float64Array;
  pcs: Float64Array[]; // N_PCS columns
}

export interface Phenotypes {
  covariates: Covariates;
  /** Genetic value per sample (already on the final h² scale). */
  genetic: Float64Array;
  trait: Float64Array;
  binary: Uint8Array | null; // 1 control, 2 case (PLINK coding)
  varG: number;
  varE: number;
  realisedH2: number;
  threshold: number | null;
  realisedPrevalence: number | null;
}

export function variance(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i]!;
  m /= x.length;
  let v = 0;
  for (let i = 0; i < x.length; i++) v += (x[i]! - m) ** 2;
  return v / (x.length - 1);
}

function mean(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i]!;
  return m / x.length;
}

/** Covariates of one cohort, and the cohort's phenotype stream positioned to draw the residuals next. */
export interface DrawnCovariates {
  covariates: Covariates;
  rng: Rng;
}

/** Draw a cohort's covariates (the first draws of its phenotype stream). */
export function simulateCovariates(n: number, ancestryIndex: number, seed: number): DrawnCovariates {
  const rng = Rng.stream(seed, STREAM_PHENOTYPES, ancestryIndex);
  const sex = new Uint8Array(n);
  const age = new Float64Array(n);
  const pcs = Array.from({ length: N_PCS }, () => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    sex[i] = rng.uniform() < 0.5 ? 1 : 2;
    age[i] = Math.round((40 + 30 * rng.uniform()) * 10) / 10;
    for (let k = 0; k < N_PCS; k++) {
      // Ancestries separate along the first two PCs, as in a real multi-ancestry PCA.
      const shift = k === 0 ? 3 * ancestryIndex : k === 1 ? -1.5 * ancestryIndex : 0;
      pcs[k]![i] = Math.round((shift + rng.normal()) * 1e4) / 1e4;
    }
  }
  return { covariates: { sex, age, pcs }, rng };
}

/** A covariate column by its covar.tsv name (sex as written: 1 male, 2 female). */
export function covariateColumn(c: Covariates, name: string): Float64Array {
  if (name === 'sex') return Float64Array.from(c.sex);
  if (name === 'age') return c.age;
  const m = /^PC([0-9]+)$/.exec(name);
  const k = m ? Number(m[1]) - 1 : -1;
  if (k < 0 || k >= N_PCS) throw new Error(`no simulated covariate '${name}'`);
  return c.pcs[k]!;
}

/**
 * Phenotypes of one cohort from its genetic values. `drawn`: covariates already drawn by
 * `simulateCovariates` (when the genetic values depend on them, G×E); absent, they are drawn here.
 */
export function simulatePhenotypes(
  genetic: Float64Array,
  h2: number,
  prevalence: number | undefined,
  ancestryIndex: number,
  seed: number,
  drawn?: DrawnCovariates,
): Phenotypes {
  const n = genetic.length;
  const { covariates, rng } = drawn ?? simulateCovariates(n, ancestryIndex, seed);
  const { sex, age, pcs } = covariates;
  const varG = variance(genetic);
  const varE = (varG * (1 - h2)) / h2;
  // Residuals rescaled to exactly var(e) = varE in the sample; their chance correlation with g
  // is left alone, so the realised h² scatters around h² as in a real cohort.
  const e = new Float64Array(n);
  for (let i = 0; i < n; i++) e[i] = rng.normal();
  const sdScale = Math.sqrt(varE / variance(e));
  let eMean = 0;
  for (let i = 0; i < n; i++) eMean += e[i]!;
  eMean /= n;
  for (let i = 0; i < n; i++) e[i] = (e[i]! - eMean) * sdScale;
  const trait = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let cov = (sex[i] === 2 ? COVARIATE_EFFECTS.sexFemale : 0) + COVARIATE_EFFECTS.agePerYear * (age[i]! - 55);
    for (let k = 0; k < N_PCS; k++) cov += COVARIATE_EFFECTS.pcs[k]! * pcs[k]![i]!;
    trait[i] = genetic[i]! + cov + e[i]!;
  }
  const ge = new Float64Array(n);
  for (let i = 0; i < n; i++) ge[i] = genetic[i]! + e[i]!;
  const realisedH2 = varG / variance(ge);

  let binary: Uint8Array | null = null;
  let threshold: number | null = null;
  let realisedPrevalence: number | null = null;
  if (prevalence !== undefined) {
    threshold = mean(trait) + Math.sqrt(variance(trait)) * normalQuantile(1 - prevalence);
    binary = new Uint8Array(n);
    let cases = 0;
    for (let i = 0; i < n; i++) {
      const c = trait[i]! > threshold;
      binary[i] = c ? 2 : 1;
      if (c) cases++;
    }
    realisedPrevalence = cases / n;
  }
  return { covariates, genetic, trait, binary, varG, varE, realisedH2, threshold, realisedPrevalence };
}
