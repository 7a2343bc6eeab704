// Non-additive genetic truth for `pgsflow simulate --epistasis F` and `--gxe C:S` (issue 20), so
// that nonlinear-vs-linear comparisons have something to find (or, without them, nothing).
//
// Per cohort, with A = Σ_j β_j x_j the additive value (truth/effects.tsv) and
//   E = Σ_pairs γ_ab z_a z_b,   z_j = (x_j − 2p_j) / sqrt(2p_j(1 − p_j))  (p_j: SNP j's A1 frequency
//                                 in the first cohort's sample, so there z has mean 0 and a product of
//                                 independent SNPs no linear part; a missing call has z = 0),
//   g = (A + E) + S · z_C · ((A + E) − mean(A + E)),   z_C = (C − mean C) / sd C  (within the cohort),
// β and γ are scaled together so that, in the first cohort, var(A) : var(E) = (1 − F) : F and
// var(g) = h² (the residual then gives exactly that h², as without interactions). Pairs join the
// causal SNPs two by two, deterministically from the seed: half "cis" (nearest causal neighbours in
// one LD block, so the product is partly tagged by SNPs in LD with them) and half "trans" (two
// blocks, independent genotypes).
import { ConfigError } from '../../config/errors.js';
import { MISSING_DOSAGE } from '../genotypes/bedCodec.js';
import { Rng } from '../numeric/random/rng.js';
import type { SimBlock } from './variantMap.js';

export const STREAM_EPISTASIS = 9;

export interface EpistaticPair {
  /** SNP indices, a < b. */
  a: number;
  b: number;
  /** 'cis': both SNPs in one LD block; 'trans': different blocks. */
  kind: 'cis' | 'trans';
  /** Effect on the product of standardised genotypes z_a·z_b. */
  gamma: number;
}

function optionError(field: 'epistasis' | 'gxe', message: string): ConfigError {
  return new ConfigError('simulate options', [{ field, message }]);
}

/** Block index of every SNP. */
export function blockIndex(nSnps: number, blocks: readonly SimBlock[]): Int32Array {
  const out = new Int32Array(nSnps);
  blocks.forEach((b, k) => out.fill(k, b.first, b.end));
  return out;
}

/**
 * Pair the causal SNPs (component > 0, 0 < p < 1) two by two: ⌈P/2⌉ of the P = ⌊causal/2⌋ pairs
 * cis where the blocks allow it (a SNP with its nearest unpaired causal neighbour in the block),
 * the rest trans; order and γ ~ N(0, 1) from the seed's epistasis stream. Pairs sorted by SNP.
 */
export function chooseEpistaticPairs(component: Uint8Array, freq: Float64Array, blocks: readonly SimBlock[], seed: number): EpistaticPair[] {
  const nSnps = component.length;
  const block = blockIndex(nSnps, blocks);
  const eligible: number[] = [];
  for (let j = 0; j < nSnps; j++) if (component[j]! > 0 && freq[j]! > 0 && freq[j]! < 1) eligible.push(j);
  if (eligible.length < 2) {
    throw optionError('epistasis', `needs at least two causal SNPs to pair, this simulation has ${eligible.length}: raise --causal-fraction or --snps`);
  }
  const rng = Rng.stream(seed, STREAM_EPISTASIS);
  const order = rng.shuffle(eligible.slice());
  const byBlock = new Map<number, number[]>(); // eligible SNPs of each block, by index
  for (const j of eligible) {
    const list = byBlock.get(block[j]!);
    if (list) list.push(j);
    else byBlock.set(block[j]!, [j]);
  }
  const paired = new Set<number>();
  const raw: { a: number; b: number }[] = [];
  const pair = (u: number, v: number): void => {
    paired.add(u);
    paired.add(v);
    raw.push({ a: Math.min(u, v), b: Math.max(u, v) });
  };
  const nPairs = Math.floor(eligible.length / 2);
  const nCis = Math.ceil(nPairs / 2);
  for (const u of order) {
    if (raw.length >= nCis) break;
    if (paired.has(u)) continue;
    let best = -1;
    for (const v of byBlock.get(block[u]!)!) {
      if (v === u || paired.has(v)) continue;
      if (best < 0 || Math.abs(v - u) < Math.abs(best - u)) best = v;
    }
    if (best >= 0) pair(u, best);
  }
  const rest = order.filter((u) => !paired.has(u));
  for (let i = 0; i < rest.length; i++) {
    const u = rest[i]!;
    if (paired.has(u)) continue;
    let v = -1;
    for (let k = i + 1; k < rest.length && v < 0; k++) if (!paired.has(rest[k]!) && block[rest[k]!] !== block[u]) v = rest[k]!;
    if (v >= 0) pair(u, v);
  }
  // What is left shares one block: pair it in order (cis); an odd one out stays additive only.
  const left = rest.filter((u) => !paired.has(u));
  for (let i = 0; i + 1 < left.length; i += 2) pair(left[i]!, left[i + 1]!);
  raw.sort((x, y) => x.a - y.a);
  return raw.map(({ a, b }) => ({ a, b, kind: block[a] === block[b] ? 'cis' : 'trans', gamma: rng.normal() }));
}

/** The SNPs whose genotypes the epistatic values need, ascending. */
export function pairSnps(pairs: readonly EpistaticPair[]): Int32Array {
  return Int32Array.from(new Set(pairs.flatMap((p) => [p.a, p.b]))).sort();
}

/** z_j for the dosage codes 0, 1, 2 and missing (0); all 0 for a monomorphic SNP. */
function zTable(p: number): Float64Array {
  const sd = Math.sqrt(2 * p * (1 - p));
  const t = new Float64Array(4);
  if (!(p > 0 && p < 1)) return t;
  for (let x = 0; x < 3; x++) t[x] = (x - 2 * p) / sd;
  t[MISSING_DOSAGE] = 0;
  return t;
}

/** A1 frequency over the called samples (0.5 when none is called). */
export function sampleFrequency(dosages: Uint8Array): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < dosages.length; i++) {
    const x = dosages[i]!;
    if (x === MISSING_DOSAGE) continue;
    s += x;
    n++;
  }
  return n > 0 ? s / (2 * n) : 0.5;
}

/** Standardised genotypes of one SNP (missing calls 0). */
export function standardised(dosages: Uint8Array, p: number): Float64Array {
  const t = zTable(p);
  return Float64Array.from(dosages, (x) => t[x]!);
}

/** E_i = Σ γ z_a z_b for one cohort; `column(j)` gives SNP j's dosages (0, 1, 2, MISSING_DOSAGE). */
export function epistaticValues(pairs: readonly EpistaticPair[], column: (snp: number) => Uint8Array, freq: Float64Array, n: number): Float64Array {
  const e = new Float64Array(n);
  for (const p of pairs) {
    const ta = zTable(freq[p.a]!);
    const tb = zTable(freq[p.b]!);
    const xa = column(p.a);
    const xb = column(p.b);
    for (let i = 0; i < n; i++) e[i]! += p.gamma * ta[xa[i]!]! * tb[xb[i]!]!;
  }
  return e;
}

export interface GeneticParts {
  additive: Float64Array;
  epistatic: Float64Array;
  gxe: Float64Array;
  /** additive + epistatic + gxe: what enters the phenotype. */
  genetic: Float64Array;
}

export interface GxeInput {
  slope: number;
  /** The covariate's values per cohort (as written to covar.tsv). */
  covariate: Float64Array[];
}

export interface CombineInput {
  h2: number;
  /** Unscaled Σ β x per cohort. */
  additive: Float64Array[];
  /** Unscaled Σ γ z z per cohort (null: no epistasis). */
  epistatic: Float64Array[] | null;
  /** F: the epistatic share of the genetic variance, 0 ≤ F < 1. */
  fraction: number;
  gxe: GxeInput | null;
}

export interface Combined {
  /** Multiply the unscaled β by this. */
  additiveScale: number;
  /** Multiply the unscaled γ by this. */
  epistaticScale: number;
  cohorts: GeneticParts[];
  /** Per cohort: the covariate's mean and SD (standardisation) and mean(A + E) (G×E centring). */
  gxeCentring: { covariateMean: number; covariateSd: number; geneticMean: number }[] | null;
}

export function mean(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) m += x[i]!;
  return m / x.length;
}

export function variance(x: Float64Array): number {
  return covariance(x, x);
}

export function covariance(x: Float64Array, y: Float64Array): number {
  const mx = mean(x);
  const my = mean(y);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (x[i]! - mx) * (y[i]! - my);
  return s / (x.length - 1);
}

/** The genetic value of every cohort from its parts, scaled on the first cohort (see the header). */
export function combineGenetics(input: CombineInput): Combined {
  const F = input.epistatic ? input.fraction : 0;
  const vA = variance(input.additive[0]!);
  const vE = input.epistatic ? variance(input.epistatic[0]!) : 0;
  if (F > 0 && !(vE > 0)) throw optionError('epistasis', 'the epistatic pairs do not vary in the first cohort (too few samples?)');
  const a0 = Math.sqrt((1 - F) / vA);
  const b0 = F > 0 ? Math.sqrt(F / vE) : 0;
  const g0 = input.additive.map((add, c) => {
    const epi = input.epistatic?.[c];
    const g = new Float64Array(add.length);
    for (let i = 0; i < g.length; i++) g[i] = a0 * add[i]! + (epi && b0 > 0 ? b0 * epi[i]! : 0);
    return g;
  });
  const interaction = g0.map((g, c) => {
    const x = new Float64Array(g.length);
    if (!input.gxe) return { x, centring: null };
    const cov = input.gxe.covariate[c]!;
    const covariateMean = mean(cov);
    const covariateSd = Math.sqrt(variance(cov));
    if (!(covariateSd > 0)) throw optionError('gxe', `the covariate does not vary in cohort ${c + 1}`);
    const geneticMean = mean(g);
    for (let i = 0; i < g.length; i++) x[i] = input.gxe.slope * ((cov[i]! - covariateMean) / covariateSd) * (g[i]! - geneticMean);
    return { x, centring: { covariateMean, covariateSd, geneticMean } };
  });
  const total0 = new Float64Array(g0[0]!.length);
  for (let i = 0; i < total0.length; i++) total0[i] = g0[0]![i]! + interaction[0]!.x[i]!;
  const k = Math.sqrt(input.h2 / variance(total0));
  const cohorts = g0.map((_, c) => {
    const add = input.additive[c]!;
    const epi = input.epistatic?.[c];
    const x = interaction[c]!.x;
    const parts: GeneticParts = {
      additive: Float64Array.from(add, (v) => k * a0 * v),
      epistatic: epi && b0 > 0 ? Float64Array.from(epi, (v) => k * b0 * v) : new Float64Array(add.length),
      gxe: Float64Array.from(x, (v) => k * v),
      genetic: new Float64Array(add.length),
    };
    for (let i = 0; i < add.length; i++) parts.genetic[i] = parts.additive[i]! + parts.epistatic[i]! + parts.gxe[i]!;
    return parts;
  });
  return {
    additiveScale: k * a0,
    epistaticScale: k * b0,
    cohorts,
    gxeCentring: input.gxe ? interaction.map((x) => ({ ...x.centring!, geneticMean: k * x.centring!.geneticMean })) : null,
  };
}

/** Realised variances of a cohort's parts, their covariances, and shares of var(g + e) (the h² scale). */
export function varianceSplit(parts: GeneticParts, residualVariance: number, geneticPlusResidualVariance: number) {
  const v = {
    additive: variance(parts.additive),
    epistatic: variance(parts.epistatic),
    gxe: variance(parts.gxe),
    genetic: variance(parts.genetic),
    residual: residualVariance,
  };
  const total = geneticPlusResidualVariance;
  return {
    variance: v,
    covariance: {
      additiveEpistatic: covariance(parts.additive, parts.epistatic),
      additiveGxe: covariance(parts.additive, parts.gxe),
      epistaticGxe: covariance(parts.epistatic, parts.gxe),
    },
    share: { additive: v.additive / total, epistatic: v.epistatic / total, gxe: v.gxe / total, genetic: v.genetic / total },
  };
}

/**
 * LD and linear content of each pair in one cohort: r between the two SNPs' dosages, and R² of
 * z_a·z_b regressed on (1, z_a, z_b) — the part of the product a linear model of the pair's own
 * SNPs captures. Also `linearInPairSnps`: squared correlation of E with Σ γ·(those fits), a lower
 * bound on the R² of E on all pair SNPs' dosages.
 */
export function pairDiagnostics(pairs: readonly EpistaticPair[], column: (snp: number) => Uint8Array, freq: Float64Array, n: number) {
  const fitted = new Float64Array(n);
  const total = new Float64Array(n);
  const perPair = pairs.map((p) => {
    const za = standardised(column(p.a), freq[p.a]!);
    const zb = standardised(column(p.b), freq[p.b]!);
    const prod = Float64Array.from(za, (v, i) => v * zb[i]!);
    const r = correlationOfCalls(column(p.a), column(p.b));
    const fit = linearFit(prod, za, zb);
    const vp = variance(prod);
    for (let i = 0; i < n; i++) {
      fitted[i]! += p.gamma * fit[i]!;
      total[i]! += p.gamma * prod[i]!;
    }
    return { r, linearR2: vp > 0 ? variance(fit) / vp : 0 };
  });
  const vt = variance(total);
  const vf = variance(fitted);
  const linearInPairSnps = vt > 0 && vf > 0 ? covariance(total, fitted) ** 2 / (vt * vf) : 0;
  return { perPair, linearInPairSnps };
}

/** Pearson r of two SNPs' dosages over the samples called at both. */
function correlationOfCalls(x: Uint8Array, y: Uint8Array): number {
  let n = 0;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let syy = 0;
  let sxy = 0;
  for (let i = 0; i < x.length; i++) {
    const a = x[i]!;
    const b = y[i]!;
    if (a === MISSING_DOSAGE || b === MISSING_DOSAGE) continue;
    n++;
    sx += a;
    sy += b;
    sxx += a * a;
    syy += b * b;
    sxy += a * b;
  }
  const cxy = sxy - (sx * sy) / n;
  const cxx = sxx - (sx * sx) / n;
  const cyy = syy - (sy * sy) / n;
  return cxx > 0 && cyy > 0 ? cxy / Math.sqrt(cxx * cyy) : 0;
}

/** Least-squares fit of y on (1, u, v); with u and v collinear, on (1, u). */
function linearFit(y: Float64Array, u: Float64Array, v: Float64Array): Float64Array {
  const my = mean(y);
  const mu = mean(u);
  const mv = mean(v);
  const suu = covariance(u, u);
  const svv = covariance(v, v);
  const suv = covariance(u, v);
  const suy = covariance(u, y);
  const svy = covariance(v, y);
  const det = suu * svv - suv * suv;
  let bu = 0;
  let bv = 0;
  if (det > 1e-12 * suu * svv) {
    bu = (svv * suy - suv * svy) / det;
    bv = (suu * svy - suv * suy) / det;
  } else if (suu > 0) bu = suy / suu;
  return Float64Array.from(y, (_, i) => my + bu * (u[i]! - mu) + bv * (v[i]! - mv));
}
