// A synthetic SBayesR problem with known truth, for the sampler's unit tests: b̂ = Rβ + ε with
// AR(1) LD blocks at full rank, a few normal causal effects scaled to h², optional annotations.
import { symmetricEigen } from '../../core/numeric/linalg/symmetricEigen.js';
import { Rng } from '../../core/numeric/random/rng.js';
import { lowRankBlock, type LowRankBlock } from '../../core/sbayesrc/lowRank.js';
import { assembleProblem, type SbayesProblem } from '../../core/sbayesrc/problem.js';

/** b̂ = Rβ + ε, ε ~ N(0, R/N), with AR(1) LD blocks and `nCausal` normal effects scaled to h². */
export function syntheticProblem(
  nBlocks: number,
  m: number,
  n: number,
  h2: number,
  nCausal: number,
  seed: number,
  withAnnotations: boolean,
  ld = { rho: 0.8, stream: 99 },
): { problem: SbayesProblem; beta: Float64Array } {
  const rng = Rng.stream(seed, ld.stream);
  const nSnps = nBlocks * m;
  const beta = new Float64Array(nSnps);
  for (let c = 0; c < nCausal; c++) beta[rng.below(nSnps)] = rng.normal();
  const r = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) r[i * m + j] = ld.rho ** Math.abs(i - j);
  const { values, vectors } = symmetricEigen(Float64Array.from(r), m);
  // Scale β so that βᵀRβ = h².
  let g = 0;
  for (let b = 0; b < nBlocks; b++) for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) g += beta[b * m + i]! * r[i * m + j]! * beta[b * m + j]!;
  for (let j = 0; j < nSnps; j++) beta[j] = beta[j]! * Math.sqrt(h2 / g);
  const bhat = new Float64Array(nSnps);
  const blocks: LowRankBlock[] = [];
  const eigen = { m, k: m, sumLambda: m, cutoff: 1, values: Float32Array.from(values), vectors: Float32Array.from(vectors) };
  for (let b = 0; b < nBlocks; b++) {
    const z = Float64Array.from({ length: m }, () => rng.normal());
    for (let i = 0; i < m; i++) {
      let rb = 0;
      let e = 0;
      for (let j = 0; j < m; j++) rb += r[i * m + j]! * beta[b * m + j]!;
      for (let t = 0; t < m; t++) e += vectors[t * m + i]! * Math.sqrt(Math.max(values[t]!, 0)) * z[t]!;
      bhat[b * m + i] = rb + e / Math.sqrt(n);
    }
    blocks.push(lowRankBlock(eigen, bhat.subarray(b * m, (b + 1) * m), n));
  }
  let ann = null;
  if (withAnnotations) {
    const nA = 2;
    const a = new Float32Array(nSnps * nA);
    for (let j = 0; j < nSnps; j++) {
      a[j * nA] = 1;
      a[j * nA + 1] = beta[j] !== 0 || rng.uniform() < 0.2 ? 1 : 0;
    }
    ann = { nA, a };
  }
  return { problem: assembleProblem(blocks, bhat, ann), beta };
}
