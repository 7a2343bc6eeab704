// Pseudo-validation choice of the eigen cut-off (DESIGN §5.3). The GWAS is split in silico into
// a 90 % training and a 10 % validation GWAS: b̂_t = b̂ + sqrt(1/n_t − 1/N)·e with e ~ N(0, R̃)
// has exactly the law of a GWAS on n_t of the N samples, and b̂_v = (N b̂ − n_t b̂_t)/(N − n_t)
// is then the remaining samples' GWAS, independent of b̂_t. Short SBayesR chains at each
// cut-off are scored against b̂_v. Where the reference package aborts (no positive score, best
// at the grid minimum) we extend the grid downward or fall back to 0.995, and say why.
import { truncateEigen } from '../ingest/formats/ldFolder.js';
import type { EigenBlock } from '../ingest/formats/types.js';
import { Rng } from '../random/rng.js';
import { initChain } from './chainState.js';
import { lowRankBlock } from './lowRank.js';
import { posteriorSummary } from './posterior.js';
import { assembleProblem } from './problem.js';
import { runChain } from './sampler.js';
import { blockSampleSize } from './standardise.js';

export const DEFAULT_TUNE_GRID: readonly number[] = [0.995, 0.99, 0.95, 0.9];
export const TUNE_BASELINE = 0.995;
export const TUNE_MIN_GAIN = 1.25;
export const TUNE_SWEEPS = { iterations: 150, burnIn: 100 } as const;
export const TRAIN_FRACTION = 0.9;
/** Grid extension step and floor when the best cut-off is the grid minimum. */
export const EXTEND_STEP = 0.05;
export const EXTEND_FLOOR = 0.7;
/** PRNG stream keys: (seed, TUNE_SPLIT_STREAM, block) for the split, (seed + TUNE_CHAIN_SEED_OFFSET) for the chains. */
export const TUNE_SPLIT_STREAM = -2;
export const TUNE_CHAIN_SEED_OFFSET = 7919;

export interface PseudoSplit {
  train: Float64Array;
  valid: Float64Array;
  /** Per-SNP training sample size n_t = 0.9 N. */
  nTrain: Float64Array;
}

/** `blocks` are the panel's eigen blocks in SNP order (contiguous), at the cut-off used for R̃. */
export function pseudoSplit(blocks: readonly EigenBlock[], bhat: Float64Array, n: Float64Array, seed: number): PseudoSplit {
  const train = new Float64Array(bhat.length);
  const valid = new Float64Array(bhat.length);
  const nTrain = new Float64Array(bhat.length);
  let first = 0;
  blocks.forEach((e, b) => {
    const rng = Rng.stream(seed, TUNE_SPLIT_STREAM, b);
    const z = new Float64Array(e.k);
    for (let i = 0; i < e.k; i++) z[i] = rng.normal();
    for (let j = 0; j < e.m; j++) {
      // e_j = (U Λ^{1/2} z)_j ~ N(0, R̃).
      let ej = 0;
      for (let i = 0; i < e.k; i++) ej += e.vectors[i * e.m + j]! * Math.sqrt(e.values[i]!) * z[i]!;
      const s = first + j;
      const nn = n[s]!;
      const nt = TRAIN_FRACTION * nn;
      nTrain[s] = nt;
      train[s] = bhat[s]! + Math.sqrt(1 / nt - 1 / nn) * ej;
      valid[s] = (nn * bhat[s]! - nt * train[s]!) / (nn - nt);
    }
    first += e.m;
  });
  return { train, valid, nTrain };
}

/** r = β̄·b̂_v/‖β̄‖ (NaN when β̄ = 0). */
export function pseudoValidationScore(beta: Float64Array, valid: Float64Array): number {
  let dot = 0;
  let norm = 0;
  for (let j = 0; j < beta.length; j++) {
    dot += beta[j]! * valid[j]!;
    norm += beta[j]! * beta[j]!;
  }
  return norm > 0 ? dot / Math.sqrt(norm) : NaN;
}

export interface CutoffScore {
  cutoff: number;
  r: number;
}

export interface CutoffChoice {
  cutoff: number;
  /** 'baseline', 'better', 'fallback: …' or 'extend' (the caller should score lower cut-offs and ask again). */
  decision: 'baseline' | 'better' | 'fallback' | 'extend';
  reason: string;
}

/**
 * The rule on a set of scores: move off 0.995 only when the best score relative to 0.995's
 * exceeds 1.25. No finite positive score → fall back to 0.995. A winning cut-off at the grid
 * minimum → 'extend' while above EXTEND_FLOOR, else fall back.
 */
export function chooseCutoff(scores: readonly CutoffScore[]): CutoffChoice {
  const valid = scores.filter((s) => Number.isFinite(s.r) && s.r > 0);
  if (valid.length === 0) return { cutoff: TUNE_BASELINE, decision: 'fallback', reason: 'no cut-off gave a positive pseudo-validation score; kept 0.995' };
  const base = scores.find((s) => s.cutoff === TUNE_BASELINE);
  const best = valid.reduce((a, b) => (b.r > a.r ? b : a));
  if (!base || !(Number.isFinite(base.r) && base.r > 0)) {
    if (best.cutoff === Math.min(...scores.map((s) => s.cutoff))) return atMinimum(best);
    return { cutoff: best.cutoff, decision: 'better', reason: `0.995 scored ${String(base?.r)}; best positive score at ${best.cutoff}` };
  }
  if (best.cutoff === TUNE_BASELINE || best.r / base.r <= TUNE_MIN_GAIN) {
    return { cutoff: TUNE_BASELINE, decision: 'baseline', reason: `best relative score ${(best.r / base.r).toFixed(3)} at ${best.cutoff} does not exceed ${TUNE_MIN_GAIN}` };
  }
  if (best.cutoff === Math.min(...scores.map((s) => s.cutoff))) return atMinimum(best);
  return { cutoff: best.cutoff, decision: 'better', reason: `relative score ${(best.r / base.r).toFixed(3)} at ${best.cutoff} exceeds ${TUNE_MIN_GAIN}` };
}

function atMinimum(best: CutoffScore): CutoffChoice {
  if (best.cutoff - EXTEND_STEP >= EXTEND_FLOOR - 1e-12) {
    return { cutoff: best.cutoff, decision: 'extend', reason: `best cut-off ${best.cutoff} is the grid minimum; extending the grid` };
  }
  return { cutoff: TUNE_BASELINE, decision: 'fallback', reason: `best cut-off ${best.cutoff} is at the grid floor ${EXTEND_FLOOR}; kept 0.995 (LD panel and GWAS likely mismatched)` };
}

export interface TuneResult extends CutoffChoice {
  scores: CutoffScore[];
}

/** Score each cut-off (extending the grid when asked) and choose. Blocks must be stored at ≥ the largest grid value. */
export function tuneCutoff(blocks: readonly EigenBlock[], bhat: Float64Array, n: Float64Array, seed: number, grid: readonly number[] = DEFAULT_TUNE_GRID): TuneResult {
  const top = Math.max(...grid);
  const split = pseudoSplit(blocks.map((b) => truncateEigen(b, Math.min(top, b.cutoff), 'tune')), bhat, n, seed);
  const scores: CutoffScore[] = [];
  const score = (cutoff: number): void => {
    let first = 0;
    const low = blocks.map((e) => {
      const t = truncateEigen(e, cutoff, `eigen block at cut-off ${cutoff}`);
      const blk = lowRankBlock(t, split.train.subarray(first, first + e.m), blockSampleSize(split.nTrain, first, first + e.m));
      first += e.m;
      return blk;
    });
    const p = assembleProblem(low, split.train, null);
    const st = initChain(p, seed + TUNE_CHAIN_SEED_OFFSET);
    runChain(p, st, TUNE_SWEEPS);
    scores.push({ cutoff, r: pseudoValidationScore(posteriorSummary(st).mean, split.valid) });
  };
  for (const c of grid) score(c);
  for (;;) {
    const choice = chooseCutoff(scores);
    if (choice.decision !== 'extend') return { ...choice, scores };
    score(Math.round((choice.cutoff - EXTEND_STEP) * 1e6) / 1e6);
  }
}
