// One Gibbs pass over the SNPs of one block, then its residual variance. Touches only the
// block's slice of the chain state and its own PRNG stream, so blocks can run in any order
// or in parallel with identical results.
import type { Rng } from '../numeric/random/rng.js';
import { componentConstants, drawSnp, logWeights, N_COMPONENTS, type ComponentConstants, type SnpDraw } from './mixture.js';
import type { ProblemBlock } from './problem.js';
import { residualVariance } from './variance.js';
import type { ChainState } from './chainState.js';
import { jsAxpy, jsDot, type WasmKernel } from './wasmKernel.js';

export interface BlockResult {
  /** ‖Q_b β_b‖² after the pass. */
  geneticVariance: number;
  /** SNPs per component after the pass (removed SNPs not counted). */
  counts: Float64Array;
}

/** The parts of the chain state a block pass reads and writes. */
export type BlockState = Pick<ChainState, 'residual' | 'beta' | 'delta' | 'removed' | 'sigma2e'>;

/** Scratch reused across blocks and sweeps. */
export interface SweepScratch {
  g: Float64Array;
  cc: ComponentConstants;
  draw: SnpDraw;
}

/** Where the block's Q (and a residual buffer) sit in a WebAssembly kernel's memory. */
export interface KernelPlacement {
  kern: WasmKernel;
  /** Byte offsets of Q (m·k float32) and of the residual buffer (≥ k float64). */
  qAt: number;
  rAt: number;
}

export function sweepScratch(): SweepScratch {
  return {
    g: new Float64Array(N_COMPONENTS),
    cc: { l: new Float64Array(N_COMPONENTS), half: new Float64Array(N_COMPONENTS) },
    draw: { delta: 0, beta: 0 },
  };
}

/**
 * `sigma2` = γ_k σ²g per component; `logPi` is shared (piStride 0) or per SNP (piStride 5,
 * indexed by the SNP's problem index). Writes counts into `out`.
 */
export function sweepBlock(
  blk: ProblemBlock,
  blockIndex: number,
  st: BlockState,
  sigma2: ArrayLike<number>,
  logPi: Float64Array,
  piStride: number,
  rng: Rng,
  sc: SweepScratch,
  out: BlockResult,
  place: KernelPlacement | null = null,
): void {
  const { m, k, q, first, rOffset: ro } = blk;
  const r = st.residual;
  // With a kernel the residual is worked on in its memory and copied back at the end.
  const kern = place?.kern ?? null;
  const rAt = place?.rAt ?? 0;
  const qAt = place?.qAt ?? 0;
  if (kern) kern.f64.set(r.subarray(ro, ro + k), rAt / 8);
  const beta = st.beta;
  const delta = st.delta;
  const removed = st.removed;
  const c = blk.n / st.sigma2e[blockIndex]!;
  const cc = componentConstants(c, sigma2, sc.cc);
  const { g, draw } = sc;
  const counts = out.counts;
  counts.fill(0);
  let sumBeta2 = 0;
  for (let j = 0; j < m; j++) {
    const s = first + j;
    if (removed[s] === 1) continue;
    const off = j * k;
    const dot = kern ? kern.dot(qAt + 4 * off, rAt, k) : jsDot(q, off, r, ro, k);
    const old = beta[s]!;
    // Q_jᵀQ_j is taken as 1 (R̃_jj of a correlation matrix), as in the reference.
    const rhs = c * (dot + old);
    logWeights(rhs, cc, logPi, s * piStride, g);
    drawSnp(rhs, g, cc.l, rng, draw);
    const next = draw.beta;
    if (next !== old) {
      const d = old - next;
      if (kern) kern.axpy(qAt + 4 * off, rAt, k, d);
      else jsAxpy(q, off, r, ro, k, d);
      beta[s] = next;
    }
    delta[s] = draw.delta;
    counts[draw.delta]!++;
    sumBeta2 += next * next;
  }
  if (kern) r.set(kern.f64.subarray(rAt / 8, rAt / 8 + k), ro);
  // Q β = w − r, so βᵀR̃β and ‖r‖² come from the k-vectors without another product with Q.
  let quad = 0;
  let rss = 0;
  for (let i = 0; i < k; i++) {
    const ri = r[ro + i]!;
    const f = blk.w[i]! - ri;
    quad += f * f;
    rss += ri * ri;
  }
  out.geneticVariance = quad;
  st.sigma2e[blockIndex] = residualVariance(blk.n, rss, k, sumBeta2, quad, rng);
}
