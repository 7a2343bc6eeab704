// Reference allele frequencies for scoring (`--freq`): a PLINK 2 .afreq (#CHROM ID REF ALT
// ALT_FREQS OBS_CT), a PLINK 1.9 .frq (CHR SNP A1 A2 MAF NCHROBS: MAF is the A1 frequency), or a
// two-column `SNP FREQ` table whose FREQ is the frequency of the genotypes' A1.
import { BadInputError } from '../errors.js';
import { F64Column, findColumns, ownString, parseNumber, scanTable, tabIfHeaderHasTab } from '../formats/text.js';

export interface FrequencyTable {
  path: string;
  id: string[];
  /** The allele `freq` refers to, upper-cased; null = the genotypes' A1 (two-column files). */
  allele: string[] | null;
  /** The other allele, upper-cased, when the file gives it. */
  other: string[] | null;
  freq: Float64Array;
}

export async function readFrequencyFile(path: string): Promise<FrequencyTable> {
  const id: string[] = [];
  let allele: string[] | null = null;
  let other: string[] | null = null;
  const freq = new F64Column();
  await scanTable(path, tabIfHeaderHasTab, (header) => {
    const names = header.map((h, i) => (i === 0 ? h.replace(/^#/, '') : h));
    const lower = names.map((h) => h.toLowerCase());
    let cols: { id: number; allele: number; other: number; freq: number };
    if (lower.includes('alt_freqs')) {
      const c = findColumns(path, names, { id: { name: 'ID' }, ref: { name: 'REF' }, alt: { name: 'ALT' }, freq: { name: 'ALT_FREQS' } });
      cols = { id: c.id, allele: c.alt, other: c.ref, freq: c.freq };
    } else if (lower.includes('maf') && lower.includes('a1')) {
      const c = findColumns(path, names, { id: { name: 'SNP' }, a1: { name: 'A1' }, a2: { name: 'A2', optional: true }, freq: { name: 'MAF' } });
      cols = { id: c.id, allele: c.a1, other: c.a2, freq: c.freq };
    } else {
      const c = findColumns(path, names, { id: { name: 'SNP', aliases: ['ID'] }, freq: { name: 'FREQ', aliases: ['A1_FREQ', 'A1FREQ', 'A1Freq', 'freq'] } });
      cols = { id: c.id, allele: -1, other: -1, freq: c.freq };
    }
    if (cols.allele >= 0) allele = [];
    if (cols.other >= 0) other = [];
    const width = header.length;
    const freqName = names[cols.freq]!;
    return (f, line) => {
      if (f.length !== width) throw new BadInputError(path, `expected ${width} fields as in the header, found ${f.length}`, line, Math.min(f.length, width) + 1);
      const v = parseNumber(path, f[cols.freq]!, freqName, line, cols.freq + 1);
      if (v < 0 || v > 1) throw new BadInputError(path, `column '${freqName}': frequency ${v} is outside [0, 1]`, line, cols.freq + 1);
      id.push(ownString(f[cols.id]!));
      allele?.push(ownString(f[cols.allele]!.toUpperCase()));
      other?.push(ownString(f[cols.other]!.toUpperCase()));
      freq.push(v);
    };
  });
  return { path, id, allele, other, freq: freq.finish() };
}

export interface FrequencyAlignment {
  /** A1 frequency per requested variant, NaN where the file has none usable. */
  freq: Float64Array;
  found: number;
  /** The file's allele was the genotypes' A2: 1 − f. */
  swapped: number;
  absent: number;
  /** ID present, alleles not the genotypes' pair (e.g. another ALT of a multi-allelic site). */
  mismatched: number;
}

/** A1 frequencies for genotype variants `variants` (indices into id/a1/a2). */
export function alignFrequencies(
  table: FrequencyTable,
  geno: { id: readonly string[]; a1: readonly string[]; a2: readonly string[] },
  variants: Int32Array,
): FrequencyAlignment {
  const wanted = new Map<string, number>();
  variants.forEach((v, r) => wanted.set(geno.id[v]!, r));
  const freq = new Float64Array(variants.length).fill(NaN);
  const out: FrequencyAlignment = { freq, found: 0, swapped: 0, absent: 0, mismatched: 0 };
  // Per variant: 0 not in the file, 1 matched, 2 only rows with other alleles so far (a
  // multi-allelic site may list several).
  const state = new Uint8Array(variants.length);
  for (let k = 0; k < table.id.length; k++) {
    const r = wanted.get(table.id[k]!);
    if (r === undefined || state[r] === 1) continue;
    const v = variants[r]!;
    const a1 = geno.a1[v]!.toUpperCase();
    const a2 = geno.a2[v]!.toUpperCase();
    const al = table.allele?.[k];
    const ot = table.other?.[k];
    const f = table.freq[k]!;
    if (al === undefined || (al === a1 && (ot === undefined || ot === a2))) {
      freq[r] = f;
      state[r] = 1;
    } else if (al === a2 && (ot === undefined || ot === a1)) {
      freq[r] = 1 - f;
      state[r] = 1;
      out.swapped++;
    } else state[r] = 2;
  }
  for (const st of state) {
    if (st === 1) out.found++;
    else if (st === 2) out.mismatched++;
    else out.absent++;
  }
  return out;
}
