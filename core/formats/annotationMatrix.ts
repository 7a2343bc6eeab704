// A fit's annotation matrix read straight from the annotation file (`SNP`, intercept, annotation
// columns; formats/annotations.ts has the rules) into panel order: SNP-major float32 on shared
// memory, so block worker threads read it in place. The file's rows are not kept: a 7-million-row
// baseline file fitted on a 1.1-million-SNP panel costs the panel's rows only (4 bytes per value;
// 0/1 annotations are exact, continuous ones keep ~7 significant digits, more than annotation
// files print). Panel SNPs absent from the file get 0 (intercept 1).
import { BadInputError } from '../errors.js';
import { expectFieldCount, findColumns, parseNumber, scanTable, tabIfHeaderHasTab } from './text.js';

const BINARY_TOL = 1e-6;

export interface PanelAnnotations {
  nA: number;
  /** a[j·nA + t] for panel SNP j; column 0 is the intercept (1). */
  a: Float32Array;
  names: string[];
  /** Per column: all 0/1 over the panel's SNPs (the intercept counts as binary). */
  binary: boolean[];
  /** Panel SNPs the file covers. */
  covered: number;
}

export async function readAnnotationMatrix(path: string, panelIds: readonly string[]): Promise<PanelAnnotations> {
  const index = new Map<string, number>();
  panelIds.forEach((id, j) => index.set(id, j));
  const lineOf = new Int32Array(panelIds.length); // 0: not seen yet
  let names: string[] = [];
  let nA = 0;
  let a: Float32Array = new Float32Array(0);
  let covered = 0;

  await scanTable(path, tabIfHeaderHasTab, (header) => {
    const { snp: iSnp } = findColumns(path, header, { snp: { name: 'SNP' } });
    if (iSnp !== 0) throw new BadInputError(path, `the first column must be SNP, found '${header[0]}'`, 1, 1);
    if (header.length < 2) throw new BadInputError(path, 'no annotation columns after SNP (the intercept column at least)', 1, 2);
    names = header.slice(1);
    nA = names.length;
    a = new Float32Array(new SharedArrayBuffer(4 * panelIds.length * nA));
    const width = header.length;
    return (f, line) => {
      expectFieldCount(path, f, width, line, header);
      const j = index.get(f[0]!);
      if (j === undefined) return; // not in the panel: not needed for this fit
      if (lineOf[j] !== 0) throw new BadInputError(path, `duplicate SNP '${f[0]}' (lines ${lineOf[j]} and ${line})`, line, 1);
      lineOf[j] = line;
      covered++;
      const row = j * nA;
      a[row] = 1; // the intercept, whatever the file says (DESIGN §4)
      for (let c = 1; c < nA; c++) a[row + c] = parseNumber(path, f[c + 1]!, names[c]!, line, c + 2);
    };
  });
  for (let j = 0; j < panelIds.length; j++) if (lineOf[j] === 0) a[j * nA] = 1;

  const binary = names.map((_, c) => c === 0);
  for (let c = 1; c < nA; c++) {
    let allZero = true;
    let isBinary = true;
    for (let j = 0; j < panelIds.length; j++) {
      const v = a[j * nA + c]!;
      if (Math.abs(v) > BINARY_TOL) allZero = false;
      if (Math.abs(v) > BINARY_TOL && Math.abs(v - 1) > BINARY_TOL) isBinary = false;
      if (!allZero && !isBinary) break;
    }
    // Its coefficient would not be identifiable: usually a wrong or empty source file.
    if (allZero) throw new BadInputError(path, `annotation column '${names[c]}' is zero for every SNP of the LD panel`, 1, c + 2);
    binary[c] = isBinary;
  }
  return { nA, a, names, binary, covered };
}
