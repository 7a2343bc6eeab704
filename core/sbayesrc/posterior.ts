// Posterior summaries from a chain's accumulators (standardised scale).
import { STAT, type ChainState } from './chainState.js';
import { N_COMPONENTS } from './mixture.js';

export interface PosteriorSummary {
  draws: number;
  /** Per SNP: posterior mean, SD, PIP = 1 − P(δ = 0), last draw. */
  mean: Float64Array;
  sd: Float64Array;
  pip: Float64Array;
  last: Float64Array;
  h2: { mean: number; sd: number };
  nnz: { mean: number; sd: number };
  pi: number[];
  /** Posterior mean α[c·nA + t] (empty without annotations). */
  alpha: number[];
  /** Posterior mean σ²e per block. */
  sigma2e: number[];
  /** Per component: mean SNP count and share of Σβ² (genetic variance share, LD ignored). */
  componentCount: number[];
  componentVarianceShare: number[];
  /** Per annotation column: posterior mean per-SNP heritability enrichment (binary: ratio of means; continuous: per SD). */
  enrichment: number[];
  /** Per annotation column: posterior mean P(δ = k) of a SNP with the intercept and that annotation only (continuous: +1 SD). */
  jointProbabilities: number[][];
  removed: number[];
  /**
   * Per-draw posterior mean and SD of the reference's .par scalars (standardised scale, so
   * phenotype variance 1: Var_g = hsq): SigmaSq = γ_5σ²g (the variance the reference's γ multiply),
   * ssq = Σβ², Var_e = σ²e averaged over blocks; per component, π, SNPs and share of Σβ² (`Vg`).
   * Over `parDraws` draws: all of them, unless the chain resumed from a checkpoint written before
   * these were kept (then the draws since; 0 leaves them NaN).
   */
  par: {
    draws: number;
    sigmaSq: MeanSd;
    ssq: MeanSd;
    varE: MeanSd;
    pi: MeanSd[];
    componentCount: MeanSd[];
    componentShare: MeanSd[];
  };
}

export interface MeanSd {
  mean: number;
  sd: number;
}

/** Mean and SD (over the n draws, divisor n) from a sum and a sum of squares. */
const meanSd = (sum: number, sq: number, n: number): MeanSd => {
  const mean = sum / n;
  return { mean, sd: Math.sqrt(Math.max(0, sq / n - mean * mean)) };
};

function parSummary(s: Float64Array): PosteriorSummary['par'] {
  const n = s[STAT.parDraws]!;
  const at = (i: number, sq: number): MeanSd => meanSd(s[i]!, s[sq]!, n);
  const perComponent = (i: number, sq: number): MeanSd[] => Array.from({ length: N_COMPONENTS }, (_, k) => at(i + k, sq + k));
  return {
    draws: n,
    sigmaSq: at(STAT.sigmaSq, STAT.sigmaSqSq),
    ssq: at(STAT.ssq, STAT.ssqSq),
    varE: at(STAT.varE, STAT.varESq),
    pi: perComponent(STAT.pi, STAT.piSq),
    componentCount: perComponent(STAT.count, STAT.countSq),
    componentShare: perComponent(STAT.share, STAT.shareSq),
  };
}

export function posteriorSummary(st: ChainState): PosteriorSummary {
  const n = st.stats[STAT.draws]!;
  if (!(n > 0)) throw new RangeError('no post-burn-in draws: iterations must exceed burn-in');
  const m = st.beta.length;
  const mean = new Float64Array(m);
  const sd = new Float64Array(m);
  const pip = new Float64Array(m);
  const removed: number[] = [];
  for (let j = 0; j < m; j++) {
    if (st.removed[j] === 1) {
      removed.push(j);
      continue;
    }
    const mu = st.betaSum[j]! / n;
    mean[j] = mu;
    sd[j] = Math.sqrt(Math.max(0, st.beta2Sum[j]! / n - mu * mu));
    pip[j] = st.pipSum[j]! / n;
  }
  const pi: number[] = [];
  for (let k = 0; k < N_COMPONENTS; k++) pi.push(st.piSum[k]! / n);
  return {
    draws: n,
    mean,
    sd,
    pip,
    last: Float64Array.from(st.beta),
    h2: meanSd(st.stats[STAT.h2]!, st.stats[STAT.h2Sq]!, n),
    nnz: meanSd(st.stats[STAT.nnz]!, st.stats[STAT.nnzSq]!, n),
    pi,
    alpha: Array.from(st.alphaSum, (a) => a / n),
    sigma2e: Array.from(st.sigma2eSum, (x) => x / n),
    componentCount: Array.from(st.componentSum.subarray(0, N_COMPONENTS), (x) => x / n),
    componentVarianceShare: shares(st.componentSum.subarray(N_COMPONENTS)),
    enrichment: Array.from(st.enrichmentSum, (x) => x / n),
    jointProbabilities: Array.from({ length: st.jointSum.length / N_COMPONENTS }, (_, t) => Array.from(st.jointSum.subarray(t * N_COMPONENTS, (t + 1) * N_COMPONENTS), (x) => x / n)),
    removed,
    par: parSummary(st.stats),
  };
}

function shares(x: Float64Array): number[] {
  let total = 0;
  for (const v of x) total += v;
  return Array.from(x, (v) => (total > 0 ? v / total : 0));
}
