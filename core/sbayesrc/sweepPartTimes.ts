// Where a sweep's time goes, for the scale bench: milliseconds per part summed over the sweeps
// this thread ran while timing is on. Off (null) by default: one null check per block.
export const SWEEP_PART = {
  /** log π of each SNP from α (annotations, native kernel). */
  logPi: 0,
  /** The block sweeps proper: Qᵀr, mixture draws, residual updates, σ²e. */
  ldSweep: 1,
  /** The probit model's liabilities and their sufficient statistics per block. */
  liabilities: 2,
  /** Posterior accumulation per block. */
  accumulate: 3,
  /** The main thread's prepareSweep and finishSweep, annotation model update excluded. */
  serial: 4,
  /** The Gibbs update of α from the blocks' statistics (main thread). */
  annotationUpdate: 5,
} as const;
export const SWEEP_PART_COUNT = 6;

let times: Float64Array | null = null;

/** Starts (zeroed) or stops timing in this thread; returns the array being filled, or null. */
export function timeSweepParts(on: boolean): Float64Array | null {
  times = on ? new Float64Array(SWEEP_PART_COUNT) : null;
  return times;
}

/** Adds the time since `since` (performance.now()) to `part` when timing; returns now. */
export function markPart(part: number, since: number): number {
  if (!times) return since;
  const now = performance.now();
  times[part]! += now - since;
  return now;
}

export function timingParts(): boolean {
  return times !== null;
}
