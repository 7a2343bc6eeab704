// PUMAS-style in-silico split of one GWAS into training and validation summary statistics
// (issue 21, "no target tuning sample"; the same idea as SBayesRC's eigen cut-off tuning,
// core/sbayesrc/tuneCutoff.ts, here with its own stream and a free training fraction).
//
// Units. Everything is a marginal correlation between a standardised genotype and a
// unit-variance phenotype, the scale SBayesRC samples on (core/sbayesrc/standardise.ts):
//   r_j = b_j / sqrt(N_j se_j² + b_j²)  (= z_j / sqrt(N_j + z_j²), z = b/se),
// so r_j ≈ z_j/sqrt(N_j) for small effects and never leaves (−1, 1).
//
// The split. For a GWAS of N samples, r ~ N(Rβ, R/N) (R the LD correlation). The GWAS of a random
// N_t of them, given r, is r_t ~ N(r, (1/N_t − 1/N)·R), and the remaining N_v = N − N_t samples'
// GWAS is then r_v = (N r − N_t r_t)/N_v, independent of r_t (marginally r_v ~ N(Rβ, R/N_v)).
// Per LD block, R ≈ U Λ Uᵀ (the panel's truncated eigen decomposition, U column-major m × k), so
// R^{1/2}ε is drawn as U Λ^{1/2} η, η ~ N(0, I_k): noise only in the span the panel keeps, which is
// the R̃ every other summary-statistics step here uses. With per-SNP N_j the noise of SNP j is
// scaled by sqrt(1/N_t,j − 1/N_j), N_t,j = f·N_j (so the identity N r = N_t r_t + N_v r_v holds SNP
// by SNP). Block b (0-based panel index) draws from Rng.stream(seed, STREAM_SUMMARY_SPLIT, b), so a
// caller that reads one block at a time gets the same numbers as one holding the whole panel.
import { readEigenBlock } from '../formats/ldFolder.js';
import type { EigenBlock, LdFolder } from '../formats/types.js';
import { truncateEigen } from '../ld/eigenCutoff.js';
import { MetricInputError } from '../errors.js';
import { Rng } from '../numeric/random/rng.js';
import { standardise } from '../sbayesrc/standardise.js';

/** PRNG stream key (taken: simulate 1–10, folds 11, tuning split 12, SBayesRC −1…−3). */
export const STREAM_SUMMARY_SPLIT = 13;

/** Training share N_t/N when not given: enough validation signal for A mixing weights. */
export const DEFAULT_TRAIN_FRACTION = 0.8;

export type RealArray = Float32Array | Float64Array;

/**
 * One LD block's (truncated) eigen decomposition R ≈ U Λ Uᵀ: k eigenvalues (≥ 0), eigenvectors
 * column-major m × k (vector i is vectors[i·m … i·m + m − 1]). `EigenBlock` (a panel's
 * block<B>.eigen.bin, float32) and a float64 decomposition both fit.
 */
export interface BlockEigen {
  m: number;
  k: number;
  values: RealArray;
  vectors: RealArray;
}

export interface SummarySplit {
  /** r_t per SNP (marginal correlation, see the file head). */
  rTrain: Float64Array;
  /** r_v per SNP. */
  rValid: Float64Array;
  /** N_t,j = f·N_j. */
  nTrain: Float64Array;
  /** N_v,j = N_j − N_t,j. */
  nValid: Float64Array;
}

export interface SplitOptions {
  seed: number;
  /** f = N_t/N in (0, 1); DEFAULT_TRAIN_FRACTION when absent. */
  trainFraction?: number;
}

/** r_j and the per-SNP scale s_j = sqrt(N_j se_j² + b_j²) (r = b/s; b = r·s maps back). */
export function summaryCorrelations(b: ArrayLike<number>, se: ArrayLike<number>, n: ArrayLike<number>): { r: Float64Array; scale: Float64Array } {
  const m = b.length;
  if (se.length !== m || n.length !== m) throw new MetricInputError(`summary statistics: ${m} b, ${se.length} se, ${n.length} N values`);
  for (let j = 0; j < m; j++) {
    if (!Number.isFinite(b[j]!) || !(se[j]! > 0) || !(n[j]! > 0) || !Number.isFinite(se[j]!) || !Number.isFinite(n[j]!)) {
      throw new MetricInputError(`summary statistics row ${j}: b = ${b[j]}, se = ${se[j]}, N = ${n[j]} (need finite b, se > 0, N > 0)`);
    }
  }
  const { bhat, scale } = standardise(b, se, n);
  return { r: bhat, scale };
}

/**
 * The split of one block: `r` and `n` are the block's m values, `block` its 0-based index in the
 * panel (it picks the PRNG stream). Pure.
 */
export function pseudoSplitBlock(eigen: BlockEigen, block: number, r: ArrayLike<number>, n: ArrayLike<number>, options: SplitOptions): SummarySplit {
  const f = trainFraction(options);
  checkEigen(eigen, `block ${block}`);
  const { m, k, values, vectors } = eigen;
  if (r.length !== m || n.length !== m) throw new MetricInputError(`block ${block}: ${r.length} correlations and ${n.length} sample sizes for ${m} SNPs`);
  // e = U Λ^{1/2} η ~ N(0, U Λ Uᵀ), accumulated column by column (U is column-major).
  const rng = Rng.stream(options.seed, STREAM_SUMMARY_SPLIT, block);
  const e = new Float64Array(m);
  for (let i = 0; i < k; i++) {
    const s = Math.sqrt(values[i]!) * rng.normal();
    const col = i * m;
    for (let j = 0; j < m; j++) e[j] = e[j]! + vectors[col + j]! * s;
  }
  const out: SummarySplit = { rTrain: new Float64Array(m), rValid: new Float64Array(m), nTrain: new Float64Array(m), nValid: new Float64Array(m) };
  for (let j = 0; j < m; j++) {
    const rj = r[j]!;
    const nj = n[j]!;
    if (!Number.isFinite(rj) || !(nj > 0) || !Number.isFinite(nj)) throw new MetricInputError(`block ${block} SNP ${j}: r = ${rj}, N = ${nj} (need finite r, N > 0)`);
    const nt = f * nj;
    const nv = nj - nt;
    const rt = rj + Math.sqrt(1 / nt - 1 / nj) * e[j]!;
    out.rTrain[j] = rt;
    out.rValid[j] = (nj * rj - nt * rt) / nv;
    out.nTrain[j] = nt;
    out.nValid[j] = nv;
  }
  return out;
}

/**
 * The split of the whole panel: `blocks` are all of the panel's blocks in order (block b's SNPs
 * follow block b − 1's in `r` and `n`), so block b uses stream b as in `pseudoSplitBlock`.
 */
export function pseudoSplit(blocks: readonly BlockEigen[], r: Float64Array, n: Float64Array, options: SplitOptions): SummarySplit {
  const total = blocks.reduce((s, e) => s + e.m, 0);
  if (r.length !== total || n.length !== total) throw new MetricInputError(`${r.length} correlations and ${n.length} sample sizes for ${total} SNPs in ${blocks.length} blocks`);
  const out: SummarySplit = { rTrain: new Float64Array(total), rValid: new Float64Array(total), nTrain: new Float64Array(total), nValid: new Float64Array(total) };
  let first = 0;
  blocks.forEach((e, b) => {
    const part = pseudoSplitBlock(e, b, r.subarray(first, first + e.m), n.subarray(first, first + e.m), options);
    out.rTrain.set(part.rTrain, first);
    out.rValid.set(part.rValid, first);
    out.nTrain.set(part.nTrain, first);
    out.nValid.set(part.nValid, first);
    first += e.m;
  });
  return out;
}

/**
 * Per-allele summary statistics of one half, for refitting on it (the target ancestry's own fit
 * must be trained on r_t, not on the full GWAS that r_v is part of): b = r·s, se = s·sqrt((1 − r²)/N)
 * with the original GWAS's scale s_j, so that b/sqrt(N se² + b²) gives back r exactly and the
 * QC variance rule 2f(1−f)(N se² + b²) sees the same s_j as in the full GWAS.
 */
export function halfSummaryStats(r: Float64Array, n: Float64Array, scale: Float64Array): { b: Float64Array; se: Float64Array; n: Float64Array } {
  const m = r.length;
  if (n.length !== m || scale.length !== m) throw new MetricInputError(`${m} correlations, ${n.length} sample sizes, ${scale.length} scales`);
  const b = new Float64Array(m);
  const se = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const rj = r[j]!;
    if (!(Math.abs(rj) < 1)) throw new MetricInputError(`SNP ${j}: split correlation ${rj} is outside (−1, 1); the GWAS is too small for this training fraction`);
    b[j] = rj * scale[j]!;
    se[j] = scale[j]! * Math.sqrt((1 - rj * rj) / n[j]!);
  }
  return { b, se, n: Float64Array.from(n) };
}

/**
 * Block `b` (0-based) of an LD folder, validated by the block reader, truncated to `cutoff` when
 * given (at most the stored cut-off). The I/O edge of this module: everything else is pure.
 */
export async function readPanelBlock(panel: LdFolder, b: number, cutoff?: number): Promise<EigenBlock> {
  const file = panel.eigenFiles[b];
  if (file === undefined) throw new MetricInputError(`block ${b} is not in the LD panel ${panel.dir} (${panel.eigenFiles.length} blocks)`);
  const eigen = await readEigenBlock(file, panel.info.numSnps[b]);
  return cutoff === undefined ? eigen : truncateEigen(eigen, cutoff, file);
}

function trainFraction(options: SplitOptions): number {
  const f = options.trainFraction ?? DEFAULT_TRAIN_FRACTION;
  if (!(f > 0 && f < 1)) throw new MetricInputError(`training fraction must be in (0, 1), got ${f}`);
  return f;
}

/** Shape and eigenvalue checks shared with summaryWeights.ts. */
export function checkEigen(e: BlockEigen, what: string): void {
  if (!Number.isInteger(e.m) || !Number.isInteger(e.k) || e.m < 0 || e.k < 0 || e.k > e.m) throw new MetricInputError(`${what}: eigen decomposition of ${e.k} pairs for ${e.m} SNPs`);
  if (e.values.length < e.k || e.vectors.length < e.m * e.k) {
    throw new MetricInputError(`${what}: ${e.values.length} eigenvalues and ${e.vectors.length} vector entries for k = ${e.k}, m = ${e.m}`);
  }
  for (let i = 0; i < e.k; i++) {
    const v = e.values[i]!;
    if (!(v >= 0) || !Number.isFinite(v)) throw new MetricInputError(`${what}: eigenvalue ${i + 1} is ${v}; LD eigenvalues must be finite and ≥ 0`);
  }
}
