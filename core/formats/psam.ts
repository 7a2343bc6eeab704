// PLINK 2 .psam (pgen_spec §3): header lines start with '#', the last one '#FID' or '#IID' and
// naming the columns; without a header the file is read as a .fam (FID IID PAT MAT SEX …).
// Only the sample IDs are kept: phenotypes and covariates come from the study's own tables.
import { BadInputError } from '../errors.js';
import type { GenotypeSamples } from '../genotypes/dosageSource.js';
import { ownString, scanLines } from './text.js';

export async function readPsam(path: string): Promise<GenotypeSamples> {
  const fid: string[] = [];
  const iid: string[] = [];
  const seen = new Map<string, number>();
  let header: string[] | null = null;
  let body = false;
  let fidCol = 0;
  let iidCol = 1;
  let width = 5;
  await scanLines(path, 'whitespace', (f, line) => {
    const first = f[0]!;
    if (!body && first.startsWith('#')) {
      // Earlier '#' lines are free-form; the column header is the one naming FID or IID.
      if (first === '#FID' || first === '#IID') header = [first.slice(1), ...f.slice(1)];
      return;
    }
    if (!body) {
      body = true;
      if (header !== null) ({ fidCol, iidCol, width } = columnsOf(path, header));
      else if (f.length < 5) {
        throw new BadInputError(path, `a .psam without a '#FID'/'#IID' header line is read as a .fam and needs at least 5 fields (FID IID PAT MAT SEX), found ${f.length}`, line);
      }
    }
    if (f.length < width) throw new BadInputError(path, `expected at least ${width} fields (as in the header), found ${f.length}`, line, f.length + 1);
    const family = fidCol < 0 ? '0' : f[fidCol]!;
    const individual = f[iidCol]!;
    const key = `${family}\t${individual}`;
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new BadInputError(path, `duplicate sample FID '${family}' IID '${individual}' (lines ${earlier} and ${line}); samples told apart only by SID are not supported`, line);
    }
    seen.set(key, line);
    fid.push(ownString(family));
    iid.push(ownString(individual));
  });
  if (iid.length === 0) throw new BadInputError(path, 'no samples');
  return { fid, iid, hasFid: header === null || fidCol === 0, source: path };
}

function columnsOf(path: string, header: string[]): { fidCol: number; iidCol: number; width: number } {
  const fidCol = header[0] === 'FID' ? 0 : -1;
  const iidCol = header.indexOf('IID');
  if (iidCol !== fidCol + 1) {
    throw new BadInputError(path, `header '#${header.join(' ')}': IID must be the first column, or the second after FID`);
  }
  return { fidCol, iidCol, width: header.length };
}
