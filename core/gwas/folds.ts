// Cross-validation folds: a seeded shuffle dealt round-robin, so folds are disjoint and their
// sizes differ by at most one. For binary traits cases are dealt first, then controls continue
// the rotation, which stratifies by case status while keeping the size guarantee.
import { Rng } from '../numeric/random/rng.js';

export const STREAM_FOLDS = 11;

/**
 * Fold (0..k−1) of each of `n` samples. `caseStatus` (1 case, 0 control, other = unknown,
 * dealt last) stratifies binary traits.
 */
export function assignFolds(n: number, k: number, seed: number, caseStatus?: Uint8Array): Int32Array {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`fold count must be a positive integer, got ${k}`);
  const rng = Rng.stream(seed, STREAM_FOLDS);
  const folds = new Int32Array(n).fill(-1);
  const strata: number[][] = caseStatus ? [[], [], []] : [[]];
  for (let i = 0; i < n; i++) {
    if (!caseStatus) strata[0]!.push(i);
    else strata[caseStatus[i] === 1 ? 0 : caseStatus[i] === 0 ? 1 : 2]!.push(i);
  }
  let next = 0;
  for (const stratum of strata) {
    const order = Int32Array.from(stratum);
    rng.shuffle(order);
    for (const i of order) {
      folds[i] = next;
      next = (next + 1) % k;
    }
  }
  return folds;
}
