// SBayesRC functional annotations: `SNP`, then the intercept column, then annotation columns.
// The intercept is forced to 1 (DESIGN §4) so a file with a sloppy intercept still gives the
// probit model its baseline. An all-zero annotation is an error: its coefficient is not
// identifiable and the sampler would drift on it (usually a wrong or empty source file).
import { BadInputError } from '../errors.js';
import {
  expectFieldCount,
  F64Column,
  findColumns,
  I32Column,
  ownString,
  parseNumber,
  scanTable,
  StringIndex,
  tabIfHeaderHasTab,
} from './text.js';
import type { AnnotationTable } from './types.js';

const BINARY_TOL = 1e-6;

export async function readAnnotations(path: string): Promise<AnnotationTable> {
  let names: string[] = [];
  let cols: F64Column[] = [];
  const ids = new StringIndex(); // ids.keys is the SNP column
  const lineOf = new I32Column();

  await scanTable(path, tabIfHeaderHasTab, (header) => {
    const { snp: iSnp } = findColumns(path, header, { snp: { name: 'SNP' } });
    if (iSnp !== 0) throw new BadInputError(path, `the first column must be SNP, found '${header[0]}'`, 1, 1);
    if (header.length < 2) throw new BadInputError(path, 'no annotation columns after SNP (the intercept column at least)', 1, 2);
    names = header.slice(1);
    cols = names.map(() => new F64Column());
    const width = header.length;
    return (f, line) => {
      expectFieldCount(path, f, width, line, header);
      const id = ownString(f[0]!);
      const first = ids.getOrAdd(id);
      if (first !== -1) throw new BadInputError(path, `duplicate SNP '${id}' (lines ${lineOf.get(first)} and ${line})`, line, 1);
      lineOf.push(line);
      for (let j = 0; j < cols.length; j++) {
        const v = parseNumber(path, f[j + 1]!, names[j]!, line, j + 2);
        cols[j]!.push(j === 0 ? 1 : v);
      }
    };
  });

  const columns = cols.map((c) => c.finish());
  const binary = columns.map((values, j) => {
    let allZero = true;
    let isBinary = true;
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (Math.abs(v) > BINARY_TOL) allZero = false;
      if (Math.abs(v) > BINARY_TOL && Math.abs(v - 1) > BINARY_TOL) isBinary = false;
    }
    if (allZero) {
      throw new BadInputError(path, `annotation column '${names[j]}' is zero for every SNP`, 1, j + 2);
    }
    return isBinary;
  });
  return { snp: ids.keys, names, columns, binary };
}
