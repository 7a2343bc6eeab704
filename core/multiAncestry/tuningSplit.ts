// Target samples split into tuning (fits the ancestry mixing weights) and test (reports the
// metrics): a seeded shuffle, exactly round(n·fraction) tuning samples, so the same seed and
// sample list always give the same split.
import { Rng } from '../numeric/random/rng.js';

/** PRNG stream key of the split (taken: simulate 1–7, folds 11, SBayesRC −1…−3; SBayesRC blocks use their index). */
export const STREAM_TUNING_SPLIT = 12;

export interface TuningSplit {
  /** Sample indices, ascending. */
  tuning: Int32Array;
  test: Int32Array;
}

export function splitTuningTest(n: number, fraction: number, seed: number): TuningSplit {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`sample count must be a non-negative integer, got ${n}`);
  if (!(fraction > 0 && fraction < 1)) throw new RangeError(`tuning fraction must be in (0, 1), got ${fraction}`);
  const order = Int32Array.from({ length: n }, (_, i) => i);
  Rng.stream(seed, STREAM_TUNING_SPLIT).shuffle(order);
  const nTune = Math.round(n * fraction);
  return { tuning: order.slice(0, nTune).sort(), test: order.slice(nTune).sort() };
}
