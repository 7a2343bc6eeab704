// Phenotype and covariate files (PLINK --pheno/--covar style, with a header). Column types are
// inferred rather than declared because users hand us whatever their pipeline wrote: a column
// is numeric when every non-missing value is a number, otherwise text (sex as M/F, batch names).
// Missing: NA, '.', an empty TSV cell, and -9 where the caller says -9 means missing (PLINK's
// phenotype convention; for covariates -9 can be a real value, e.g. a PC score).
//
// The columns a caller will use as numbers (a study's phenotype and covariates: `numericColumns`)
// are checked, not inferred: absent, or holding a value that is neither a number nor missing, is
// refused at its line and column. Any other column with a stray non-number is read as text, not
// refused: a column that is numeric in all rows but a few is usually a typo, but it can as well
// be a genuine text column whose codes are mostly digits (ancestry or batch as 1, 2, EUR…), and
// refusing would leave such a file no way in (types are not declared). Such a column gets a note
// naming its first non-number and where it is, so the typo is seen at ingest, and refused there
// as soon as a study uses it.
import { BadInputError } from '../errors.js';
import { expectFieldCount, ownString, quoteValue, scanTable, tabIfHeaderHasTab, toNumber } from './text.js';
import type { SampleTable } from './types.js';

export interface SampleTableOptions {
  /** Treat -9 as missing (phenotypes: yes unless told otherwise; covariates: no). */
  missingMinus9: boolean;
  /** Columns that must be present and numeric (the phenotype, the covariates a study names). */
  numericColumns?: readonly string[];
}

/** A sample table and what the reader noticed without refusing it (mostly-numeric text columns). */
export interface SampleTableRead extends SampleTable {
  notes: string[];
}

/** The FID of a sample whose file names none (PLINK 2's convention). */
export const NO_FID = '0';

const NON_FINITE = /^[+-]?(inf|infinity|nan)$/i;

/** Text columns use '' for missing. */
export async function readSampleTable(path: string, options: SampleTableOptions): Promise<SampleTableRead> {
  const fid: string[] = [];
  const iid: string[] = [];
  let names: string[] = [];
  let raw: string[][] = [];
  let idColumns = 2;
  const seen = new Map<string, number>();
  const required = new Set(options.numericColumns ?? []);

  await scanTable(path, tabIfHeaderHasTab, (header) => {
    const h0 = header[0]?.toLowerCase();
    const h1 = header[1]?.toLowerCase();
    // An IID-only table (PLINK 2's '#IID' header): its samples have FID '0', as PLINK 2 reads them,
    // which is also the FID of samples from a VCF, a BGEN or a '#IID' .psam.
    idColumns = h0 === 'iid' || h0 === '#iid' ? 1 : 2;
    const fidAt = header.findIndex((h) => h.toLowerCase() === 'fid');
    if (idColumns === 1 && fidAt > 0) {
      throw new BadInputError(path, `FID must be the first column, before IID (found IID first and FID in column ${fidAt + 1})`, 1, 1);
    }
    if (idColumns === 2 && h0 !== 'fid' && h0 !== '#fid') {
      throw new BadInputError(path, `first column must be FID (or IID, for a table without family IDs), found '${header[0]}' (columns present: ${header.join(', ')})`, 1, 1);
    }
    if (idColumns === 2 && h1 !== 'iid') {
      throw new BadInputError(path, `second column must be IID, found '${header[1] ?? ''}' (columns present: ${header.join(', ')})`, 1, 2);
    }
    names = header.slice(idColumns);
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
    // Names match exactly, as the phenotype and covariates are looked up later.
    const absent = [...required].filter((r) => !names.includes(r));
    if (absent.length > 0) {
      const which = absent.map((r) => `'${r}'`).join(', ');
      const nearMiss = absent.map((r) => names.find((n) => n.toLowerCase() === r.toLowerCase())).filter((n) => n !== undefined);
      const hint = nearMiss.length > 0 ? `; names are case-sensitive: ${nearMiss.map((n) => `'${n}'`).join(', ')}?` : '';
      throw new BadInputError(path, `no column ${which} (columns present: ${header.join(', ')})${hint}`, 1);
    }
    raw = names.map(() => []);
    const width = header.length;
    return (f, line) => {
      expectFieldCount(path, f, width, line, header);
      const f0 = idColumns === 2 ? f[0]! : NO_FID;
      const i0 = f[idColumns - 1]!;
      const key = `${f0}\t${i0}`;
      const first = seen.get(key);
      if (first !== undefined) {
        throw new BadInputError(path, `duplicate sample FID '${f0}' IID '${i0}' (lines ${first} and ${line})`, line, 1);
      }
      seen.set(key, line);
      fid.push(idColumns === 2 ? ownString(f0) : NO_FID);
      iid.push(ownString(i0));
      for (let j = 0; j < raw.length; j++) raw[j]!.push(ownString(f[j + idColumns]!));
    };
  });

  const isMissing = (s: string): boolean =>
    s === 'NA' || s === '.' || s === '' || (options.missingMinus9 && toNumber(s) === -9);

  const table: SampleTableRead = { fid, iid, numeric: [], text: [], notes: [] };
  names.forEach((name, j) => {
    const col = raw[j]!;
    // 'inf', 'nan', '1e999' are numbers to some tools and text to others: never guess (a
    // phenotype column would silently become text). Data row i is line i + 2 (blank lines
    // are only allowed at the end).
    const nonFinite = (i: number): void => {
      const s = col[i]!;
      if (NON_FINITE.test(s) || Math.abs(+s) === Infinity) {
        throw new BadInputError(path, `column '${name}': expected a finite number or NA, got ${quoteValue(s)} (write NA for a missing value)`, i + 2, j + idColumns + 1);
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
        if (required.has(name)) {
          nonFinite(i);
          throw new BadInputError(path, `${quoteValue(s)} is not a number (column '${name}')`, i + 2, j + idColumns + 1);
        }
        for (let k = i; k < col.length; k++) nonFinite(k);
        numeric = false;
        const stray = strayText(col, isMissing);
        if (stray) {
          table.notes.push(
            `column '${name}' is read as text (${stray.others} of its ${stray.values} values ${stray.others === 1 ? 'is' : 'are'} not a number, the first ${quoteValue(s)} at line ${i + 2}, column ${j + idColumns + 1}), so it cannot be a phenotype or covariate; write NA for a missing value`,
          );
        }
        break;
      }
      values[i] = v;
    }
    if (numeric) table.numeric.push({ name, values });
    else table.text.push({ name, values: col.map((s) => (isMissing(s) ? '' : s)) });
  });
  return table;
}

/**
 * When at least half of a text column's non-missing values are numbers, how many are not: likely
 * a typo in a numeric column. Undefined for a plain text column (M/F, batch names).
 */
function strayText(col: readonly string[], isMissing: (s: string) => boolean): { others: number; values: number } | undefined {
  let numbers = 0;
  let others = 0;
  for (const s of col) {
    if (isMissing(s)) continue;
    if (Number.isNaN(toNumber(s))) others++;
    else numbers++;
  }
  return numbers >= others ? { others, values: numbers + others } : undefined;
}
