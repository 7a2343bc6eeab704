// What the sampler sees: per-block low-rank likelihoods over contiguous SNP ranges, the
// standardised marginal effects (for the convergence guard) and optional annotations.
import type { LowRankBlock } from './lowRank.js';
import type { Annotations } from './probit.js';
import type { QSpill } from './qSpill.js';

export interface ProblemBlock extends LowRankBlock {
  /** Index of the block's first SNP in the problem's SNP order. */
  first: number;
  /** Offset of the block's residual in the chain's concatenated residual vector. */
  rOffset: number;
}

export interface SbayesProblem {
  nSnps: number;
  blocks: ProblemBlock[];
  /** b̂ of every SNP (problem order). */
  bhat: Float64Array;
  annotations: Annotations | null;
  /** Out of core: the blocks' Q live in this spill file (their `q` is empty); null when resident. */
  qSpill: QSpill | null;
}

/** Lay blocks out back to back (SNPs and residual coordinates). */
export function assembleProblem(blocks: readonly LowRankBlock[], bhat: Float64Array, annotations: Annotations | null, qSpill: QSpill | null = null): SbayesProblem {
  let first = 0;
  let rOffset = 0;
  const out: ProblemBlock[] = [];
  for (const b of blocks) {
    out.push({ ...b, first, rOffset });
    first += b.m;
    rOffset += b.k;
  }
  if (first !== bhat.length) throw new RangeError(`blocks cover ${first} SNPs but b̂ has ${bhat.length}`);
  if (annotations && annotations.a.length !== first * annotations.nA) throw new RangeError('annotation matrix does not match the SNP count');
  if (qSpill && qSpill.floats.some((f, b) => f !== out[b]!.m * out[b]!.k)) throw new RangeError('Q spill does not match the blocks');
  return { nSnps: first, blocks: out, bhat, annotations, qSpill };
}

export function residualLength(p: SbayesProblem): number {
  const last = p.blocks[p.blocks.length - 1];
  return last ? last.rOffset + last.k : 0;
}
