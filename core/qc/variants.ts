// What QC works on: summary statistics as typed columns (one row per input line, duplicates
// included so they are counted) and the LD panel's SNP table. Both paths, files and store,
// build these and run the same rules on them.
import { BadInputError } from '../errors.js';
import type { LdSnpTable, SumstatsTable } from '../formats/types.js';
import { ruleCode } from './rules.js';
import { rowPositions } from '../alleles/variantPosition.js';

export interface QcVariants {
  snp: readonly string[];
  a1: string[];
  a2: string[];
  freq: Float64Array;
  b: Float64Array;
  se: Float64Array;
  p: Float64Array;
  n: Float64Array;
  /** Imputation INFO, NaN where a row has none; null when the input has no INFO column. */
  info: Float64Array | null;
  /** Input line (1-based) of each row, for explanations; null = use the row index. */
  line: Int32Array | null;
  /**
   * Rows the reader already set aside (indels, NA values, X rows, …): per row 0, or the code
   * (rules.ts) of the rule that removes it, with `preDetail` saying why. QC removes them at
   * that rule, before any statistic is taken. Null when there are none.
   */
  preRule: Uint8Array | null;
  preDetail: Map<number, string>;
  /**
   * Chromosome and position per row ('' / 0 where unknown), from the file's columns or its
   * positional IDs: for matching to the panel by position and the genome-build check. Null when
   * no row has one.
   */
  chrom: string[] | null;
  pos: Int32Array | null;
}

export interface QcPanel {
  id: readonly string[];
  /** Upper-case, as the summary statistics readers produce. */
  a1: readonly string[];
  a2: readonly string[];
  a1Freq: Float64Array;
  /** For the store path's output rows (chrom, position of each panel SNP). */
  chrom?: readonly string[];
  physPos?: Int32Array;
}

export function panelFromSnpTable(t: LdSnpTable): QcPanel {
  return {
    id: t.id,
    a1: t.a1.map((x) => x.toUpperCase()),
    a2: t.a2.map((x) => x.toUpperCase()),
    a1Freq: t.a1Freq,
    chrom: t.chrom,
    physPos: t.physPos,
  };
}

/** Where row `i` came from, for messages. */
export function rowLabel(v: QcVariants, i: number): string {
  return v.line ? `line ${v.line[i]}` : `row ${i + 1}`;
}

/**
 * Rows of a file read by `readSumstats`: its variants, the identical duplicate lines it folded
 * away put back (as copies of the first) so the duplicate rule counts them, and the rows it set
 * aside (values NaN) carrying their rule, so every data line of the file is one QC row.
 */
export function variantsFromSumstats(path: string, t: SumstatsTable): QcVariants {
  const rows = t.snp.length;
  const extra = t.duplicates.reduce((s, d) => s + d.lines.length - 1, 0);
  const rejected = t.rejected.length;
  const total = rows + extra + rejected;
  const line = new Int32Array(total);
  line.set(t.line);
  const index = new Map<string, number>();
  if (extra > 0) t.snp.forEach((s, i) => index.set(s, i));
  const source = new Int32Array(rows + extra); // reader row each QC row copies
  for (let i = 0; i < rows; i++) source[i] = i;
  let k = rows;
  for (const d of t.duplicates) {
    const first = index.get(d.snp)!;
    for (const l of d.lines.slice(1)) {
      source[k] = first;
      line[k++] = l;
    }
  }
  const take = (xs: readonly string[], fill: string): string[] => {
    const out = Array.from(source, (j) => xs[j]!);
    for (let r = 0; r < rejected; r++) out.push(fill);
    return out;
  };
  const takeF = (xs: Float64Array): Float64Array => {
    const out = new Float64Array(total).fill(NaN);
    for (let i = 0; i < source.length; i++) out[i] = xs[source[i]!]!;
    return out;
  };
  const preRule = rejected > 0 ? new Uint8Array(total) : null;
  const preDetail = new Map<number, string>();
  const snp = take(t.snp, '');
  t.rejected.forEach((r, j) => {
    const i = rows + extra + j;
    snp[i] = r.snp;
    line[i] = r.line;
    preRule![i] = ruleCode(r.rule);
    preDetail.set(i, r.detail);
  });
  const v: QcVariants = {
    snp,
    a1: take(t.a1, ''),
    a2: take(t.a2, ''),
    freq: takeF(t.freq),
    b: takeF(t.b),
    se: takeF(t.se),
    p: takeF(t.p),
    n: takeF(t.n),
    info: t.info ? takeF(t.info) : null,
    line,
    preRule,
    preDetail,
    ...positionsOf(snp, t, source),
  };
  requireSampleSize(path, v);
  return v;
}

/** QC (and SBayesRC) need a per-variant N; a file with none cannot be used at all. */
export function requireSampleSize(source: string, v: QcVariants): void {
  let live = 0;
  let withN = 0;
  for (let i = 0; i < v.n.length; i++) {
    if (v.preRule !== null && v.preRule[i] !== 0) continue;
    live++;
    if (!Number.isNaN(v.n[i]!)) withN++;
  }
  if (live > 0 && withN === 0) {
    throw new BadInputError(source, 'no sample size for any variant (N column absent or all NA): QC and SBayesRC need a per-variant N');
  }
}

/** Row positions of a file's QC rows (copies of duplicates included; set-aside rows unknown). */
function positionsOf(snp: readonly string[], t: SumstatsTable, source: Int32Array): { chrom: string[] | null; pos: Int32Array | null } {
  if (t.chrom === null || t.pos === null) {
    const parsed = rowPositions(snp, null, null);
    return { chrom: parsed?.chrom ?? null, pos: parsed?.pos ?? null };
  }
  const chrom = new Array<string>(snp.length).fill('');
  const pos = new Int32Array(snp.length);
  for (let i = 0; i < source.length; i++) {
    chrom[i] = t.chrom[source[i]!]!;
    pos[i] = t.pos[source[i]!]!;
  }
  return { chrom, pos };
}
