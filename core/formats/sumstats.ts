// GWAS summary statistics in any common dialect (sumstatsColumns.ts), harmonised to one table:
// per variant the effect allele a1, the other allele a2, b and se per copy of a1 on the
// phenotype scale, p, the frequency of a1 and N. What every tool needs is derived when the file
// lacks it, and each derivation is recorded: b = ln OR (se from the 95 % CI, else from P),
// p = 10^−LOG10P, N = 4 / (1/N_case + 1/N_control) for case/control counts, se and p from b and
// the others. A Z-only file without frequencies (LDSC munged) keeps Z in b, se NaN, until the
// LD panel's frequency puts it on the per-allele scale (core/qc/panelCompletion.ts).
//
// Row problems that real files always contain — indels, symbolic alleles, X rows, NA values,
// out-of-range numbers, conflicting duplicates, multi-allelic positions — are not errors: the
// row is set aside with a QC rule name and a reason (`rejected`), and QC counts it. Structural
// problems stay fatal with file:line:column: no recognisable header, a wrong field count, and
// more than `maxBadRows` of the rows with unusable values (then the error names the commonest
// problem and its first line).
//
// SNP IDs: the ID column when the row has one, else `chrom:pos:a2:a1` (chrom without 'chr',
// alleles upper-case), i.e. chr:pos:ref:alt when the effect allele is the alternate one.
import type { QcRule } from '../../contracts/qc.js';
import { BadInputError } from '../errors.js';
import { normalQuantile } from '../numeric/random/normalDistribution.js';
import { normalTwoSidedP } from '../numeric/stats/distributions.js';
import type { SumstatsReadOptions, SumstatsRole } from '../../contracts/sumstats.js';
import { type DetectedColumns, detectColumns } from './sumstatsColumns.js';
import { describeSumstatsColumns } from './sumstatsSummary.js';
import { AUTOSOME_CODE, SiteIndex, siteNumber } from './siteIndex.js';
import { expectFieldCount, F64Column, I32Column, isQuotedHeader, normaliseChrom, ownString, quoteValue, scanTable, StringIndex, toNumber, unquote, type RowHandler, type Split } from './text.js';
import type { SumstatsRejection, SumstatsTable } from './types.js';

export const DEFAULT_MAX_BAD_ROWS = 0.01;

/** Code → chromosome name (index 0 unused). */
const AUTOSOME_NAME: readonly string[] = ['', ...Array.from({ length: 22 }, (_, i) => String(i + 1))];

/** z of a two-sided P: |b|/z is the se a P implies. */
const Z_975 = normalQuantile(0.975);

const NA = new Set(['', 'NA', 'na', 'Na', 'NaN', 'nan', '.', '#NA', 'N/A', 'n/a', 'null', 'NULL', 'None', 'none', '-']);
const BASE = new Set(['A', 'C', 'G', 'T']);
/** Rules a row's values fail (not its alleles or chromosome): these count towards maxBadRows. */
const BAD_VALUE_RULES: ReadonlySet<QcRule> = new Set<QcRule>(['missing_value', 'invalid_value', 'se_not_positive']);

/** 'A', 'C', 'G' or 'T' for its character code in either case (interned strings), else undefined. */
function singleBase(code: number): string | undefined {
  switch (code | 0x20) {
    case 97:
      return 'A';
    case 99:
      return 'C';
    case 103:
      return 'G';
    case 116:
      return 'T';
    default:
      return undefined;
  }
}

/** Equal numbers, NaN equal to NaN (an absent N or freq), 0 equal to -0. */
const sameValue = (x: number, y: number): boolean => x === y || (x !== x && y !== y);

class RowProblem {
  constructor(
    readonly rule: QcRule,
    readonly detail: string,
    /** Groups problems for the maxBadRows message (rule and column). */
    readonly kind: string,
    readonly field: number,
  ) {}
}

interface RowValues {
  id: string;
  chrom: string;
  /** 1–22 (0 when the file has no chromosome column). */
  chromCode: number;
  pos: number;
  a1: string;
  a2: string;
  freq: number;
  b: number;
  se: number;
  p: number;
  n: number;
  info: number;
}

/** Reads a summary-statistics file; rows with problems are returned in `rejected`, not thrown. */
export async function readSumstats(path: string, opts: SumstatsReadOptions = {}): Promise<SumstatsTable> {
  const maxBad = opts.maxBadRows ?? DEFAULT_MAX_BAD_ROWS;
  if (opts.n !== undefined && !(opts.n > 0)) throw new BadInputError(path, `--n must be a positive sample size, got ${opts.n}`);
  let detected: DetectedColumns | undefined;
  let split: Split = 'whitespace';
  const derived = new Set<string>();
  const a1: string[] = [];
  const a2: string[] = [];
  const chrom: string[] = [];
  const freq = new F64Column();
  const b = new F64Column();
  const se = new F64Column();
  const p = new F64Column();
  const n = new F64Column();
  const info = new F64Column();
  const pos = new I32Column();
  const lineOf = new I32Column();
  const ids = new StringIndex(); // ids.keys is the SNP column
  const dups = new Map<string, number[]>();
  const sites = new SiteIndex(); // chrom × pos → first accepted row there
  const multiSites = new Set<number>();
  const rejected: SumstatsRejection[] = [];
  const problemKinds = new Map<string, { count: number; line: number; field: number; detail: string }>();
  let skippedTests = 0;
  let dataRows = 0;

  const chooseSplit = (header: string): Split => {
    split = header.includes('\t') ? 'tab' : 'whitespace';
    return split;
  };

  await scanTable(path, chooseSplit, (rawHeader): RowHandler => {
    // R writes quoted headers and strings (`"SNP" "A1" …`): read them as CSV/TSV readers do.
    const quoted = isQuotedHeader(rawHeader);
    const header = quoted ? rawHeader.map(unquote) : rawHeader;
    const d = detectColumns(path, header, opts.columns);
    detected = d;
    const describeColumns = (x: DetectedColumns): string => describeSumstatsColumns({ dialect: x.dialect, columns: x.names });
    const c = d.columns;
    const name = (i: number): string => header[i]!;
    const width = header.length;
    const hasId = c.snp !== undefined;
    const hasPos = c.chrom !== undefined && c.pos !== undefined;
    if (!hasId && !hasPos) throw new BadInputError(path, `no SNP ID column and no chromosome/position columns (${describeColumns(d)}); name them with --columns snp=…`, 1);
    if (c.a1 === undefined) throw new BadInputError(path, `no effect-allele column (${describeColumns(d)}); name it with --columns a1=…`, 1);
    if (c.a2 === undefined && !(c.ref !== undefined && c.alt !== undefined)) {
      throw new BadInputError(path, `no other-allele column (${describeColumns(d)}); name it with --columns a2=…`, 1);
    }
    const effect = c.b !== undefined ? 'b' : c.or !== undefined ? 'or' : c.z !== undefined ? 'z' : null;
    if (effect === null) throw new BadInputError(path, `no effect column: BETA, OR or Z (${describeColumns(d)}); name it with --columns b=…`, 1);
    if (effect !== 'z' && c.se === undefined && c.p === undefined && c.log10p === undefined && !(effect === 'or' && c.orLower !== undefined && c.orUpper !== undefined)) {
      throw new BadInputError(path, `no standard-error column (SE) and no P to derive it from (${describeColumns(d)}); name them with --columns se=…,p=…`, 1);
    }
    const caseControl = c.nCase !== undefined && c.nControl !== undefined;
    if (c.n === undefined && !caseControl && opts.n === undefined) {
      throw new BadInputError(path, `no sample-size column (N, or N_CASE and N_CONTROL) (${describeColumns(d)}): give the GWAS sample size with --n N (or "n" in the study file)`, 1);
    }
    if (effect === 'or') derived.add(c.se !== undefined ? `b = ln(${name(c.or!)}), se from ${name(c.se)} (log-odds scale)` : c.orLower !== undefined && c.orUpper !== undefined ? `b = ln(${name(c.or!)}), se = (ln ${name(c.orUpper)} − ln ${name(c.orLower)}) / (2 × 1.96)` : `b = ln(${name(c.or!)}), se = |b| / z(P)`);
    if (effect === 'b' && c.se === undefined) derived.add(`se = |b| / z(P)`);
    if (effect === 'z') derived.add(`b, se from ${name(c.z!)}: b = z / √(2f(1−f)(N + z²)), se = 1 / √(2f(1−f)(N + z²))`);
    if (c.p === undefined) derived.add(c.log10p !== undefined ? `p = 10^−${name(c.log10p)}` : 'p = 2Φ(−|b/se|)');
    if (caseControl) derived.add(`N = 4 / (1/${name(c.nCase!)} + 1/${name(c.nControl!)}) (effective N of a case/control study)`);
    else if (c.n === undefined) derived.add(`N = ${opts.n} for every variant (--n)`);
    if (c.freq === undefined) derived.add('freq = the LD panel reference frequency of a1 (no frequency column)');
    if (c.test !== undefined) derived.add(`only rows with ${name(c.test)} = ADD (covariate rows skipped)`);

    const problem = (rule: QcRule, detail: string, field: number, kind: string = rule): RowProblem => new RowProblem(rule, detail, kind, field);
    const text = (role: SumstatsRole, f: string[]): string | undefined => (c[role] === undefined ? undefined : f[c[role]!]);
    /** A number of `role`: NaN when the column is absent; a problem when NA or not a number. */
    const num = (role: SumstatsRole, f: string[]): number => {
      const i = c[role];
      if (i === undefined) return NaN;
      const s = f[i]!;
      const c0 = s.charCodeAt(0);
      // A value starting with a digit is never a missing-value code: skip the set lookup.
      if ((c0 < 48 || c0 > 57 || s.length === 0) && NA.has(s)) throw problem('missing_value', `column '${name(i)}' is missing (${s === '' ? 'empty' : quoteValue(s)})`, i + 1, `missing_value: column '${name(i)}'`);
      const v = toNumber(s);
      if (v !== v || !Number.isFinite(v)) {
        const why = /^\d{1,3}(,\d{3})+(\.\d*)?$/.test(s) ? ' (a thousands separator)' : '';
        throw problem('invalid_value', `column '${name(i)}': expected a number, got ${quoteValue(s)}${why}`, i + 1, `invalid_value: column '${name(i)}'`);
      }
      return v;
    };
    const allele = (role: 'a1' | 'a2', s: string, field: number): string => {
      const base = s.length === 1 ? singleBase(s.charCodeAt(0)) : undefined;
      if (base !== undefined) return base; // the common case: one of ACGT, either case
      if (NA.has(s) && s !== '-') throw problem('missing_value', `column '${name(field - 1)}' has no allele`, field, `missing_value: column '${name(field - 1)}'`);
      const u = s.toUpperCase();
      if (u.includes(',')) throw problem('multi_allelic', `${role} ${quoteValue(s)} lists several alleles`, field);
      if (u.length > 1 && /^[ACGT]+$/.test(u)) throw problem('allele_not_snv', `${role} ${quoteValue(s)}: indel or multi-base allele`, field);
      if (!BASE.has(u)) throw problem('allele_not_snv', `${role} ${quoteValue(s)}: symbolic or non-ACGT allele`, field);
      return u;
    };

    const parse = (f: string[]): RowValues => {
      let vChrom = '';
      let vCode = 0;
      let vPos = 0;
      if (c.chrom !== undefined) {
        const code = AUTOSOME_CODE.get(normaliseChrom(f[c.chrom]!));
        if (code === undefined) throw problem('non_autosomal', `chromosome ${quoteValue(f[c.chrom]!)} is not an autosome`, c.chrom + 1);
        vChrom = AUTOSOME_NAME[code]!; // one string per chromosome, not one per row
        vCode = code;
      }
      if (c.pos !== undefined) {
        const v = num('pos', f);
        if (!Number.isInteger(v) || v < 1 || v > 2_147_483_647) throw problem('invalid_value', `column '${name(c.pos)}': expected an integer, got ${quoteValue(f[c.pos]!)}`, c.pos + 1, `invalid_value: column '${name(c.pos)}'`);
        vPos = v;
      }
      const x1 = allele('a1', f[c.a1!]!, c.a1! + 1);
      let x2: string;
      if (c.a2 !== undefined) x2 = allele('a2', f[c.a2]!, c.a2 + 1);
      else {
        // PLINK 2 without OMITTED: the other allele is whichever of REF/ALT A1 is not.
        const ref = allele('a2', f[c.ref!]!, c.ref! + 1);
        const alt = allele('a2', f[c.alt!]!, c.alt! + 1);
        if (x1 !== ref && x1 !== alt) throw problem('allele_not_snv', `A1 ${quoteValue(x1)} is neither REF ${ref} nor ALT ${alt}`, c.a1! + 1);
        x2 = x1 === ref ? alt : ref;
      }
      if (x1 === x2) throw problem('same_alleles', `a1 and a2 are both '${x1}'`, (c.a2 ?? c.a1!) + 1);

      const rawId = text('snp', f);
      let id = rawId !== undefined && !NA.has(rawId) ? rawId : '';
      if (id === '') {
        if (!hasPos) throw problem('missing_value', `column '${name(c.snp!)}' has no SNP ID`, c.snp! + 1, `missing_value: column '${name(c.snp!)}'`);
        id = `${vChrom}:${vPos}:${x2}:${x1}`;
      }

      let vFreq = num('freq', f);
      if (c.freq !== undefined && !(vFreq >= 0 && vFreq <= 1)) throw problem('invalid_value', `column '${name(c.freq)}': frequency ${f[c.freq]} is outside [0, 1]`, c.freq + 1, `invalid_value: column '${name(c.freq)}'`);
      let vN: number;
      if (caseControl) {
        const ca = num('nCase', f);
        const co = num('nControl', f);
        if (!(ca > 0 && co > 0)) throw problem('invalid_value', `case/control counts ${f[c.nCase!]}/${f[c.nControl!]} must both be > 0`, c.nCase! + 1, 'invalid_value: case/control counts');
        vN = 4 / (1 / ca + 1 / co);
      } else if (c.n !== undefined) {
        vN = num('n', f);
        if (!(vN > 0)) throw problem('invalid_value', `column '${name(c.n)}': sample size must be > 0, got ${f[c.n]}`, c.n + 1, `invalid_value: column '${name(c.n)}'`);
      } else vN = opts.n!;

      let vP = num('p', f);
      if (c.p === undefined && c.log10p !== undefined) {
        const m = num('log10p', f);
        if (!(m >= 0)) throw problem('invalid_value', `column '${name(c.log10p)}': −log10 P ${f[c.log10p]} is negative`, c.log10p + 1, `invalid_value: column '${name(c.log10p)}'`);
        vP = 10 ** -m;
      }
      if (vP === vP && !(vP >= 0 && vP <= 1)) throw problem('invalid_value', `column '${name(c.p!)}': p-value ${f[c.p!]} is outside [0, 1]`, c.p! + 1, `invalid_value: column '${name(c.p!)}'`);

      let vB = NaN;
      let vSe = NaN;
      let vZ = NaN;
      if (effect === 'b') vB = num('b', f);
      else if (effect === 'or') {
        const or = num('or', f);
        if (!(or > 0)) throw problem('invalid_value', `column '${name(c.or!)}': odds ratio ${f[c.or!]} is not > 0`, c.or! + 1, `invalid_value: column '${name(c.or!)}'`);
        vB = Math.log(or);
        if (c.se === undefined && c.orLower !== undefined && c.orUpper !== undefined) {
          const lo = num('orLower', f);
          const hi = num('orUpper', f);
          if (!(lo > 0 && hi > lo)) throw problem('invalid_value', `95 % CI ${f[c.orLower]}–${f[c.orUpper]} is not an interval of odds ratios`, c.orLower + 1, 'invalid_value: odds-ratio CI');
          vSe = (Math.log(hi) - Math.log(lo)) / (2 * Z_975);
        }
      } else vZ = num('z', f);
      if (c.se !== undefined) vSe = num('se', f);
      if (effect !== 'z') {
        if (vSe !== vSe) {
          // se from P: |b| / z(P); a P of 1 (or b = 0) carries no se.
          if (vP !== vP) throw problem('missing_value', 'no se and no p to derive it from', (c.p ?? c.b ?? c.or!) + 1, 'missing_value: se');
          vSe = Math.abs(vB) / -normalQuantile(vP / 2);
          if (!(vSe > 0 && Number.isFinite(vSe))) throw problem('se_not_positive', `se cannot be derived from b = ${vB} and p = ${vP}`, (c.p ?? c.log10p!) + 1);
        }
        if (!(vSe > 0)) throw problem('se_not_positive', `column '${name(c.se!)}': standard error must be > 0, got ${f[c.se!]}`, c.se! + 1);
        if (vP !== vP) vP = normalTwoSidedP(vB / vSe);
      } else if (vFreq === vFreq) {
        // Z on the per-allele scale: b/se = z, se² = 1 / (2f(1−f)(N + z²)).
        const h = 2 * vFreq * (1 - vFreq);
        if (!(h > 0)) throw problem('invalid_value', `frequency ${vFreq} leaves Z with no per-allele scale`, (c.freq ?? c.z!) + 1, 'invalid_value: freq');
        vSe = 1 / Math.sqrt(h * (vN + vZ * vZ));
        vB = vZ * vSe;
        if (vP !== vP) vP = normalTwoSidedP(vZ);
      } else {
        // No frequency yet: b holds Z and se stays NaN until the panel's frequency is known.
        vB = vZ;
        if (vP !== vP) vP = normalTwoSidedP(vZ);
      }

      let vInfo = NaN;
      if (c.info !== undefined) {
        const s = f[c.info]!;
        vInfo = NA.has(s) ? NaN : toNumber(s);
      }
      return { id, chrom: vChrom, chromCode: vCode, pos: vPos, a1: x1, a2: x2, freq: vFreq, b: vB, se: vSe, p: vP, n: vN, info: vInfo };
    };

    const reject = (line: number, id: string, pr: RowProblem): void => {
      rejected.push({ line, snp: id, rule: pr.rule, detail: pr.detail });
      if (!BAD_VALUE_RULES.has(pr.rule)) return;
      const k = problemKinds.get(pr.kind);
      if (k) k.count++;
      else problemKinds.set(pr.kind, { count: 1, line, field: pr.field, detail: pr.detail });
    };

    return (fields, line) => {
      expectFieldCount(path, fields, width, line, header);
      const f = quoted ? fields.map(unquote) : fields;
      if (c.test !== undefined && f[c.test] !== 'ADD') {
        skippedTests++;
        return;
      }
      dataRows++;
      let v: RowValues;
      try {
        v = parse(f);
      } catch (e) {
        if (!(e instanceof RowProblem)) throw e;
        const raw = c.snp !== undefined ? f[c.snp]! : hasPos ? `${f[c.chrom!]}:${f[c.pos!]}` : `line ${line}`;
        reject(line, ownString(raw), e);
        return;
      }
      const prev = ids.indexOf(v.id);
      if (prev !== -1) {
        const firstLine = lineOf.get(prev);
        const same =
          a1[prev] === v.a1 &&
          a2[prev] === v.a2 &&
          sameValue(freq.get(prev), v.freq) &&
          sameValue(b.get(prev), v.b) &&
          sameValue(se.get(prev), v.se) &&
          sameValue(p.get(prev), v.p) &&
          sameValue(n.get(prev), v.n) &&
          (!hasPos || (chrom[prev] === v.chrom && pos.get(prev) === v.pos));
        if (!same) {
          reject(line, v.id, new RowProblem('duplicate_variant', `same SNP ID as line ${firstLine} with different values (first kept)`, 'duplicate_variant', 1));
          return;
        }
        const lines = dups.get(v.id);
        if (lines) lines.push(line);
        else dups.set(v.id, [firstLine, line]);
        return;
      }
      if (hasPos) {
        const site = siteNumber(v.chromCode, v.pos);
        const first = sites.getOrAdd(site, a1.length);
        if (first !== -1) {
          const samePair = (a1[first] === v.a1 && a2[first] === v.a2) || (a1[first] === v.a2 && a2[first] === v.a1);
          if (samePair) {
            reject(line, v.id, new RowProblem('duplicate_variant', `same chromosome, position and alleles as line ${lineOf.get(first)} ('${ids.keys[first]}', first kept)`, 'duplicate_variant', 1));
            return;
          }
          // Another allele pair at the site: a multi-allelic position, removed whole after reading.
          multiSites.add(site);
        }
      }
      ids.addMissed(ownString(v.id));
      a1.push(v.a1);
      a2.push(v.a2);
      freq.push(v.freq);
      b.push(v.b);
      se.push(v.se);
      p.push(v.p);
      n.push(v.n);
      info.push(v.info);
      lineOf.push(line);
      if (hasPos) {
        chrom.push(v.chrom);
        pos.push(v.pos);
      }
    };
  });

  const d = detected!;
  const bad = rejected.filter((r) => BAD_VALUE_RULES.has(r.rule)).length;
  if (bad > maxBad * dataRows) {
    const [kind, worst] = [...problemKinds].sort((x, y) => y[1].count - x[1].count)[0]!;
    throw new BadInputError(
      path,
      `${bad} of ${dataRows} rows (${((100 * bad) / dataRows).toFixed(1)} %) have unusable values, more than --max-bad-rows ${(100 * maxBad).toFixed(1)} %; ` +
        `the commonest problem (${worst.count} rows, ${kind}) first appears here: ${worst.detail}. Is a column mislabelled (--columns) or the file damaged?`,
      worst.line,
      worst.field,
    );
  }
  if (skippedTests > 0) derived.add(`${skippedTests} non-ADD rows skipped`);

  const hasPos = d.columns.chrom !== undefined && d.columns.pos !== undefined;
  const table: SumstatsTable = {
    dialect: d.dialect,
    columns: d.names,
    split,
    derived: [...derived],
    snp: ids.keys,
    a1,
    a2,
    freq: freq.finish(),
    b: b.finish(),
    se: se.finish(),
    p: p.finish(),
    n: n.finish(),
    zOnly: d.columns.b === undefined && d.columns.or === undefined && d.columns.freq === undefined,
    info: d.columns.info !== undefined ? info.finish() : null,
    chrom: hasPos ? chrom : null,
    pos: hasPos ? pos.finish() : null,
    line: lineOf.finish(),
    freqFromPanel: d.columns.freq === undefined,
    duplicates: [...dups].map(([s, lines]) => ({ snp: s, lines })),
    rejected,
    dataRows,
  };
  return multiSites.size > 0 ? removeMultiAllelic(table, multiSites) : table;
}

/**
 * Positions holding more than one allele pair (multi-allelic sites written one pair per row) are
 * removed whole: which pair an LD panel's SNP is cannot be told from the position alone.
 */
function removeMultiAllelic(t: SumstatsTable, multi: ReadonlySet<number>): SumstatsTable {
  const rows = t.snp.length;
  const siteOf = (i: number): number => siteNumber(AUTOSOME_CODE.get(t.chrom![i]!)!, t.pos![i]!);
  const pairs = new Map<number, string[]>();
  for (let i = 0; i < rows; i++) {
    const k = siteOf(i);
    if (!multi.has(k)) continue;
    const pair = t.a1[i]! < t.a2[i]! ? `${t.a1[i]}/${t.a2[i]}` : `${t.a2[i]}/${t.a1[i]}`;
    const list = pairs.get(k) ?? [];
    if (!list.includes(pair)) list.push(pair);
    pairs.set(k, list);
  }
  const keep: number[] = [];
  const dupLines = new Map(t.duplicates.map((x) => [x.snp, x.lines]));
  const rejected = [...t.rejected];
  for (let i = 0; i < rows; i++) {
    const k = siteOf(i);
    if (!multi.has(k)) {
      keep.push(i);
      continue;
    }
    const detail = `position ${t.chrom![i]}:${t.pos![i]} has allele pairs ${pairs.get(k)!.join(', ')}`;
    for (const line of dupLines.get(t.snp[i]!) ?? [t.line[i]!]) rejected.push({ line, snp: t.snp[i]!, rule: 'multi_allelic', detail });
    dupLines.delete(t.snp[i]!);
  }
  rejected.sort((x, y) => x.line - y.line);
  const pick = <T>(xs: readonly T[]): T[] => keep.map((i) => xs[i]!);
  const pickF = (xs: Float64Array): Float64Array => Float64Array.from(keep, (i) => xs[i]!);
  return {
    ...t,
    snp: pick(t.snp),
    a1: pick(t.a1),
    a2: pick(t.a2),
    freq: pickF(t.freq),
    b: pickF(t.b),
    se: pickF(t.se),
    p: pickF(t.p),
    n: pickF(t.n),
    info: t.info ? pickF(t.info) : null,
    chrom: pick(t.chrom!),
    pos: Int32Array.from(keep, (i) => t.pos![i]!),
    line: Int32Array.from(keep, (i) => t.line[i]!),
    duplicates: [...dupLines].map(([snp, lines]) => ({ snp, lines })),
    rejected,
  };
}
