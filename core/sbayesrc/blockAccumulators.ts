// Posterior accumulation of one block, done right after its sweep by whichever thread swept it,
// so the per-SNP work runs in parallel with the other blocks. Per-SNP sums go straight into the
// chain state (each block owns its slice); sums over SNPs go into the block's row of a partials
// array that finishSweep adds up in block order — the same numbers for any thread count.
import type { ChainState } from './chainState.js';
import { N_COMPONENTS } from './mixture.js';
import type { Annotations } from './probit.js';
import type { ProblemBlock } from './problem.js';

/**
 * Layout of a block's row of partial sums: SNPs kept (not removed), then after burn-in the
 * SNPs and Σβ² per component, Σπ_j per component (annotations), Σβ², and per annotation
 * column t: Σ a_t β², Σ a_t, Σ a_t².
 */
export const PART = { kept: 0, count: 1, beta2: 1 + N_COMPONENTS, pi: 1 + 2 * N_COMPONENTS, total: 1 + 3 * N_COMPONENTS, annot: 2 + 3 * N_COMPONENTS } as const;

export function partialsStride(nA: number): number {
  return PART.annot + 3 * nA;
}

/**
 * Per block, Σ a_t and Σ a_t² over its kept SNPs (2·nA apart: all Σ a_t, then all Σ a_t²) and
 * whether they are current: they change only when the guard removes a SNP, so they are summed
 * once per block (in SNP order, as a per-sweep sum would be) rather than every sweep.
 */
export interface BlockMoments {
  blockMoments: Float64Array;
  blockMomentsValid: Uint8Array;
}

/** The chain state's per-SNP arrays a block's accumulation touches (shared with workers). */
export type AccumulatedState = Pick<ChainState, 'beta' | 'delta' | 'removed' | 'runningSum' | 'betaSum' | 'beta2Sum' | 'pipSum'>;

/**
 * After block `b`'s sweep: the guard's running sum (every sweep), and after burn-in the
 * per-SNP sums and the block's partial sums (row b of `partials`, `stride` wide).
 */
export function accumulateBlock(
  blk: ProblemBlock,
  b: number,
  st: AccumulatedState,
  postBurnIn: boolean,
  snpPi: Float64Array,
  ann: Annotations | null,
  partials: Float64Array,
  stride: number,
  moments: BlockMoments,
): void {
  const { first, m } = blk;
  const row = b * stride;
  partials.fill(0, row, row + stride);
  const { beta, delta, removed, runningSum } = st;
  let kept = 0;
  for (let s = first; s < first + m; s++) {
    runningSum[s]! += beta[s]!;
    kept += 1 - removed[s]!;
  }
  partials[row + PART.kept] = kept;
  if (!postBurnIn) return;
  const { betaSum, beta2Sum, pipSum } = st;
  const nA = ann?.nA ?? 0;
  const a = ann?.a;
  let total = 0;
  const at = row + PART.annot;
  for (let s = first; s < first + m; s++) {
    const bs = beta[s]!;
    const b2 = bs * bs;
    betaSum[s]! += bs;
    beta2Sum[s]! += b2;
    if (removed[s] === 1) continue;
    const d = delta[s]!;
    if (d > 0) pipSum[s]!++;
    partials[row + PART.count + d]!++;
    partials[row + PART.beta2 + d]! += b2;
    total += b2;
    if (!a) continue;
    for (let k = 0; k < N_COMPONENTS; k++) partials[row + PART.pi + k]! += snpPi[s * N_COMPONENTS + k]!;
    // Σ a_t β²: SNPs at β = 0 add ±0, which leaves the sum as it is.
    if (b2 === 0) continue;
    for (let t = 0; t < nA; t++) partials[at + 3 * t]! += a[s * nA + t]! * b2;
  }
  partials[row + PART.total] = total;
  if (!a) return;
  const mo = b * 2 * nA;
  if (moments.blockMomentsValid[b] !== 1) {
    moments.blockMoments.fill(0, mo, mo + 2 * nA);
    for (let s = first; s < first + m; s++) {
      if (removed[s] === 1) continue;
      for (let t = 0; t < nA; t++) {
        const x = a[s * nA + t]!;
        moments.blockMoments[mo + t]! += x;
        moments.blockMoments[mo + nA + t]! += x * x;
      }
    }
    moments.blockMomentsValid[b] = 1;
  }
  for (let t = 0; t < nA; t++) {
    partials[at + 3 * t + 1] = moments.blockMoments[mo + t]!;
    partials[at + 3 * t + 2] = moments.blockMoments[mo + nA + t]!;
  }
}
