// Phenotype and covariate files (PLINK --pheno/--covar style, with a header). Column types are
// inferred rather than declared because users hand us whatever their pipeline wrote: a column
// is numeric when every non-missing value is a number, otherwise text (sex as M/F, batch names).
// Missing: NA, '.', an empty TSV cell, and -9 where the caller says -9 means missing (PLINK's
// phenotype convention; for covariates -9 can be a real value, e.g. a PC score).
import { BadInputError } from '../errors.js';
import { expectFieldCount, ownString, quoteValue, scanTable, tabIfHeaderHasTab, toNumber } from './text.js';
import type { SampleTable } from './types.js';

export interface SampleTableOptions {
  /** Treat -9 as missing (phenotypes: yes; covariates: no). */
  missingMinus9: boolean;
}

const NON_FINITE = /^[+-]?(inf|infinity|nan)$/i;

/** Text columns use '' for missing. */
export async function readSampleTable(path: string, options: SampleTableOptions): Promise<SampleTable> {
  const fid: string[] = [];
  const iid: string[] = [];
  let names: string[] = [];
  let raw: string[][] = [];
  const seen = new Map<string, number>();

  await scanTable(path, tabIfHeaderHasTab, (header) => {
    const h0 = header[0]?.toLowerCase();
    const h1 = header[1]?.toLowerCase();
    if (h0 !== 'fid' && h0 !== '#fid') {
      throw new BadInputError(path, `first column must be FID, found '${header[0]}' (columns present: ${header.join(', ')})`, 1, 1);
    }
    if (h1 !== 'iid') {
      throw new BadInputError(path, `second column must be IID, found '${header[1] ?? ''}' (columns present: ${header.join(', ')})`, 1, 2);
    }
    names = header.slice(2);
    const firstAt = new Map<string, number>();
    header.forEach((name, i) => {
      const key = name.toLowerCase();
      if (name === '') throw new BadInputError(path, 'empty column name in the header', 1, i + 1);
      const before = firstAt.get(key);
      if (before !== undefined) {
        throw new BadInputError(path, `column '${header[before]}' appears twice (fields ${before + 1} and ${i + 1})`, 1, i + 1);
      }
      firstAt.set(key, i);
    });
    raw = names.map(() => []);
    const width = header.length;
    return (f, line) => {
      expectFieldCount(path, f, width, line, header);
      const key = `${f[0]}\t${f[1]}`;
      const first = seen.get(key);
      if (first !== undefined) {
        throw new BadInputError(path, `duplicate sample FID '${f[0]}' IID '${f[1]}' (lines ${first} and ${line})`, line, 1);
      }
      seen.set(key, line);
      fid.push(ownString(f[0]!));
      iid.push(ownString(f[1]!));
      for (let j = 0; j < raw.length; j++) raw[j]!.push(ownString(f[j + 2]!));
    };
  });

  const isMissing = (s: string): boolean =>
    s === 'NA' || s === '.' || s === '' || (options.missingMinus9 && toNumber(s) === -9);

  const table: SampleTable = { fid, iid, numeric: [], text: [] };
  names.forEach((name, j) => {
    const col = raw[j]!;
    // 'inf', 'nan', '1e999' are numbers to some tools and text to others: never guess (a
    // phenotype column would silently become text). Data row i is line i + 2 (blank lines
    // are only allowed at the end).
    const nonFinite = (i: number): void => {
      const s = col[i]!;
      if (NON_FINITE.test(s) || Math.abs(+s) === Infinity) {
        throw new BadInputError(path, `column '${name}': expected a finite number or NA, got ${quoteValue(s)} (write NA for a missing value)`, i + 2, j + 3);
      }
    };
    const values = new Float64Array(col.length);
    let numeric = true;
    for (let i = 0; i < col.length; i++) {
      const s = col[i]!;
      if (isMissing(s)) {
        values[i] = NaN;
        continue;
      }
      const v = toNumber(s);
      if (v !== v) {
        for (let k = i; k < col.length; k++) nonFinite(k);
        numeric = false;
        break;
      }
      values[i] = v;
    }
    if (numeric) table.numeric.push({ name, values });
    else table.text.push({ name, values: col.map((s) => (isMissing(s) ? '' : s)) });
  });
  return table;
}
