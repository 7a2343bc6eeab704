// Pseudo-validation choice of the eigen cut-off (DESIGN §5.3). The GWAS is split in silico into
// a 90 % training and a 10 % validation GWAS: b̂_t = b̂ + sqrt(1/n_t − 1/N)·e with e ~ N(0, R̃)
// has exactly the law of a GWAS on n_t of the N samples, and b̂_v = (N b̂ − n_t b̂_t)/(N − n_t)
// is then the remaining samples' GWAS, independent of b̂_t. Short SBayesR chains at each
// cut-off are scored against b̂_v. Where the reference package aborts (no positive score, best
// at the grid minimum) we extend the grid downward or fall back to 0.995, and say why. Eigen
// blocks are asked for one at a time, so a streaming caller never holds the whole panel.
import { rm } from 'node:fs/promises';
import { truncateEigen } from '../ld/eigenCutoff.js';
import type { EigenBlock } from '../formats/types.js';
import { Rng } from '../numeric/random/rng.js';
import { initChain } from './chainState.js';
import { buildLowRankBlocks, type LdMemoryMode } from './ldSource.js';
import { posteriorSummary } from './posterior.js';
import { assembleProblem } from './problem.js';
import { runChain } from './sampler.js';
import { blockSampleSize } from './standardise.js';
import type { TuneResult } from '../../contracts/fit.js';
import type { CutoffScore, CutoffChoice } from '../../contracts/fit.js';

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
  const split = emptySplit(bhat.length);
  let first = 0;
  blocks.forEach((e, b) => {
    splitBlock(e, b, first, bhat, n, seed, split);
    first += e.m;
  });
  return split;
}

const emptySplit = (m: number): PseudoSplit => ({ train: new Float64Array(m), valid: new Float64Array(m), nTrain: new Float64Array(m) });

/** Block b's part of the split (its SNPs from `first`): one block's eigenpairs at a time. */
function splitBlock(e: EigenBlock, b: number, first: number, bhat: Float64Array, n: Float64Array, seed: number, out: PseudoSplit): void {
  const { train, valid, nTrain } = out;
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

/**
 * The panel as tuning reads it: block i's eigenpairs at the stored cut-off, read (or handed out
 * from memory) when asked for, so streaming callers hold one block at a time; Q at each cut-off
 * is kept in memory or, in stream mode, spilled to `spillPath` (removed after each cut-off).
 */
export interface TuneLd {
  count: number;
  eigenAt: (i: number) => Promise<EigenBlock>;
  /** Block i's eigen file (named in errors). */
  files: readonly string[];
  start: readonly number[];
  end: readonly number[];
  mode: LdMemoryMode;
  spillPath: string;
}

/** Score each cut-off (extending the grid when asked) and choose. Blocks must be stored at ≥ the largest grid value. */
export async function tuneCutoff(ld: TuneLd, bhat: Float64Array, n: Float64Array, seed: number, grid: readonly number[] = DEFAULT_TUNE_GRID): Promise<TuneResult> {
  const top = Math.max(...grid);
  const split = emptySplit(bhat.length);
  for (let b = 0; b < ld.count; b++) {
    const e = await ld.eigenAt(b);
    splitBlock(truncateEigen(e, Math.min(top, e.cutoff), ld.files[b]!), b, ld.start[b]!, bhat, n, seed, split);
  }
  const scores: CutoffScore[] = [];
  const score = async (cutoff: number): Promise<void> => {
    const built = await buildLowRankBlocks({
      count: ld.count,
      eigenAt: async (i) => truncateEigen(await ld.eigenAt(i), cutoff, ld.files[i]!),
      start: ld.start,
      end: ld.end,
      bhat: split.train,
      blockN: (first, end) => blockSampleSize(split.nTrain, first, end),
      mode: ld.mode,
      shared: false,
      spillPath: ld.spillPath,
    });
    try {
      const p = assembleProblem(built.blocks, split.train, null, built.spill);
      const st = initChain(p, seed + TUNE_CHAIN_SEED_OFFSET);
      runChain(p, st, TUNE_SWEEPS);
      scores.push({ cutoff, r: pseudoValidationScore(posteriorSummary(st).mean, split.valid) });
    } finally {
      if (built.spill) await rm(ld.spillPath, { force: true });
    }
  };
  for (const c of grid) await score(c);
  for (;;) {
    const choice = chooseCutoff(scores);
    if (choice.decision !== 'extend') return { ...choice, scores };
    await score(Math.round((choice.cutoff - EXTEND_STEP) * 1e6) / 1e6);
  }
}
