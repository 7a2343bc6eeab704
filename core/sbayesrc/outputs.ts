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

/** `names`/`binary`: the annotation columns (empty for SBayesR). */
export function parText(post: PosteriorSummary, names: readonly string[], binary: readonly boolean[]): string {
  const nAnnot = names.length;
  const rows: [string, string, string][] = [
    ['hsq', num(post.h2.mean), num(post.h2.sd)],
    ['nnz', num(post.nnz.mean), num(post.nnz.sd)],
  ];
  for (let k = 0; k < N_COMPONENTS; k++) rows.push([`Pi${k + 1}`, num(post.pi[k]!), 'NA']);
  for (let k = 0; k < N_COMPONENTS; k++) rows.push([`NumSnp${k + 1}`, num(post.componentCount[k]!), 'NA']);
  for (let k = 0; k < N_COMPONENTS; k++) rows.push([`VarShare${k + 1}`, num(post.componentVarianceShare[k]!), 'NA']);
  const se = post.sigma2e;
  rows.push(['sigma2e_mean_over_blocks', num(se.reduce((a, b) => a + b, 0) / Math.max(1, se.length)), 'NA']);
  for (let c = 0; c < post.alpha.length / Math.max(1, nAnnot); c++) {
    for (let t = 0; t < nAnnot; t++) rows.push([`alpha${c + 1}_${names[t]}`, num(post.alpha[c * nAnnot + t]!), 'NA']);
  }
  for (let t = 0; t < nAnnot; t++) rows.push([`enrichment_${names[t]}`, num(post.enrichment[t]!), 'NA']);
  for (let t = 0; t < nAnnot; t++) {
    for (let k = 0; k < N_COMPONENTS; k++) rows.push([`jointProb_${names[t]}_Pi${k + 1}`, num(post.jointProbabilities[t]![k]!), 'NA']);
  }
  rows.push(['removed_snps', String(post.removed.length), 'NA']);
  return `Par\tMean\tSD\n${rows.map((r) => r.join('\t')).join('\n')}\n`;
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
