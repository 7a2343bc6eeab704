// Oxford .sample files (the sample list of .gen/.bgen): a header line of column names, a line of
// column types, then one line per sample. IDs are read as PLINK 2 (v2.00a3.5) imports them:
// with an `ID_2` second column, FID = ID_1 and IID = ID_2, and the file counts as having no
// FIDs when every ID_1 is '0' (what `plink2 --export bgen-1.x` writes); without `ID_2` (the
// QCTOOL v2 dialect, first column of any name) the whole first field is the IID.
import { writeFileSync } from 'node:fs';
import { BadInputError } from '../errors.js';
import { expectFieldCount, ownString, quoteValue, scanLines } from './text.js';

export interface OxfordSample {
  path: string;
  /** '0' for every sample when the file has no ID_2 column or every ID_1 is '0'. */
  fid: string[];
  iid: string[];
  hasFid: boolean;
  /** 1-based line of each sample. */
  line: Int32Array;
  /** Column names of the first header line, as written. */
  columns: string[];
}

// Column types of the second header line: 0 = ID or 'missing', D discrete, C/P continuous, B binary.
const COLUMN_TYPES = new Set(['0', 'D', 'C', 'P', 'B']);

export async function readOxfordSample(path: string): Promise<OxfordSample> {
  let columns: string[] | undefined;
  let twoIds = false;
  let typesSeen = false;
  const rawFid: string[] = [];
  const iid: string[] = [];
  const lines: number[] = [];
  const seen = new Map<string, number>();
  await scanLines(path, 'whitespace', (f, line) => {
    if (columns === undefined) {
      columns = f.slice();
      twoIds = columns.length > 1 && columns[1] === 'ID_2';
      return;
    }
    if (!typesSeen) {
      checkTypeLine(path, columns, f, line, twoIds);
      typesSeen = true;
      return;
    }
    expectFieldCount(path, f, columns.length, line, columns);
    const fid = twoIds ? f[0]! : '0';
    const id = twoIds ? f[1]! : f[0]!;
    const key = `${fid}\t${id}`;
    const first = seen.get(key);
    if (first !== undefined) {
      const what = twoIds ? `ID_1 '${fid}' ID_2 '${id}'` : `ID '${id}'`;
      throw new BadInputError(path, `duplicate sample ${what} (lines ${first} and ${line})`, line, 1);
    }
    seen.set(key, line);
    rawFid.push(ownString(fid));
    iid.push(ownString(id));
    lines.push(line);
  });
  if (columns === undefined) throw new BadInputError(path, 'empty file: an Oxford .sample starts with a line of column names (ID_1 ID_2 missing …)');
  if (!typesSeen) throw new BadInputError(path, 'only one header line: an Oxford .sample has a second line of column types (0 0 0 …)', 2);
  if (iid.length === 0) throw new BadInputError(path, 'no samples after the two header lines', 3);
  const hasFid = rawFid.some((f) => f !== '0');
  return { path, fid: rawFid, iid, hasFid, line: Int32Array.from(lines), columns };
}

function checkTypeLine(path: string, columns: readonly string[], types: readonly string[], line: number, twoIds: boolean): void {
  if (types.length !== columns.length) {
    throw new BadInputError(path, `the type line has ${types.length} fields, the header line ${columns.length} (${columns.join(' ')})`, line);
  }
  for (const [i, t] of types.entries()) {
    if (!COLUMN_TYPES.has(t)) {
      throw new BadInputError(path, `unknown column type ${quoteValue(t)} for '${columns[i]}' (expected 0, D, C, P or B)`, line, i + 1);
    }
  }
  const idColumns = twoIds ? 2 : 1;
  for (let i = 0; i < idColumns; i++) {
    if (types[i] !== '0') {
      throw new BadInputError(path, `ID column '${columns[i]}' has type ${quoteValue(types[i]!)}, expected '0' (is the type line missing?)`, line, i + 1);
    }
  }
}

/**
 * A minimal .sample (ID_1 ID_2 missing, then one line per sample with missingness 0), as
 * `plink2 --export bgen-1.x` writes it: ID_1 is the FID ('0' without one).
 */
export function writeOxfordSample(path: string, samples: { fid: readonly string[]; iid: readonly string[] }): void {
  const rows = samples.iid.map((id, i) => `${samples.fid[i] ?? '0'} ${id} 0`);
  writeFileSync(path, ['ID_1 ID_2 missing', '0 0 0', ...rows, ''].join('\n'));
}
