// GWAS outputs: COJO .ma per GWAS (`SNP A1 A2 freq b se p N`; A1 = the .bim A1 / PLINK ALT,
// freq = A1 frequency in the training samples, N = non-missing training samples), variants
// without an estimate listed in a side file with PLINK-like error codes, and folds.tsv.
import { join } from 'node:path';
import { writeFileAtomic } from '../files/atomicWrite.js';
import type { BimTable } from '../formats/types.js';
import { GWAS_ERROR_NAMES, type GwasResults } from './linearFoldGwas.js';

export function gwasFileName(k: number, folds: boolean): string {
  return folds ? `fold${k + 1}` : 'gwas';
}

function g(x: number, digits: number): string {
  return Number.isFinite(x) ? (x === 0 ? '0' : x.toPrecision(digits)) : 'NA';
}

export async function writeGwasFiles(dir: string, bim: BimTable, res: GwasResults, folds: boolean): Promise<string[]> {
  const written: string[] = [];
  for (let k = 0; k < res.nGwas; k++) {
    const ma = ['SNP A1 A2 freq b se p N\n'];
    const errors = ['SNP CHR BP A1 A2 N ERRCODE\n'];
    for (let j = 0; j < res.nVariants; j++) {
      const idx = k * res.nVariants + j;
      if (res.err[idx] === 0) {
        ma.push(`${bim.id[j]} ${bim.a1[j]} ${bim.a2[j]} ${g(res.freq[idx]!, 8)} ${g(res.b[idx]!, 10)} ${g(res.se[idx]!, 10)} ${g(res.p[idx]!, 8)} ${res.n[idx]}\n`);
      } else {
        errors.push(`${bim.id[j]} ${bim.chrom[j]} ${bim.pos[j]} ${bim.a1[j]} ${bim.a2[j]} ${res.n[idx]} ${GWAS_ERROR_NAMES[res.err[idx]!] ?? res.err[idx]}\n`);
      }
    }
    const base = gwasFileName(k, folds);
    await writeFileAtomic(join(dir, `${base}.ma`), ma.join(''));
    written.push(`${base}.ma`);
    if (errors.length > 1) {
      await writeFileAtomic(join(dir, `${base}.errors.tsv`), errors.join(''));
      written.push(`${base}.errors.tsv`);
    }
  }
  return written;
}

export async function writeFolds(dir: string, fid: string[], iid: string[], fold: Int32Array): Promise<string> {
  const rows = ['FID\tIID\tfold\n'];
  for (let i = 0; i < fid.length; i++) rows.push(`${fid[i]}\t${iid[i]}\t${fold[i]! + 1}\n`);
  await writeFileAtomic(join(dir, 'folds.tsv'), rows.join(''));
  return 'folds.tsv';
}
