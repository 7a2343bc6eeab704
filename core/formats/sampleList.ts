// Sample ID lists (`FID IID` per line, optional header, like PLINK's --keep files and the
// 1000 Genomes population lists). A line with one field is an error naming it.
import { BadInputError } from '../errors.js';
import { scanLines } from './text.js';

export interface SampleList {
  fid: string[];
  iid: string[];
  /** 1-based line of each entry. */
  line: Int32Array;
}

export async function readSampleList(path: string): Promise<SampleList> {
  const fid: string[] = [];
  const iid: string[] = [];
  const lines: number[] = [];
  await scanLines(path, 'whitespace', (f, line) => {
    if (f.length < 2) throw new BadInputError(path, `expected 'FID IID', got ${f.length} field`, line, f.length + 1);
    if (lines.length === 0 && f[0]!.replace(/^#/, '').toUpperCase() === 'FID' && f[1]!.toUpperCase() === 'IID') return; // header
    fid.push(`${f[0]}`);
    iid.push(`${f[1]}`);
    lines.push(line);
  });
  if (fid.length === 0) throw new BadInputError(path, 'empty sample list');
  return { fid, iid, line: Int32Array.from(lines) };
}

export function sampleKeys(list: SampleList): Set<string> {
  return new Set(list.fid.map((f, i) => `${f}\t${list.iid[i]}`));
}
