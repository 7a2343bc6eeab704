// GWAS summary statistics: COJO .ma (what SBayesRC/GCTB consume) or GWAS-SSF (what the GWAS
// Catalog publishes), told apart by the header. Values that would make QC meaningless (a
// non-number, se <= 0, p or freq outside [0, 1], an allele that is not a single base) are input
// errors here rather than silent QC removals: they mean a wrong column or a broken file.
//
// GWAS-SSF SNP ids: `rsid` when the column exists and the row has one (not NA/./empty), else
// `chrom:pos:other_allele:effect_allele` (chrom without 'chr', alleles upper-case), i.e. the
// usual chr:pos:ref:alt when the effect allele is the alternate one as GWAS-SSF recommends.
import { BadInputError } from '../errors.js';
import {
  expectFieldCount,
  F64Column,
  findColumns,
  I32Column,
  normaliseChrom,
  ownString,
  parseInteger,
  parseNumber,
  quoteValue,
  scanTable,
  StringIndex,
  type RowHandler,
  type Split,
} from './text.js';
import type { SumstatsTable } from './types.js';

const BASES: Record<string, string> = { A: 'A', C: 'C', G: 'G', T: 'T', a: 'A', c: 'C', g: 'G', t: 'T' };

/** Upper-cased single base, interned (10M rows share four strings). */
function allele(file: string, s: string, column: string, line: number, field: number): string {
  const b = BASES[s];
  if (b !== undefined) return b;
  const why = s.length > 1 ? 'multi-character alleles (indels) are not supported' : 'expected one of A, C, G, T';
  throw new BadInputError(file, `column '${column}': allele ${quoteValue(s)}: ${why}`, line, field);
}

/** Equal numbers, NaN equal to NaN (an absent N or freq), 0 equal to -0. */
const sameValue = (x: number, y: number): boolean => x === y || (x !== x && y !== y);

const isNA = (s: string): boolean => s === 'NA' || s === 'na' || s === 'NaN' || s === '.' || s === '';

const COJO = {
  snp: { name: 'SNP' },
  a1: { name: 'A1' },
  a2: { name: 'A2' },
  freq: { name: 'freq', aliases: ['frq', 'af1'] },
  b: { name: 'b', aliases: ['beta'] },
  se: { name: 'se' },
  p: { name: 'p', aliases: ['pval'] },
  n: { name: 'N' },
} as const;

const SSF = {
  chrom: { name: 'chromosome' },
  pos: { name: 'base_pair_location' },
  a1: { name: 'effect_allele' },
  a2: { name: 'other_allele' },
  b: { name: 'beta' },
  se: { name: 'standard_error' },
  freq: { name: 'effect_allele_frequency' },
  p: { name: 'p_value' },
  rsid: { name: 'rsid', optional: true },
  n: { name: 'n', optional: true },
} as const;

const SSF_MARKERS = ['chromosome', 'base_pair_location', 'effect_allele', 'other_allele', 'standard_error', 'p_value'];

function isSsfHeader(fields: readonly string[]): boolean {
  return fields.some((f) => SSF_MARKERS.includes(f.toLowerCase()));
}

export async function readSumstats(path: string): Promise<SumstatsTable> {
  let format = 'cojo' as SumstatsTable['format']; // set from the header
  const a1: string[] = [];
  const a2: string[] = [];
  const chrom: string[] = [];
  const freq = new F64Column();
  const b = new F64Column();
  const se = new F64Column();
  const p = new F64Column();
  const n = new F64Column();
  const pos = new I32Column();
  const lineOf = new I32Column();
  const ids = new StringIndex(); // ids.keys is the SNP column
  const dups = new Map<string, number[]>();

  // GWAS-SSF is TSV by specification; COJO is whitespace-separated (spaces or tabs, in runs).
  const chooseSplit = (header: string): Split =>
    header.includes('\t') && isSsfHeader(header.split('\t')) ? 'tab' : 'whitespace';

  await scanTable(path, chooseSplit, (header): RowHandler => {
    format = isSsfHeader(header) ? 'gwas-ssf' : 'cojo';
    const width = header.length;
    const ssf = format === 'gwas-ssf';
    const c = ssf ? findColumns(path, header, SSF) : findColumns(path, header, COJO);
    const name = (i: number): string => header[i]!;
    const iA1 = c.a1, iA2 = c.a2, iFreq = c.freq, iB = c.b, iSe = c.se, iP = c.p, iN = c.n;
    const iSnp = 'snp' in c ? c.snp : -1;
    const iChrom = 'chrom' in c ? c.chrom : -1;
    const iPos = 'pos' in c ? c.pos : -1;
    const iRsid = 'rsid' in c ? c.rsid : -1;

    return (f, line) => {
      expectFieldCount(path, f, width, line, header);
      const x1 = allele(path, f[iA1]!, name(iA1), line, iA1 + 1);
      const x2 = allele(path, f[iA2]!, name(iA2), line, iA2 + 1);
      if (x1 === x2) throw new BadInputError(path, `${name(iA1)} and ${name(iA2)} are both '${x1}'`, line, iA2 + 1);
      const fs = f[iFreq]!;
      const vFreq = ssf && isNA(fs) ? NaN : parseNumber(path, fs, name(iFreq), line, iFreq + 1);
      if (vFreq < 0 || vFreq > 1) throw new BadInputError(path, `column '${name(iFreq)}': frequency ${fs} is outside [0, 1]`, line, iFreq + 1);
      const vB = parseNumber(path, f[iB]!, name(iB), line, iB + 1);
      const vSe = parseNumber(path, f[iSe]!, name(iSe), line, iSe + 1);
      if (!(vSe > 0)) throw new BadInputError(path, `column '${name(iSe)}': standard error must be > 0, got ${f[iSe]}`, line, iSe + 1);
      const vP = parseNumber(path, f[iP]!, name(iP), line, iP + 1);
      if (vP < 0 || vP > 1) throw new BadInputError(path, `column '${name(iP)}': p-value ${f[iP]} is outside [0, 1]`, line, iP + 1);
      let vN = NaN;
      if (iN >= 0) {
        const ns = f[iN]!;
        if (!(ssf && isNA(ns))) {
          vN = parseNumber(path, ns, name(iN), line, iN + 1);
          if (!(vN > 0)) throw new BadInputError(path, `column '${name(iN)}': sample size must be > 0, got ${ns}`, line, iN + 1);
        }
      }
      let id: string;
      let idField: number;
      let vChrom = '';
      let vPos = 0;
      if (ssf) {
        vChrom = normaliseChrom(f[iChrom]!);
        vPos = parseInteger(path, f[iPos]!, name(iPos), line, iPos + 1);
        const rs = iRsid >= 0 ? f[iRsid]! : '';
        idField = iRsid >= 0 && !isNA(rs) ? iRsid + 1 : iPos + 1;
        id = iRsid >= 0 && !isNA(rs) ? ownString(rs) : `${vChrom}:${vPos}:${x2}:${x1}`;
      } else {
        id = ownString(f[iSnp]!);
        idField = iSnp + 1;
      }

      const prev = ids.getOrAdd(id);
      if (prev !== -1) {
        const same =
          a1[prev] === x1 &&
          a2[prev] === x2 &&
          sameValue(freq.get(prev), vFreq) &&
          sameValue(b.get(prev), vB) &&
          sameValue(se.get(prev), vSe) &&
          sameValue(p.get(prev), vP) &&
          sameValue(n.get(prev), vN) &&
          (!ssf || (chrom[prev] === vChrom && pos.get(prev) === vPos));
        const firstLine = lineOf.get(prev);
        if (!same) {
          throw new BadInputError(path, `duplicate SNP '${id}' with different values on lines ${firstLine} and ${line}`, line, idField);
        }
        const lines = dups.get(id);
        if (lines) lines.push(line);
        else dups.set(id, [firstLine, line]);
        return;
      }
      a1.push(x1);
      a2.push(x2);
      freq.push(vFreq);
      b.push(vB);
      se.push(vSe);
      p.push(vP);
      n.push(vN);
      lineOf.push(line);
      if (ssf) {
        chrom.push(vChrom);
        pos.push(vPos);
      }
    };
  });

  return {
    format,
    snp: ids.keys,
    a1,
    a2,
    freq: freq.finish(),
    b: b.finish(),
    se: se.finish(),
    p: p.finish(),
    n: n.finish(),
    chrom: format === 'gwas-ssf' ? chrom : null,
    pos: format === 'gwas-ssf' ? pos.finish() : null,
    duplicates: [...dups].map(([s, lines]) => ({ snp: s, lines })),
  };
}
