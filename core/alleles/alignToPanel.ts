// Summary statistics matched to the LD panel by SNP ID and oriented to the panel's alleles.
// QC normally did this already, but imputation silently goes wrong on a mis-oriented z, so it
// is checked again: swapped pairs are re-oriented (b → −b, freq → 1 − freq), anything else is
// dropped and counted. Rows without a usable freq or N (possible in GWAS-SSF) are dropped too:
// the scale figures need both.
import { BadInputError } from '../errors.js';
import type { LdSnpTable, SumstatsTable } from '../formats/types.js';
import { orient } from './alleleOrientation.js';
import type { AlignmentCounts } from '../../contracts/impute.js';

export interface Alignment {
  /** Per panel SNP: the sumstats row observed there, or −1. */
  row: Int32Array;
  /** Per panel SNP: 1 when the row's alleles were swapped relative to the panel. */
  swapped: Uint8Array;
  /** Sumstats rows in use, in panel order. */
  usedRows: Int32Array;
  counts: AlignmentCounts;
}

/** Panel ID → index; a panel listing an ID twice cannot be matched by ID. */
export function panelIndex(snps: LdSnpTable, snpInfo: string): Map<string, number> {
  const ix = new Map<string, number>();
  snps.id.forEach((id, i) => {
    const prev = ix.get(id);
    if (prev !== undefined) throw new BadInputError(snpInfo, `SNP '${id}' is listed twice (indices ${prev} and ${i})`, i + 2);
    ix.set(id, i);
  });
  return ix;
}

export function alignToPanel(stats: SumstatsTable, snps: LdSnpTable, snpInfo: string): Alignment {
  const nPanel = snps.id.length;
  const ix = panelIndex(snps, snpInfo);
  const row = new Int32Array(nPanel).fill(-1);
  const swapped = new Uint8Array(nPanel);
  const counts: AlignmentCounts = { rows: stats.snp.length, matched: 0, swapped: 0, notInPanel: 0, alleleMismatch: 0, missingValues: 0 };
  for (let r = 0; r < stats.snp.length; r++) {
    const j = ix.get(stats.snp[r]!);
    if (j === undefined) {
      counts.notInPanel++;
      continue;
    }
    // Both alleles are always given (the sumstats reader requires them). Same or swapped only:
    // a strand flip counts as a mismatch here, complementing is QC's call, recorded in its output.
    const o = orient(stats.a1[r]!, stats.a2[r]!, snps.a1[j]!, snps.a2[j]!);
    if (o !== 'a1' && o !== 'a2') {
      counts.alleleMismatch++;
      continue;
    }
    const flip: 0 | 1 = o === 'a2' ? 1 : 0;
    if (!(Number.isFinite(stats.freq[r]!) && Number.isFinite(stats.n[r]!))) {
      counts.missingValues++;
      continue;
    }
    if (flip) counts.swapped++;
    else counts.matched++;
    row[j] = r;
    swapped[j] = flip;
  }
  const used: number[] = [];
  for (let j = 0; j < nPanel; j++) if (row[j]! >= 0) used.push(row[j]!);
  return { row, swapped, usedRows: Int32Array.from(used), counts };
}

/** z of the row at panel SNP j, oriented to the panel's A1. */
export function alignedZ(stats: SumstatsTable, a: Alignment, j: number): number {
  const r = a.row[j]!;
  const z = stats.b[r]! / stats.se[r]!;
  return a.swapped[j] ? -z : z;
}
