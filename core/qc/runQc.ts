// The QC rules over typed columns: one implementation for `pgsflow qc` on files and the `qc`
// activity on the store. Rows that survive a rule move on to the next; a removed row keeps
// the first rule that took it and why. Effects and frequencies of survivors are re-oriented to
// the panel's A1 at the allele step, so every later rule compares like with like.
import { StringIndex } from '../formats/text.js';
import { isAmbiguousPair, orient } from '../alleles/alleleOrientation.js';
import { siteKey } from '../alleles/variantPosition.js';
import { checkGenomeBuild, describeBuildCheck } from '../genomeBuild/buildCheck.js';
import { evaluateGuards } from './guards.js';
import { short } from './numberFormat.js';
import { READER_RULES, ruleCode } from './rules.js';
import { medianAt, meanSdAt } from './stats.js';
import type { QcThresholds } from '../../config/qcThresholds.js';
import { type QcPanel, type QcVariants, rowLabel } from './variants.js';
import type { GuardOutcome, QcReorientation, QcRule, QcStats } from '../../contracts/qc.js';

/** How a surviving row's alleles relate to the panel's A1/A2. */
export const ORIENT_NONE = 0;
export const ORIENT_SAME = 1;
export const ORIENT_SWAPPED = 2;
export const ORIENT_FLIPPED = 3;
export const ORIENT_FLIPPED_SWAPPED = 4;

export interface RuleCount {
  rule: QcRule;
  removed: number;
  remaining: number;
  /** False when the rule could not apply (no INFO column, too few rows for an SD, …). */
  applied: boolean;
  note?: string;
}

export interface QcOutcome {
  thresholds: QcThresholds;
  inputRows: number;
  panelSnps: number;
  /** Per row: 0 (kept) or the code of the rule that removed it (see rules.ts). */
  fate: Uint8Array;
  /** Why each removed row went, by row. */
  detail: Map<number, string>;
  /** Per row: panel index once matched by ID, else −1. */
  panelIndex: Int32Array;
  orientation: Uint8Array;
  /** Per row: b and freq of the panel's A1 (re-oriented rows changed, others as input). */
  b: Float64Array;
  freq: Float64Array;
  counts: RuleCount[];
  reoriented: QcReorientation;
  ambiguousKept: number;
  matchedByPosition: number;
  /** Surviving rows in panel order. */
  kept: Int32Array;
  stats: QcStats;
  guards: GuardOutcome[];
}

/** `source` names the summary statistics in messages (a file, or a store GWAS set). */
export function runQc(v: QcVariants, panel: QcPanel, t: QcThresholds, source = 'the summary statistics'): QcOutcome {
  const rows = v.snp.length;
  const fate = new Uint8Array(rows);
  const detail = new Map<number, string>();
  const panelIndex = new Int32Array(rows).fill(-1);
  const orientation = new Uint8Array(rows);
  const b = Float64Array.from(v.b);
  const freq = Float64Array.from(v.freq);
  const counts: RuleCount[] = [];
  let alive = new Int32Array(rows);
  for (let i = 0; i < rows; i++) alive[i] = i;

  /** Keep the rows for which `why` returns null; the others go with its reason. */
  const apply = (rule: QcRule, why: (i: number) => string | null, applied = true, note?: string): void => {
    const code = ruleCode(rule);
    const next = new Int32Array(alive.length);
    let m = 0;
    const pre = v.preRule;
    if (applied) {
      for (const i of alive) {
        // A row the reader set aside goes at its own rule, and no rule before looks at it.
        const reason = pre !== null && pre[i] !== 0 ? (pre[i] === code ? v.preDetail.get(i)! : null) : why(i);
        if (reason === null) next[m++] = i;
        else {
          fate[i] = code;
          detail.set(i, reason);
        }
      }
    } else {
      next.set(alive);
      m = alive.length;
    }
    counts.push({ rule, removed: alive.length - m, remaining: m, applied, ...(note !== undefined ? { note } : {}) });
    alive = next.subarray(0, m);
  };

  for (const rule of READER_RULES) apply(rule, () => null);
  apply('invalid_value', (i) => invalidValue(v, i));
  apply('se_not_positive', (i) => (v.se[i]! > 0 ? null : `se = ${short(v.se[i]!)} is not > 0`));

  // Guard inputs on every valid row, before alignment flips signs.
  let allPositiveB = alive.length > 0;
  const absZ = new Float64Array(rows);
  for (const i of alive) {
    if (!(v.b[i]! > 0)) allPositiveB = false;
    absZ[i] = Math.abs(v.b[i]! / v.se[i]!);
  }
  const valid = alive.length;
  const medianB = medianAt(v.b, alive);
  const medianAbsZ = medianAt(absZ, alive);

  // One hash pass over the IDs: panel IDs get keys 0..panelKeys−1 (first panel row wins),
  // IDs only the summary statistics have get the keys after.
  const ids = new StringIndex();
  const panelRowOfKey: number[] = [];
  for (let j = 0; j < panel.id.length; j++) if (ids.getOrAdd(panel.id[j]!) === -1) panelRowOfKey.push(j);
  const panelKeys = ids.size;
  const rowKey = new Int32Array(rows);
  for (const i of alive) {
    const k = ids.getOrAdd(v.snp[i]!);
    rowKey[i] = k === -1 ? ids.size - 1 : k;
  }

  const firstRowOfKey = new Int32Array(ids.size).fill(-1);
  apply('duplicate_id', (i) => {
    const first = firstRowOfKey[rowKey[i]!]!;
    if (first === -1) {
      firstRowOfKey[rowKey[i]!] = i;
      return null;
    }
    return `same SNP ID as ${rowLabel(v, first)} (first kept)`;
  });

  // By ID first; a row whose ID the panel lacks is looked for at its chromosome and position,
  // among panel SNPs with the same allele pair (as given, swapped or on the other strand).
  const bySite = v.chrom !== null && v.pos !== null && panel.chrom !== undefined && panel.physPos !== undefined ? panelSites(panel) : null;
  let matchedByPosition = 0;
  const takenByPosition = new Set<number>();
  // Panel SNPs some row names by their own ID: IDs win over positions.
  const claimedById = new Uint8Array(panel.id.length);
  if (bySite !== null) for (const i of alive) if (rowKey[i]! < panelKeys) claimedById[panelRowOfKey[rowKey[i]!]!] = 1;
  apply('not_in_panel', (i) => {
    const k = rowKey[i]!;
    if (k < panelKeys) {
      panelIndex[i] = panelRowOfKey[k]!;
      return null;
    }
    const here = bySite !== null && v.pos![i]! > 0 ? bySite.get(siteKey(v.chrom![i]!, v.pos![i]!)) : undefined;
    if (here === undefined) return bySite !== null ? 'SNP ID not in the LD panel, nor a panel SNP at its position' : 'SNP ID not in the LD panel';
    const j = here.find((c) => !takenByPosition.has(c) && claimedById[c] === 0 && orient(v.a1[i]!.toUpperCase(), v.a2[i]!.toUpperCase(), panel.a1[c]!, panel.a2[c]!) !== 'mismatch');
    if (j === undefined) return `SNP ID not in the LD panel; the panel SNP at ${siteKey(v.chrom![i]!, v.pos![i]!)} has other alleles (or is matched by another row)`;
    takenByPosition.add(j);
    panelIndex[i] = j;
    matchedByPosition++;
    return null;
  });

  const reoriented = { swapped: 0, strandFlipped: 0, flippedAndSwapped: 0 };
  apply('allele_mismatch', (i) => {
    const j = panelIndex[i]!;
    const p1 = panel.a1[j]!;
    const p2 = panel.a2[j]!;
    let x1 = v.a1[i]!;
    let x2 = v.a2[i]!;
    let o = orient(x1, x2, p1, p2);
    if (o === 'mismatch') {
      // Readers upper-case alleles; other sources may not.
      x1 = x1.toUpperCase();
      x2 = x2.toUpperCase();
      o = orient(x1, x2, p1, p2);
    }
    switch (o) {
      case 'a1':
        orientation[i] = ORIENT_SAME;
        return null;
      case 'a2':
        orientation[i] = ORIENT_SWAPPED;
        reoriented.swapped++;
        break;
      case 'flip-a1':
        orientation[i] = ORIENT_FLIPPED;
        reoriented.strandFlipped++;
        return null;
      case 'flip-a2':
        orientation[i] = ORIENT_FLIPPED_SWAPPED;
        reoriented.flippedAndSwapped++;
        break;
      case 'mismatch':
        return `alleles ${x1}/${x2}, panel ${p1}/${p2}: no match as given, swapped or on the other strand`;
    }
    b[i] = -b[i]!;
    // 15 significant digits: 1 − 0.78 is 0.21999999999999997 in binary; both paths store 0.22.
    freq[i] = Number((1 - freq[i]!).toPrecision(15));
    return null;
  });

  let ambiguousKept = 0;
  apply('ambiguous_strand', (i) => {
    const j = panelIndex[i]!;
    const p1 = panel.a1[j]!;
    const p2 = panel.a2[j]!;
    if (!isAmbiguousPair(p1, p2)) return null;
    const pair = `${p1}/${p2} is strand-ambiguous`;
    if (t.ambiguous === 'drop') return `${pair} (--ambiguous drop)`;
    if (t.ambiguous === 'auto') {
      const f = freq[i]! - 0.5;
      const pf = panel.a1Freq[j]! - 0.5;
      const freqs = `freq ${short(freq[i]!)}, panel ${short(panel.a1Freq[j]!)}`;
      if (!(Math.abs(f) > t.ambiguousMargin && Math.abs(pf) > t.ambiguousMargin)) {
        return `${pair} and a frequency is within ${t.ambiguousMargin} of 0.5 (${freqs})`;
      }
      if (f * pf < 0) return `${pair} and the frequencies disagree on which allele is the minor one (${freqs})`;
    }
    ambiguousKept++;
    return null;
  });

  apply('freq_diff', (i) => {
    const d = Math.abs(freq[i]! - panel.a1Freq[panelIndex[i]!]!);
    return d > t.freqDiff ? `|freq ${short(freq[i]!)} − panel ${short(panel.a1Freq[panelIndex[i]!]!)}| = ${short(d)} > ${t.freqDiff}` : null;
  });
  const freqCount = counts[counts.length - 1]!;
  const freqReached = freqCount.removed + freqCount.remaining;

  apply('maf', (i) => {
    const maf = Math.min(freq[i]!, 1 - freq[i]!);
    return maf < t.maf ? `MAF ${short(maf)} < ${t.maf}` : null;
  });

  const info = v.info;
  apply(
    'info',
    // A row without INFO (often a genotyped SNP) is not evidence of poor imputation: kept.
    (i) => (info![i]! < t.info ? `INFO ${short(info![i]!)} < ${t.info}` : null),
    info !== null,
    info === null ? 'no INFO column in the input' : undefined,
  );

  const { mean: nMean, sd: nSd } = meanSdAt(v.n, alive);
  const nUsable = nSd > 0;
  apply(
    'n_outlier',
    (i) => (Math.abs(v.n[i]! - nMean) > t.nSd * nSd ? `N ${short(v.n[i]!)} outside mean ${short(nMean)} ± ${t.nSd} × SD ${short(nSd)}` : null),
    nUsable,
    nUsable ? undefined : 'N does not vary (or fewer than 2 variants): no outliers',
  );

  const variance = new Float64Array(rows);
  for (const i of alive) {
    const f = freq[i]!;
    variance[i] = 2 * f * (1 - f) * (v.n[i]! * v.se[i]! * v.se[i]! + b[i]! * b[i]!);
  }
  const medianV = medianAt(variance, alive);
  const vUsable = medianV > 0;
  apply(
    'variance_outlier',
    (i) => {
      const ratio = Math.sqrt(variance[i]! / medianV);
      return Math.abs(ratio - 1) < t.rate2pq ? null : `sqrt(v / median v) = ${short(ratio)} outside (${1 - t.rate2pq}, ${1 + t.rate2pq}), v = 2f(1−f)(N·se² + b²)`;
    },
    vUsable,
    vUsable ? undefined : 'no variant left to take a median over',
  );

  const slot = new Int32Array(panel.id.length).fill(-1);
  for (const i of alive) slot[panelIndex[i]!] = i;
  const build = genomeBuildGuard(v, panel, source);
  const kept = new Int32Array(alive.length);
  let m = 0;
  for (const i of slot) if (i >= 0) kept[m++] = i;

  const guards = evaluateGuards(
    {
      valid,
      allPositiveB,
      medianB,
      medianAbsZ,
      freqReached,
      freqRemoved: freqCount.removed,
      remaining: alive.length,
      panelSnps: panel.id.length,
    },
    t,
  );
  guards.unshift(build);
  return {
    thresholds: t,
    inputRows: rows,
    panelSnps: panel.id.length,
    fate,
    detail,
    panelIndex,
    orientation,
    b,
    freq,
    counts,
    reoriented,
    ambiguousKept,
    matchedByPosition,
    kept,
    stats: { medianAbsZ, medianB, nMean, nSd, medianV },
    guards,
  };
}

function invalidValue(v: QcVariants, i: number): string | null {
  const n = v.n[i]!;
  const f = v.freq[i]!;
  const p = v.p[i]!;
  // f and p compared both ways also rule out NaN.
  if (n > 0 && n < Infinity && Number.isFinite(v.b[i]!) && Number.isFinite(v.se[i]!) && f >= 0 && f <= 1 && p >= 0 && p <= 1) return null;
  const bad: string[] = [];
  if (!Number.isFinite(n)) bad.push(`N = ${short(n)}`);
  else if (!(n > 0)) bad.push(`N = ${short(n)} is not > 0`);
  if (!Number.isFinite(v.b[i]!)) bad.push(`b = ${short(v.b[i]!)}`);
  if (!Number.isFinite(v.se[i]!)) bad.push(`se = ${short(v.se[i]!)}`);
  if (!Number.isFinite(f)) bad.push(`freq = ${short(f)}`);
  else if (f < 0 || f > 1) bad.push(`freq = ${short(f)} outside [0, 1]`);
  if (!(p >= 0 && p <= 1)) bad.push(`p = ${short(p)} outside [0, 1]`);
  return bad.length === 0 ? null : `invalid value: ${bad.join(', ')}`;
}

/** Panel rows by `chrom:pos` (several where a panel lists more than one SNP at a position). */
function panelSites(panel: QcPanel): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let j = 0; j < panel.id.length; j++) {
    const k = siteKey(panel.chrom![j]!, panel.physPos![j]!);
    const list = out.get(k);
    if (list) list.push(j);
    else out.set(k, [j]);
  }
  return out;
}

/**
 * Whether the file's positions are in the panel's genome build (by rsID, else by position and
 * alleles): a file in another build is refused, naming both and the way out (--chain).
 */
function genomeBuildGuard(v: QcVariants, panel: QcPanel, source: string): GuardOutcome {
  // Rows set aside before QC have no alleles or position: leave them out, but copy the columns
  // only when there are such rows and positions to compare (a .ma has none: checked at once).
  const pre = v.preRule;
  const copy = pre !== null && v.chrom !== null && v.pos !== null;
  const live = (_: unknown, i: number): boolean => pre![i] === 0;
  const file = copy
    ? { id: v.snp.filter(live), chrom: v.chrom!.filter(live), pos: v.pos!.filter(live), a1: v.a1.filter(live), a2: v.a2.filter(live) }
    : { id: v.snp, chrom: v.chrom, pos: v.pos, a1: v.a1, a2: v.a2 };
  const panelSide = { id: panel.id, chrom: panel.chrom ?? null, pos: panel.physPos ?? null, a1: panel.a1, a2: panel.a2 };
  const c = checkGenomeBuild(file, panelSide);
  return {
    guard: 'genome_build',
    evaluated: c.basis !== 'none' && c.verdict !== 'unknown',
    passed: c.verdict !== 'different',
    value: Number.isNaN(c.fraction) ? null : c.fraction,
    threshold: null,
    message: describeBuildCheck(source, c),
  };
}
