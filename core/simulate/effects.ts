// Annotations and causal effects following the SBayesRC prior: four probit steps
// p_jc = Φ(a_jᵀα_c) give P(δ_j = k) (DESIGN §5.3); β_j | δ_j = k ~ N(0, γ_k) on the
// standardised-genotype scale; per-allele effects divide by sqrt(2p(1−p)).
import { normalCdf, normalQuantile } from '../numeric/random/normalDistribution.js';
import { Rng } from '../numeric/random/rng.js';

export const GAMMA = Float64Array.of(0, 1e-5, 1e-4, 1e-3, 1e-2);
/** The sampler's starting π; its conditional probabilities set the α intercepts for c ≥ 1. */
export const START_PI = Float64Array.of(0.99, 0.005, 0.003, 0.001, 0.001);
export const STREAM_ANNOTATIONS = 4;
export const STREAM_EFFECTS = 3;

const BINARY_NAMES = ['Coding', 'Conserved', 'Enhancer', 'Promoter', 'TFBS', 'DHS', 'H3K27ac', 'H3K4me3'];
const CONTINUOUS_NAMES = ['GERP', 'Recomb_rate', 'CpG_content', 'Nucleotide_div', 'Background_sel'];

export interface AnnotationMatrix {
  /** Column names; names[0] = 'Intercept'. */
  names: string[];
  binary: boolean[];
  /** Column-major: columns[c][j]. */
  columns: Float64Array[];
}

export interface TrueEffects {
  annotations: AnnotationMatrix;
  /** α[c][a]: 4 probit steps × (1 + annotations). */
  alpha: Float64Array[];
  component: Uint8Array;
  /** Effect on the standardised genotype scale, before the final h² scaling. */
  betaStd: Float64Array;
  /** Realised proportion of SNPs per component. */
  pi: Float64Array;
}

export function simulateAnnotations(nSnps: number, nAnnot: number, seed: number): AnnotationMatrix {
  const rng = Rng.stream(seed, STREAM_ANNOTATIONS);
  const names = ['Intercept'];
  const binary = [true];
  const columns = [new Float64Array(nSnps).fill(1)];
  let nb = 0;
  let nc = 0;
  for (let a = 0; a < nAnnot; a++) {
    const col = new Float64Array(nSnps);
    if (a % 2 === 0) {
      // Binary with coverage 2 % … 30 %, in runs (annotations cluster along the genome).
      const coverage = 0.02 + (0.28 * ((a / 2) % 5)) / 4;
      const meanRun = 5;
      let j = 0;
      while (j < nSnps) {
        const on = rng.uniform() < coverage;
        const len = 1 + rng.below(2 * meanRun);
        for (let k = 0; k < len && j < nSnps; k++, j++) col[j] = on ? 1 : 0;
      }
      if (col.every((v) => v === 0)) col[rng.below(nSnps)] = 1;
      names.push(nb < BINARY_NAMES.length ? BINARY_NAMES[nb]! : `Binary${nb + 1}`);
      binary.push(true);
      nb++;
    } else {
      for (let j = 0; j < nSnps; j++) col[j] = Math.round(rng.normal() * 1e4) / 1e4;
      names.push(nc < CONTINUOUS_NAMES.length ? CONTINUOUS_NAMES[nc]! : `Continuous${nc + 1}`);
      binary.push(false);
      nc++;
    }
    columns.push(col);
  }
  return { names, binary, columns };
}

/** True α: intercepts from the causal fraction and START_PI; decreasing enrichment per annotation. */
export function trueAlpha(annotations: AnnotationMatrix, causalFraction: number): Float64Array[] {
  const nCols = annotations.names.length;
  const cond = [causalFraction, START_PI[2]! + START_PI[3]! + START_PI[4]!, START_PI[3]! + START_PI[4]!, START_PI[4]!];
  const denom = [1, 1 - START_PI[0]!, START_PI[2]! + START_PI[3]! + START_PI[4]!, START_PI[3]! + START_PI[4]!];
  const alpha: Float64Array[] = [];
  for (let c = 0; c < 4; c++) {
    const a = new Float64Array(nCols);
    a[0] = normalQuantile(c === 0 ? causalFraction : cond[c]! / denom[c]!);
    for (let k = 1; k < nCols; k++) {
      const strength = (annotations.binary[k] ? 0.8 : 0.2) / Math.sqrt(k);
      a[k] = c === 0 ? strength : 0.25 * strength;
    }
    alpha.push(a);
  }
  // Centre the step-0 intercept so the mean causal probability stays near causalFraction.
  const n = annotations.columns[0]!.length;
  let lo = -8;
  let hi = 8;
  for (let it = 0; it < 60; it++) {
    const mid = (lo + hi) / 2;
    alpha[0]![0] = mid;
    let mean = 0;
    for (let j = 0; j < n; j++) mean += normalCdf(linear(annotations, alpha[0]!, j));
    if (mean / n > causalFraction) hi = mid;
    else lo = mid;
  }
  return alpha;
}

export function linear(annotations: AnnotationMatrix, alpha: Float64Array, j: number): number {
  let s = 0;
  for (let k = 0; k < alpha.length; k++) s += annotations.columns[k]![j]! * alpha[k]!;
  return s;
}

export function simulateEffects(nSnps: number, nAnnot: number, causalFraction: number, seed: number): TrueEffects {
  const annotations = simulateAnnotations(nSnps, nAnnot, seed);
  const alpha = trueAlpha(annotations, causalFraction);
  const rng = Rng.stream(seed, STREAM_EFFECTS);
  const component = new Uint8Array(nSnps);
  const betaStd = new Float64Array(nSnps);
  const counts = new Float64Array(5);
  for (let j = 0; j < nSnps; j++) {
    let k = 0;
    while (k < 4 && rng.uniform() < normalCdf(linear(annotations, alpha[k]!, j))) k++;
    component[j] = k;
    counts[k]! += 1;
    if (k > 0) betaStd[j] = Math.sqrt(GAMMA[k]!) * rng.normal();
  }
  if (counts[0] === nSnps) {
    // Guarantee a polygenic signal exists even at tiny SNP counts.
    const j = rng.below(nSnps);
    component[j] = 4;
    betaStd[j] = Math.sqrt(GAMMA[4]!) * rng.normal();
    counts[0]! -= 1;
    counts[4]! += 1;
  }
  const pi = counts.map((c) => c / nSnps);
  return { annotations, alpha, component, betaStd, pi };
}
