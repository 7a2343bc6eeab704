// Blocks over --max-block-snps are cut at their largest base-pair gap, and the halves again
// until every part fits: the largest gap is where LD across the cut is likely weakest, so the
// panel loses the least correlation there. A tie goes to the gap nearest the middle, which
// keeps parts balanced when SNPs are evenly spaced.
import type { SplitCut } from '../../contracts/ld.js';

export interface BlockParts {
  /** Start offset of each part in the block's position-sorted SNPs, then the SNP count. */
  bounds: number[];
  /** Cuts in position order (bounds.length − 2 of them). */
  cuts: SplitCut[];
}

/** `pos`: the block's SNP positions, ascending. */
export function splitAtLargestGaps(pos: Int32Array, maxSnps: number): BlockParts {
  if (!(Number.isInteger(maxSnps) && maxSnps >= 1)) throw new RangeError(`max block SNPs must be a positive integer, got ${maxSnps}`);
  const starts: number[] = [];
  // Explicit stack, right half pushed first so parts come out in position order.
  const stack: [number, number][] = [[0, pos.length]];
  while (stack.length > 0) {
    const [lo, hi] = stack.pop()!;
    if (hi - lo <= maxSnps) {
      if (hi > lo) starts.push(lo);
      continue;
    }
    const cut = largestGap(pos, lo, hi);
    stack.push([cut, hi], [lo, cut]);
  }
  const bounds = [...starts, pos.length];
  const cuts = starts.slice(1).map((s) => ({ leftBp: pos[s - 1]!, rightBp: pos[s]! }));
  return { bounds, cuts };
}

/** Index of the first SNP after the largest gap in pos[lo, hi) (hi − lo ≥ 2). */
function largestGap(pos: Int32Array, lo: number, hi: number): number {
  const mid = (lo + hi) / 2;
  let best = lo + 1;
  let bestGap = -1;
  for (let i = lo + 1; i < hi; i++) {
    const gap = pos[i]! - pos[i - 1]!;
    if (gap > bestGap || (gap === bestGap && Math.abs(i - mid) < Math.abs(best - mid))) {
      best = i;
      bestGap = gap;
    }
  }
  return best;
}
