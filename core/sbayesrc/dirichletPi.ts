// π without annotations: Dirichlet(counts + 1) over the five components.
import type { Rng } from '../numeric/random/rng.js';
import { N_COMPONENTS } from './mixture.js';

export function drawPi(counts: ArrayLike<number>, rng: Rng, out: Float64Array): Float64Array {
  const alpha = new Float64Array(N_COMPONENTS);
  for (let k = 0; k < N_COMPONENTS; k++) alpha[k] = counts[k]! + 1;
  return rng.dirichlet(alpha, out);
}
