// The observed SNPs' numbers exactly as the input wrote them: the imputed file carries them
// through byte for byte (re-formatting a parsed double could change its text). A second pass
// over the summary statistics keeps only `freq b se p N` of the rows in use, as one string per
// SNP; swapped rows get their sign and frequency turned to the panel's A1.
import { BadInputError } from '../errors.js';
import { type ColumnSpec, findColumns, ownString, scanTable, tabIfHeaderHasTab, toNumber } from '../formats/text.js';
import type { SumstatsTable } from '../formats/types.js';
import type { Alignment } from '../alleles/alignToPanel.js';

type NumberColumns = Record<'freq' | 'b' | 'se' | 'p' | 'n', ColumnSpec>;

// The columns `readSumstats` takes the same numbers from.
const COJO: NumberColumns = {
  freq: { name: 'freq', aliases: ['frq', 'af1'] },
  b: { name: 'b', aliases: ['beta'] },
  se: { name: 'se' },
  p: { name: 'p', aliases: ['pval'] },
  n: { name: 'N' },
};
const SSF: NumberColumns = {
  freq: { name: 'effect_allele_frequency' },
  b: { name: 'beta' },
  se: { name: 'standard_error' },
  p: { name: 'p_value' },
  n: { name: 'n', optional: true }, // rows without N are not in use
};

/** −x as text: the sign toggled, so the digits stay as written ('0' stays '0'). */
export function negateText(s: string): string {
  if (s.startsWith('-')) return s.slice(1);
  if (s.startsWith('+')) return `-${s.slice(1)}`;
  return toNumber(s) === 0 ? s : `-${s}`;
}

/** 1 − f as text, at 15 significant digits so 1 − 0.1234 prints as 0.8766. */
export function complementText(s: string): string {
  return String(Number((1 - toNumber(s)).toPrecision(15)));
}

/**
 * Per panel SNP, `freq b se p N` of its observed row as written ('' where none). `stats` and
 * `align` come from the first pass over the same file; a row that no longer agrees with it
 * means the file changed in between.
 */
export async function observedText(path: string, stats: SumstatsTable, align: Alignment): Promise<string[]> {
  const nPanel = align.row.length;
  // Sumstats row → panel SNP, for the rows in use.
  const target = new Int32Array(stats.snp.length).fill(-1);
  for (let j = 0; j < nPanel; j++) if (align.row[j]! >= 0) target[align.row[j]!] = j;
  // The reader kept the first of consistent duplicates: skip the later lines to keep rows aligned.
  const skip = new Set<number>();
  for (const d of stats.duplicates) for (const line of d.lines.slice(1)) skip.add(line);

  const out = new Array<string>(nPanel).fill('');
  let r = 0;
  await scanTable(path, stats.format === 'gwas-ssf' ? tabIfHeaderHasTab : 'whitespace', (header) => {
    const c = findColumns(path, header, stats.format === 'gwas-ssf' ? SSF : COJO);
    return (f, line) => {
      if (skip.has(line)) return;
      const row = r++;
      const j = target[row];
      if (j === undefined || j < 0) return;
      const bText = f[c.b]!;
      if (toNumber(bText) !== stats.b[row]) {
        throw new BadInputError(path, 'the file changed while it was being read (row values differ between passes)', line);
      }
      const flip = align.swapped[j] === 1;
      const freq = flip ? complementText(f[c.freq]!) : f[c.freq]!;
      const b = flip ? negateText(bText) : bText;
      // ownString flattens the joined text, so it keeps no slice of the 1 MiB read chunk alive.
      out[j] = ownString(`${freq} ${b} ${f[c.se]!} ${f[c.p]!} ${f[c.n]!}`);
    };
  });
  if (r !== stats.snp.length) throw new BadInputError(path, 'the file changed while it was being read (row count differs between passes)');
  return out;
}
