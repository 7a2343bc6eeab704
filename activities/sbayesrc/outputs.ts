// Fit outputs (DESIGN §4): PREFIX.txt effects per copy of A1 on the phenotype scale (β̄·s_j),
// PREFIX.par scalar parameters, and a JSON summary.
import { N_COMPONENTS } from './mixture.js';
import type { PosteriorSummary } from './posterior.js';

export interface OutputSnps {
  id: readonly string[];
  a1: readonly string[];
  /** s_j: standardised → per-allele phenotype scale. */
  scale: Float64Array;
}

const num = (x: number): string => (x === 0 ? '0' : x.toPrecision(6));

export function effectsText(snps: OutputSnps, post: PosteriorSummary): string {
  const lines = ['SNP\tA1\tBETA\tSE\tPIP\tBETAlast'];
  for (let j = 0; j < snps.id.length; j++) {
    const s = snps.scale[j]!;
    lines.push(`${snps.id[j]}\t${snps.a1[j]}\t${num(post.mean[j]! * s)}\t${num(post.sd[j]! * s)}\t${num(post.pip[j]!)}\t${num(post.last[j]! * s)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function parText(post: PosteriorSummary, nAnnot: number): string {
  const rows: [string, string, string][] = [
    ['hsq', num(post.h2.mean), num(post.h2.sd)],
    ['nnz', num(post.nnz.mean), num(post.nnz.sd)],
  ];
  for (let k = 0; k < N_COMPONENTS; k++) rows.push([`Pi${k + 1}`, num(post.pi[k]!), 'NA']);
  const se = post.sigma2e;
  rows.push(['sigma2e_mean_over_blocks', num(se.reduce((a, b) => a + b, 0) / Math.max(1, se.length)), 'NA']);
  for (let c = 0; c < post.alpha.length / Math.max(1, nAnnot); c++) {
    for (let t = 0; t < nAnnot; t++) rows.push([`alpha_${c + 1}_${t}`, num(post.alpha[c * nAnnot + t]!), 'NA']);
  }
  rows.push(['removed_snps', String(post.removed.length), 'NA']);
  return `Par\tMean\tSD\n${rows.map((r) => r.join('\t')).join('\n')}\n`;
}

export interface FitSummaryJson {
  method: 'SBayesR' | 'SBayesRC';
  snps: number;
  blocks: number;
  iterations: number;
  burnIn: number;
  seed: number;
  cutoff: number;
  draws: number;
  h2: { mean: number; sd: number };
  nnz: { mean: number; sd: number };
  pi: number[];
  annotations: string[];
  /** α[level][annotation], posterior mean. */
  alpha: number[][];
  removedSnps: string[];
  resumedFromSweep: number | null;
  seconds: number;
  sweepsPerSecond: number;
}

export function summaryJson(s: FitSummaryJson): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
