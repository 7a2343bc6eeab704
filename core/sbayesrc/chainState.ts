// The complete state of one chain: everything a resumed run needs to continue bit-identically.
import { Rng } from '../numeric/random/rng.js';
import { N_COMPONENTS, START_PI, START_SIGMA2G } from './mixture.js';
import { N_LEVELS, initialAlpha } from './probit.js';
import { residualLength, type SbayesProblem } from './problem.js';

/**
 * Indices into `ChainState.stats` (posterior accumulators of scalars): sums and sums of squares
 * over the kept draws. From `parDraws` on, the per-draw quantities of the reference's .par
 * (SigmaSq, ssq, Var_e; π, SNPs and share of Σβ² per component, `N_COMPONENTS` each) with
 * their own draw count: a checkpoint written before they existed has only the first five, and
 * restores with the rest zero, so they then cover the draws made after the resume.
 */
export const STAT = {
  draws: 0,
  h2: 1,
  h2Sq: 2,
  nnz: 3,
  nnzSq: 4,
  parDraws: 5,
  sigmaSq: 6,
  sigmaSqSq: 7,
  ssq: 8,
  ssqSq: 9,
  varE: 10,
  varESq: 11,
  pi: 12,
  piSq: 12 + N_COMPONENTS,
  count: 12 + 2 * N_COMPONENTS,
  countSq: 12 + 3 * N_COMPONENTS,
  share: 12 + 4 * N_COMPONENTS,
  shareSq: 12 + 5 * N_COMPONENTS,
} as const;
export const N_STATS = 12 + 6 * N_COMPONENTS;
/** Length of `stats` in checkpoints written before the .par accumulators (restored zero-padded). */
export const N_STATS_V1 = 5;

/** PRNG stream key of the hyper-parameter (global) stream; blocks use their index. */
export const GLOBAL_STREAM = -1;

export interface ChainState {
  seed: number;
  /** Sweeps completed. */
  sweep: number;
  beta: Float64Array;
  delta: Uint8Array;
  /** 1 = removed for good by the convergence guard. */
  removed: Uint8Array;
  /** r_b = w_b − Q_b β_b, blocks back to back. */
  residual: Float64Array;
  sigma2e: Float64Array;
  sigma2g: number;
  /** Shared π (no annotations); with annotations the last posterior-mean-free draw is unused. */
  pi: Float64Array;
  /** α[c·nA + t] (empty without annotations). */
  alpha: Float64Array;
  sigma2Alpha: Float64Array;
  /** PRNG states: 4 words per block, then 4 for the global stream. */
  rng: Uint32Array;
  /** Post-burn-in sums: β, β², 1[δ > 0]. */
  betaSum: Float64Array;
  beta2Sum: Float64Array;
  pipSum: Float64Array;
  /** Sum of β over every sweep (burn-in included): the guard's running mean. */
  runningSum: Float64Array;
  /** Post-burn-in sums of π (mean π over SNPs with annotations), α. */
  piSum: Float64Array;
  alphaSum: Float64Array;
  /** Post-burn-in sums per component: SNP counts [0..4], then Σβ² [5..9]. */
  componentSum: Float64Array;
  /** Post-burn-in sums of σ²e per block. */
  sigma2eSum: Float64Array;
  /** Post-burn-in sums of each annotation's per-SNP heritability enrichment (see sampler). */
  enrichmentSum: Float64Array;
  /** Post-burn-in sums of each annotation's joint membership probabilities (SNP with intercept + t only): [t·5 + k]. */
  jointSum: Float64Array;
  /** Post-burn-in traces for diagnostics: h², nnz, mean σ²e over blocks, per draw (TRACE_WIDTH per draw). */
  trace: Float64Array;
  stats: Float64Array;
}

export const TRACE_WIDTH = 3;

/** `draws` = post-burn-in sweeps to keep traces for (0: no traces). */
export function initChain(p: SbayesProblem, seed: number, draws = 0): ChainState {
  const nB = p.blocks.length;
  const rng = new Uint32Array(4 * (nB + 1));
  p.blocks.forEach((_, b) => rng.set(Rng.stream(seed, b).state(), 4 * b));
  rng.set(Rng.stream(seed, GLOBAL_STREAM).state(), 4 * nB);
  const residual = new Float64Array(residualLength(p));
  for (const b of p.blocks) residual.set(b.w, b.rOffset);
  const nA = p.annotations?.nA ?? 0;
  return {
    seed,
    sweep: 0,
    beta: new Float64Array(p.nSnps),
    delta: new Uint8Array(p.nSnps),
    removed: new Uint8Array(p.nSnps),
    residual,
    sigma2e: new Float64Array(nB).fill(1),
    sigma2g: START_SIGMA2G,
    pi: Float64Array.from(START_PI),
    alpha: nA > 0 ? initialAlpha(nA) : new Float64Array(0),
    sigma2Alpha: new Float64Array(nA > 0 ? N_LEVELS : 0).fill(1),
    rng,
    betaSum: new Float64Array(p.nSnps),
    beta2Sum: new Float64Array(p.nSnps),
    pipSum: new Float64Array(p.nSnps),
    runningSum: new Float64Array(p.nSnps),
    piSum: new Float64Array(N_COMPONENTS),
    alphaSum: new Float64Array(N_LEVELS * nA),
    componentSum: new Float64Array(2 * N_COMPONENTS),
    sigma2eSum: new Float64Array(nB),
    enrichmentSum: new Float64Array(nA),
    jointSum: new Float64Array(nA * N_COMPONENTS),
    trace: new Float64Array(TRACE_WIDTH * draws),
    stats: new Float64Array(N_STATS),
  };
}
