// Allele frequencies per ancestry under the Balding–Nichols model: an ancestral frequency
// p ~ U(0.05, 0.95), then per population Beta(p(1−F)/F, (1−p)(1−F)/F), giving F_ST ≈ F.
import { Rng } from '../numeric/random/rng.js';

export const STREAM_FREQUENCIES = 6;

export interface Frequencies {
  ancestral: Float64Array;
  /** One array per ancestry; clamped to [0.005, 0.995] so every SNP stays polymorphic. */
  perAncestry: Float64Array[];
}

export function baldingNichols(nSnps: number, nAncestries: number, fst: number, seed: number): Frequencies {
  const rng = Rng.stream(seed, STREAM_FREQUENCIES);
  const ancestral = new Float64Array(nSnps);
  const perAncestry = Array.from({ length: nAncestries }, () => new Float64Array(nSnps));
  const k = (1 - fst) / fst;
  for (let j = 0; j < nSnps; j++) {
    const p = 0.05 + 0.9 * rng.uniform();
    ancestral[j] = p;
    for (let a = 0; a < nAncestries; a++) {
      const q = rng.beta(p * k, (1 - p) * k);
      perAncestry[a]![j] = Math.min(0.995, Math.max(0.005, q));
    }
  }
  return { ancestral, perAncestry };
}
