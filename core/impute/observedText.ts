// The observed SNPs' numbers exactly as the input wrote them: the imputed file carries them
// through byte for byte (re-formatting a parsed double could change its text). A second pass
// over the summary statistics keeps only `freq b se p N` of the rows in use, as one string per
// SNP; swapped rows get their sign and frequency turned to the panel's A1.
import { BadInputError } from '../errors.js';
import { isQuotedHeader, ownString, scanTable, toNumber, unquote } from '../formats/text.js';
import type { SumstatsTable } from '../formats/types.js';
import type { Alignment } from '../alleles/alignToPanel.js';

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
 * Per panel SNP, `freq b se p N` of its observed row as written ('' where none); values the
 * reader derived (b = ln OR, p from −log10 P, an effective N, …) are written as the shortest
 * text that reads back as the same double. `stats` and `align` come from the first pass over the
 * same file; a row that no longer agrees with it means the file changed in between.
 */
export async function observedText(path: string, stats: SumstatsTable, align: Alignment): Promise<string[]> {
  const nPanel = align.row.length;
  // Input line → panel SNP, for the rows in use.
  const target = new Map<number, { row: number; j: number }>();
  for (let j = 0; j < nPanel; j++) {
    const row = align.row[j]!;
    if (row >= 0) target.set(stats.line[row]!, { row, j });
  }
  const col = stats.columns;
  const direct = {
    freq: col.freq,
    b: col.b,
    se: col.b !== undefined || col.or !== undefined ? col.se : undefined,
    p: col.p,
    n: col.nCase === undefined || col.nControl === undefined ? col.n : undefined,
  };
  const out = new Array<string>(nPanel).fill('');
  let seen = 0;
  await scanTable(path, stats.split, (rawHeader) => {
    const quoted = isQuotedHeader(rawHeader);
    const lower = rawHeader.map((h) => (quoted ? unquote(h) : h).toLowerCase());
    const at = (name: string | undefined): number => (name === undefined ? -1 : lower.indexOf(name.toLowerCase()));
    const i = { freq: at(direct.freq), b: at(direct.b), se: at(direct.se), p: at(direct.p), n: at(direct.n) };
    return (fields, line) => {
      const hit = target.get(line);
      if (hit === undefined) return;
      const f = quoted ? fields.map(unquote) : fields;
      seen++;
      const { row, j } = hit;
      const value = (k: 'freq' | 'b' | 'se' | 'p' | 'n', v: number): string => (i[k] >= 0 ? f[i[k]]! : String(v));
      const bText = value('b', stats.b[row]!);
      if (toNumber(bText) !== stats.b[row]) {
        throw new BadInputError(path, 'the file changed while it was being read (row values differ between passes)', line);
      }
      const flip = align.swapped[j] === 1;
      const fText = value('freq', stats.freq[row]!);
      const freq = flip ? complementText(fText) : fText;
      const b = flip ? negateText(bText) : bText;
      // ownString flattens the joined text, so it keeps no slice of the 1 MiB read chunk alive.
      out[j] = ownString(`${freq} ${b} ${value('se', stats.se[row]!)} ${value('p', stats.p[row]!)} ${value('n', stats.n[row]!)}`);
    };
  });
  if (seen !== target.size) throw new BadInputError(path, 'the file changed while it was being read (row count differs between passes)');
  return out;
}
