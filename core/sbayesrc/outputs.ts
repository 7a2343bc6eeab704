// Fit outputs (DESIGN §4): PREFIX.txt effects per copy of A1 on the phenotype scale (β̄·s_j),
// PREFIX.par scalar parameters, and a JSON summary.
import { N_COMPONENTS } from './mixture.js';
import type { PosteriorSummary } from './posterior.js';
import type { ChainDiagnostics, TuneResult, FitSummaryJson } from '../../contracts/fit.js';

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

/**
 * The rows the reference (SBayesRC's R package, `sbayesrc()` writing PREFIX.par) writes, in its
 * order: hsq, nnz, SigmaSq, ssq, Var_e, Var_g, then SNPs (NumSnp2–5) and share of Σβ² (Vg2–5)
 * of the non-zero components; mean and SD over the kept draws. Our own rows follow them.
 */
export const REFERENCE_PAR_ROWS: readonly string[] = [
  'hsq',
  'nnz',
  'SigmaSq',
  'ssq',
  'Var_e',
  'Var_g',
  ...Array.from({ length: N_COMPONENTS - 1 }, (_, k) => `NumSnp${k + 2}`),
  ...Array.from({ length: N_COMPONENTS - 1 }, (_, k) => `Vg${k + 2}`),
];

/** A value of the .par: 'NA' when undefined (no draws of it). */
const parNum = (x: number): string => (Number.isFinite(x) ? num(x) : 'NA');

/**
 * PREFIX.par in the reference's layout (header `Item Mean SD`, REFERENCE_PAR_ROWS first), then
 * ours: Pi1–5 and NumSnp1 (mean, SD over the draws), VarShare1–5 (share of the posterior sums
 * of β², no SD), the block-mean σ²e, the annotation model's rows and the removed SNPs.
 * Standardised scale (phenotype variance 1), so Var_g = hsq = σ²g = Σ_b ‖Q_b β_b‖², each draw
 * bounded to [0, 1] (variance.ts PHENOTYPE_VARIANCE), and ssq = Σβ². Var_e is the blocks' mean
 * σ²_{e,b}, the summary-data noise of a block (≈ 1: it carries the other blocks' genetic
 * variance), not 1 − hsq.
 * `names`/`binary`: the annotation columns (empty for SBayesR).
 */
export function parText(post: PosteriorSummary, names: readonly string[], binary: readonly boolean[]): string {
  const nAnnot = names.length;
  const par = post.par;
  const row = (item: string, mean: number, sd: number | null): [string, string, string] => [item, parNum(mean), sd === null ? 'NA' : parNum(sd)];
  const rows: [string, string, string][] = [
    row('hsq', post.h2.mean, post.h2.sd),
    row('nnz', post.nnz.mean, post.nnz.sd),
    row('SigmaSq', par.sigmaSq.mean, par.sigmaSq.sd),
    row('ssq', par.ssq.mean, par.ssq.sd),
    row('Var_e', par.varE.mean, par.varE.sd),
    row('Var_g', post.h2.mean, post.h2.sd),
  ];
  for (let k = 1; k < N_COMPONENTS; k++) rows.push(row(`NumSnp${k + 1}`, post.componentCount[k]!, par.componentCount[k]!.sd));
  for (let k = 1; k < N_COMPONENTS; k++) rows.push(row(`Vg${k + 1}`, par.componentShare[k]!.mean, par.componentShare[k]!.sd));
  for (let k = 0; k < N_COMPONENTS; k++) rows.push(row(`Pi${k + 1}`, post.pi[k]!, par.pi[k]!.sd));
  rows.push(row('NumSnp1', post.componentCount[0]!, par.componentCount[0]!.sd));
  for (let k = 0; k < N_COMPONENTS; k++) rows.push(row(`VarShare${k + 1}`, post.componentVarianceShare[k]!, null));
  const se = post.sigma2e;
  rows.push(row('sigma2e_mean_over_blocks', se.reduce((a, b) => a + b, 0) / Math.max(1, se.length), null));
  for (let c = 0; c < post.alpha.length / Math.max(1, nAnnot); c++) {
    for (let t = 0; t < nAnnot; t++) rows.push(row(`alpha${c + 1}_${names[t]}`, post.alpha[c * nAnnot + t]!, null));
  }
  for (let t = 0; t < nAnnot; t++) rows.push(row(`enrichment_${names[t]}`, post.enrichment[t]!, null));
  for (let t = 0; t < nAnnot; t++) {
    for (let k = 0; k < N_COMPONENTS; k++) rows.push(row(`jointProb_${names[t]}_Pi${k + 1}`, post.jointProbabilities[t]![k]!, null));
  }
  rows.push(['removed_snps', String(post.removed.length), 'NA']);
  return `Item\tMean\tSD\n${rows.map((r) => r.join('\t')).join('\n')}\n`;
}

export interface ScoringSnps extends OutputSnps {
  chrom: readonly string[];
  pos: ArrayLike<number>;
  a2: readonly string[];
}

/** PGS Catalog scoring file (DESIGN §4) so PLINK, pgsc_calc and `pgsflow score` can apply the weights. */
export function pgsCatalogText(snps: ScoringSnps, post: PosteriorSummary, method: string): string {
  const lines = [
    '###PGS CATALOG SCORING FILE - see https://www.pgscatalog.org/downloads/#dl_ftp_scoring for additional information',
    '#format_version=2.0',
    `#pgs_name=pgsflow_${method}`,
    `#weight_type=beta`,
    `#variants_number=${snps.id.length}`,
    'rsID\tchr_name\tchr_position\teffect_allele\tother_allele\teffect_weight',
  ];
  for (let j = 0; j < snps.id.length; j++) {
    lines.push(`${snps.id[j]}\t${snps.chrom[j]}\t${snps.pos[j]}\t${snps.a1[j]}\t${snps.a2[j]}\t${num(post.mean[j]! * snps.scale[j]!)}`);
  }
  return `${lines.join('\n')}\n`;
}

export function summaryJson(s: FitSummaryJson): string {
  return `${JSON.stringify(s, null, 2)}\n`;
}
