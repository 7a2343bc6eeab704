// The per-sweep hand-over between the main thread and block workers, in shared memory: the
// hyper-parameters every block needs (γσ²g, the log-π stride, α for the native kernel's own
// log π) as one Float64Array, and Int32 control words for Atomics.wait / notify.
import { N_COMPONENTS } from './mixture.js';
import type { SweepParams } from './sampler.js';

/** Command word value that tells workers to leave their loop. */
export const CTRL_STOP = -1;
/** A worker's done word after its sweep threw (the error follows as a message). */
export const WORKER_FAILED = -2;

/** Layout: sigma2[5], piStride, alpha length (−1: null), alpha… */
export function paramsBuffer(alphaLength: number): Float64Array {
  return new Float64Array(new SharedArrayBuffer(8 * (N_COMPONENTS + 2 + alphaLength)));
}

export function writeParams(p: SweepParams, out: Float64Array): void {
  for (let k = 0; k < N_COMPONENTS; k++) out[k] = p.sigma2[k]!;
  out[N_COMPONENTS] = p.piStride;
  out[N_COMPONENTS + 1] = p.alpha ? p.alpha.length : -1;
  if (p.alpha) out.set(p.alpha, N_COMPONENTS + 2);
}

export function readParams(buf: Float64Array): SweepParams {
  const n = buf[N_COMPONENTS + 1]!;
  return {
    sigma2: Array.from(buf.subarray(0, N_COMPONENTS)),
    piStride: buf[N_COMPONENTS]!,
    alpha: n < 0 ? null : Float64Array.from(buf.subarray(N_COMPONENTS + 2, N_COMPONENTS + 2 + n)),
  };
}
