// PLINK 1 binary filesets: .fam and .bim are parsed; the .bed is only validated here (magic,
// variant-major mode, exact size), because genotypes are streamed later block by block and a
// size check is what catches a .bed/.bim/.fam trio that does not belong together.
import { BadInputError } from '../errors.js';
import { expectFieldCount, F64Column, I32Column, requireRegularFile, ownString, parseInteger, parseNumber, scanRows } from './text.js';
import { readFileHead } from './fileHead.js';
import type { BedLayout, BimTable, FamTable } from './types.js';

export interface BfilePaths {
  bed: string;
  bim: string;
  fam: string;
}

/** `prefix` as given to PLINK's --bfile; a trailing .bed/.bim/.fam is tolerated. */
export async function resolveBfile(prefix: string): Promise<BfilePaths> {
  const base = /\.(bed|bim|fam)$/.test(prefix) ? prefix.slice(0, -4) : prefix;
  const paths: BfilePaths = { bed: `${base}.bed`, bim: `${base}.bim`, fam: `${base}.fam` };
  for (const p of [paths.bed, paths.bim, paths.fam]) await requireRegularFile(p);
  return paths;
}

const FAM_COLUMNS = ['FID', 'IID', 'father', 'mother', 'sex', 'phenotype'];
const BIM_COLUMNS = ['chrom', 'id', 'cm', 'pos', 'a1', 'a2'];

export async function readFam(path: string): Promise<FamTable> {
  const t: FamTable = { fid: [], iid: [], father: [], mother: [], sex: new Int8Array(0), phenotype: [] };
  const sex: number[] = [];
  const seen = new Map<string, number>();
  await scanRows(path, 'whitespace', (f, line) => {
    expectFieldCount(path, f, 6, line, FAM_COLUMNS);
    const [fid, iid, father, mother, s, pheno] = f as [string, string, string, string, string, string];
    const key = `${fid}\t${iid}`;
    const first = seen.get(key);
    if (first !== undefined) {
      throw new BadInputError(path, `duplicate sample FID '${fid}' IID '${iid}' (lines ${first} and ${line})`, line, 1);
    }
    seen.set(key, line);
    t.fid.push(ownString(fid));
    t.iid.push(ownString(iid));
    t.father.push(ownString(father));
    t.mother.push(ownString(mother));
    // As PLINK 1.9: anything other than 1/2 is unknown sex, not an error.
    sex.push(s === '1' ? 1 : s === '2' ? 2 : 0);
    t.phenotype.push(ownString(pheno));
  });
  t.sex = Int8Array.from(sex);
  return t;
}

export async function readBim(path: string): Promise<BimTable> {
  const chrom: string[] = [];
  const id: string[] = [];
  const a1: string[] = [];
  const a2: string[] = [];
  const cm = new F64Column();
  const pos = new I32Column();
  await scanRows(path, 'whitespace', (f, line) => {
    expectFieldCount(path, f, 6, line, BIM_COLUMNS);
    chrom.push(ownString(f[0]!));
    id.push(ownString(f[1]!));
    cm.push(parseNumber(path, f[2]!, 'cm', line, 3));
    pos.push(parseInteger(path, f[3]!, 'pos', line, 4));
    // Any allele string is legal in a .bim (indels, '0' for monomorphic); whitespace splitting
    // already guarantees both are non-empty.
    a1.push(ownString(f[4]!));
    a2.push(ownString(f[5]!));
  });
  return { chrom, id, cm: cm.finish(), pos: pos.finish(), a1, a2 };
}

const hex = (b: number | undefined): string => `0x${(b ?? 0).toString(16).padStart(2, '0')}`;

/** Validate a .bed against the sample and variant counts of its .fam and .bim. */
export async function checkBed(path: string, nSamples: number, nVariants: number): Promise<BedLayout> {
  const { size, head, bytesRead } = await readFileHead(path, 3);
  if (bytesRead < 3) {
    throw new BadInputError(path, `truncated: ${size} bytes, a .bed starts with 3 header bytes (0x6c 0x1b 0x01)`);
  }
  if (head[0] !== 0x6c || head[1] !== 0x1b) {
    throw new BadInputError(
      path,
      `not a PLINK 1 .bed: magic bytes at offset 0 are ${hex(head[0])} ${hex(head[1])}, expected 0x6c 0x1b`,
    );
  }
  if (head[2] !== 0x01) {
    throw new BadInputError(
      path,
      `mode byte at offset 2 is ${hex(head[2])}, expected 0x01 (variant-major); ` +
        (head[2] === 0x00 ? 'sample-major .bed files are not supported, re-save it with plink --make-bed' : 'unknown mode'),
    );
  }
  const bytesPerVariant = Math.ceil(nSamples / 4);
  const expected = 3 + bytesPerVariant * nVariants;
  if (size !== expected) {
    const held = (size - 3) / bytesPerVariant;
    const hint = Number.isInteger(held)
      ? ` (the file holds ${held} variants of ${nSamples} samples)`
      : ' (not a whole number of variants: truncated, or the .fam does not belong to this .bed)';
    throw new BadInputError(
      path,
      `size is ${size} bytes, expected ${expected} = 3 + ${bytesPerVariant} bytes × ${nVariants} variants for ${nSamples} samples${hint}`,
    );
  }
  return { path, nSamples, nVariants, bytesPerVariant };
}
