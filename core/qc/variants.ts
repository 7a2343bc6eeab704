// What QC works on: summary statistics as typed columns (one row per input line, duplicates
// included so they are counted) and the LD panel's SNP table. Both paths, files and store,
// build these and run the same rules on them.
import { BadInputError } from '../errors.js';
import type { LdSnpTable, SumstatsTable } from '../formats/types.js';

export interface QcVariants {
  snp: readonly string[];
  a1: readonly string[];
  a2: readonly string[];
  freq: Float64Array;
  b: Float64Array;
  se: Float64Array;
  p: Float64Array;
  n: Float64Array;
  /** Imputation INFO, NaN where a row has none; null when the input has no INFO column. */
  info: Float64Array | null;
  /** Input line (1-based) of each row, for explanations; null = use the row index. */
  line: Int32Array | null;
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
 * Rows of a file read by `readSumstats`, with the identical duplicate lines it folded away put
 * back (as copies of the first) so the duplicate rule counts them. Data lines are consecutive
 * from line 2 (the reader refuses blank lines inside a file), which gives each row its line.
 */
export function variantsFromSumstats(path: string, t: SumstatsTable, info: Float64Array | null = null): QcVariants {
  const rows = t.snp.length;
  const extra = t.duplicates.reduce((s, d) => s + d.lines.length - 1, 0);
  const total = rows + extra;
  const repeatLines = new Set<number>();
  for (const d of t.duplicates) for (const l of d.lines.slice(1)) repeatLines.add(l);
  const line = new Int32Array(total);
  for (let i = 0, l = 2; i < rows; l++) if (!repeatLines.has(l)) line[i++] = l;

  const index = new Map<string, number>();
  if (extra > 0) t.snp.forEach((s, i) => index.set(s, i));
  const source = new Int32Array(total); // reader row each QC row copies
  for (let i = 0; i < rows; i++) source[i] = i;
  let k = rows;
  for (const d of t.duplicates) {
    const first = index.get(d.snp)!;
    for (const l of d.lines.slice(1)) {
      source[k] = first;
      line[k++] = l;
    }
  }
  const take = <T>(xs: readonly T[]): T[] => Array.from(source, (j) => xs[j]!);
  const takeF = (xs: Float64Array): Float64Array => Float64Array.from(source, (j) => xs[j]!);
  const v: QcVariants = {
    snp: take(t.snp),
    a1: take(t.a1),
    a2: take(t.a2),
    freq: takeF(t.freq),
    b: takeF(t.b),
    se: takeF(t.se),
    p: takeF(t.p),
    n: takeF(t.n),
    info: info ? takeF(info) : null,
    line,
  };
  requireSampleSize(path, v);
  return v;
}

/** QC (and SBayesRC) need a per-variant N; a file with none cannot be used at all. */
export function requireSampleSize(source: string, v: QcVariants): void {
  if (v.n.length > 0 && v.n.every((x) => Number.isNaN(x))) {
    throw new BadInputError(source, 'no sample size for any variant (N column absent or all NA): QC and SBayesRC need a per-variant N');
  }
}
